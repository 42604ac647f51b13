/**
 * HTTP/2 bodies: the DATA frames of one stream and direction, gathered until END_STREAM
 * (or trailers), shown as tshark's "Body fragments", content-decoded (gzip, deflate, br)
 * and handed to the media type's dissector.
 */
import { noteReassembled, showReassembly, type FragmentFields } from "../src/analysis/defrag.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callDissector, protocolByAbbrev } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { decodeContent } from "../src/http/body.js";
import { MEDIA_TYPES, mediaArgument } from "../src/http/names.js";
import type { OneWay } from "./http2-state.js";
import { http2 } from "./http2.js";

let BODY: FragmentFields | undefined;

/**
 * A stream's complete body: its fragments' tree (unless the body is this one frame's DATA),
 * content decoding, Data, and the media type's dissector beside the Stream item.
 */
export function fullBody(tvb: Tvb, pinfo: PacketInfo, top: Item, st: Item, ow: OneWay, o: number | null, datalen: number, root: Item): void {
  const f = http2.f;
  const frags = ow.frags;
  ow.dropBody(false);
  let body: Tvb;
  if (frags.length === 1 && o !== null && frags[0].frame === pinfo.num && datalen === frags[0].data.length) {
    // one DATA frame carried it all: no reassembly to show (process_reassembled_data's one
    // fragment: the rest of the frame, its padding included)
    body = tvb.sub(o);
  } else {
    let n = 0;
    for (const x of frags) n += x.data.length;
    const data = new Uint8Array(n);
    const list = [];
    let at = 0;
    for (const x of frags) {
      data.set(x.data, at);
      list.push({ frame: x.frame, offset: at, len: x.data.length, data: x.data, flags: 0 });
      at += x.data.length;
    }
    BODY ??= {
      fragments: f.bodyFragments, fragment: f.bodyFragment, overlap: f.bodyFragmentOverlap, overlapConflict: f.bodyFragmentOverlapConflicts,
      multipleTails: f.bodyFragmentMultipleTails, tooLong: f.bodyFragmentTooLongFragment, error: f.bodyFragmentError,
      count: f.bodyFragmentCount, reassembledIn: f.bodyReassembledIn, reassembledLength: f.bodyReassembledLength,
      reassembledData: f.bodyReassembledData,
    };
    const r = { data, frags: list, flags: 0, frame: pinfo.num };
    noteReassembled(pinfo, "http2.body.reassembled.in", r, true);
    body = showReassembly(r, "body", BODY, pinfo, st).tvb;
    pinfo.addSource(body.ds);
  }
  const enc = ow.contentEncoding;
  const n = body.length;
  if (enc !== null && !ow.partial && (enc.startsWith("gzip") || enc.startsWith("deflate") || enc.startsWith("br"))) {
    const et = st.addText(body, 0, n, `Content-encoded entity body (${enc}): ${n} bytes`);
    const out = decodeContent(enc.startsWith("gzip") ? "gzip" : enc.startsWith("br") ? "br" : "deflate", body.bytes(0, n));
    if (out !== null) {
      const ds = { name: `Uncompressed entity body (${out.length} bytes)`, data: out };
      pinfo.addSource(ds);
      et.appendText(` -> ${out.length} bytes`);
      bodyData(new Tvb(ds), pinfo, et, st, ow, root);
    } else {
      et.expert("warn", "undecoded", "Body decompression failed", "http2", "http2.body_decompression_failed");
      bodyData(body, pinfo, et, st, ow, root);
    }
  } else {
    bodyData(body, pinfo, st, top, ow, root);
  }
}

/** dissect_body_data: Data, then the media_type table's dissector for the content type (in `parent`). */
function bodyData(body: Tvb, pinfo: PacketInfo, tree: Item, parent: Item, ow: OneWay, root: Item): void {
  const f = http2.f;
  const n = body.length;
  tree.add(f.dataData, body, 0, n, body.bytes(0, n));
  const ct = ow.contentType;
  if (ct === null) return;
  const handler = MEDIA_TYPES.get(ct);
  if (handler === undefined || handler === "media") return;
  const proto = protocolByAbbrev(handler);
  // (a body that breaks its dissector is marked where tcp_dissect_pdus catches it: beside the HTTP/2 items)
  if (proto !== undefined) callDissector(proto, body, pinfo, parent, mediaArgument(handler, ct, ow.contentTypeParams), root);
}
