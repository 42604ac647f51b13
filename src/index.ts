/**
 * nestcap as a library.
 *
 *   import { readCapture, dissect, Dissector } from "nestcap";
 *   const d = new Dissector({ tree: true, columns: true });
 *   for await (const frame of readCapture("capture.pcapng")) {
 *     const { tree, pinfo } = d.dissect(frame);
 *     console.log(pinfo.cols?.info);
 *   }
 */
export { readCapture, readCaptureSync, CaptureReader, CaptureError, type CaptureInfo } from "./capture/reader.js";
export { PcapngWriter, PcapWriter } from "./capture/writer.js";
export { dissectTwoPass } from "./capture/two-pass.js";
export { LinkType, type Frame, type InterfaceInfo } from "./capture/frame.js";
export { dissect, Dissector, type DissectOptions, type Dissection } from "./core/dissect.js";
export { Session, type SessionOptions } from "./core/session.js";
export { Tree, Item, walk } from "./core/tree.js";
export { Tvb, BoundsError, type DataSource } from "./core/tvb.js";
export { Columns, PacketInfo } from "./core/pinfo.js";
export { fieldByAbbrev, allFields, registerField, type Field, type FieldSpec, type FieldType, type Value, type Time } from "./core/field.js";
export { defineProtocol, protocolByAbbrev, allProtocols, callTable, callDissector, callData, tryHeuristics, type Protocol } from "./core/proto.js";
export { fieldText, itemLabel, valueDisplay } from "./core/format.js";
export type { Expert, Severity, ExpertGroup } from "./core/expert.js";
