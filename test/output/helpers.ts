/** Shared bits for the printer tests: hand-built dissections and a test-only protocol. */
import type { Frame } from "../../src/capture/frame.js";
import type { Dissection } from "../../src/core/dissect.js";
import { PacketInfo } from "../../src/core/pinfo.js";
import { defineProtocol } from "../../src/core/proto.js";
import { Session } from "../../src/core/session.js";
import { Tree } from "../../src/core/tree.js";
import { Tvb } from "../../src/core/tvb.js";
import "../../src/core/load.js";

/** A protocol used only by the printer tests (never registered in a table). */
export const testproto = defineProtocol({
  name: "Test Protocol",
  abbrev: "testproto",
  short: "TEST",
  fields: {
    kind: { abbrev: "testproto.kind", name: "Kind", type: "uint8", strings: { 1: "Hello", 2: "Bye" } },
    flags: { abbrev: "testproto.flags", name: "Flags", type: "uint8", base: "hex" },
    flagA: { abbrev: "testproto.flags.a", name: "A flag", type: "bool", bitmask: 0x80, bits: 8 },
    flagB: { abbrev: "testproto.flags.b", name: "B flag", type: "bool", bitmask: 0x40, bits: 8 },
    len: { abbrev: "testproto.len", name: "Length", type: "uint16" },
    name: { abbrev: "testproto.name", name: "Name", type: "string" },
    payload: { abbrev: "testproto.payload", name: "Payload", type: "bytes" },
    addr: { abbrev: "testproto.addr", name: "Address", type: "ipv4" },
    note: { abbrev: "testproto.note", name: "Note", type: "none" },
    seq: { abbrev: "testproto.seq", name: "Sequence", type: "uint32" },
  },
  dissect() {
    return 0;
  },
});

export interface Built extends Dissection {
  tvb: Tvb;
}

/** An empty full-tree dissection over `bytes` (frame number, time and session given). */
export function emptyDissection(
  bytes: Uint8Array,
  o: { num?: number; tsSec?: number; tsNsec?: number; len?: number; session?: Session; tsresol?: number; columns?: boolean } = {},
): Built {
  const frame: Frame = {
    num: o.num ?? 1,
    tsSec: o.tsSec ?? 1476458948,
    tsNsec: o.tsNsec ?? 218361000,
    caplen: bytes.length,
    len: o.len ?? bytes.length,
    data: bytes,
    linkType: 1,
    interfaceId: 0,
  };
  if (o.tsresol !== undefined) frame.tsresol = o.tsresol;
  const session = o.session ?? new Session();
  if (session.firstTs === null) session.firstTs = { s: frame.tsSec, ns: frame.tsNsec };
  const tree = new Tree(true);
  tree.frameNum = frame.num;
  const pinfo = new PacketInfo(frame, session, o.columns ?? true);
  const tvb = new Tvb({ name: `Frame (${bytes.length} bytes)`, data: bytes }, 0, bytes.length, frame.len);
  pinfo.sources.push(tvb.ds);
  return { frame, tree, pinfo, tvb };
}

export function hexBytes(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
}
