/**
 * An HTTP message's body (the end of dissect_http_message): de-chunked, content-decoded,
 * handed to the export-objects and follow taps, shown as file data, then given to the
 * media_type table (media, or data when nobody takes it).
 */
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, protocolByAbbrev } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { decodeContent, dechunk } from "../src/http/body.js";
import { MEDIA_TYPES, mediaArgument, mediaHandler, mediaRefuses } from "../src/http/names.js";
import { f, latin1, T_OTHER, type Headers } from "./http-headers.js";
import type { HttpObject, HttpReq } from "./http-message.js";

/** Hand a body to the "http_eo" tap (--export-objects) and the "http_follow" tap (-z follow,http) when they listen. */
export function tapObject(pinfo: PacketInfo, req: HttpReq | null, contentType: string | null, body: Tvb): void {
  followTap(pinfo, body, 0, body.length);
  const eo = pinfo.session.tap("http_eo");
  if (eo === undefined) return;
  const o: HttpObject = {
    frame: pinfo.num, host: req?.host ?? null, uri: req?.uri ?? null, contentType,
    data: body.bytes(0, body.length).slice(),
  };
  eo(o);
}

/** -z follow,http: bytes of a message (its start line and headers, then its decoded body). */
export function followTap(pinfo: PacketInfo, tvb: Tvb, o: number, n: number): void {
  const follow = pinfo.session.tap("http_follow");
  if (follow !== undefined) follow({ frame: pinfo.num, type: 0, data: tvb.bytes(o, n).slice() });
}

/** The message body at p: de-chunk, decode, then file data and a media dissector. Returns bytes used. */
export function body(tvb: Tvb, pinfo: PacketInfo, tree: Item, ti: Item, p: number, len: number, h: Headers, type: number, req: HttpReq | null): number {
  const full = ti.tree.full;
  let used = len;
  let bodyTvb = tvb.sub(p, len);
  if (h.chunked) {
    const d = tvb.bytes(0);
    const c = dechunk(d, p, p + len);
    const built = ti.tree.built;
    // nothing of the chunked coding could be read: tshark's body is then everything that is left
    used = c.consumed <= 0 ? len : c.consumed;
    const ct = ti.addText(tvb, p, used, "HTTP chunked response");
    for (const k of c.chunks) {
      // tshark's chunk item spans the size line, the size (at most what is left from the size
      // line on) and a 2-byte boundary, and must be there: a chunk cut short throws (malformed,
      // or truncated when the capture cut it), after the chunks before it were shown. Only
      // when tshark builds a tree: a plain summary has no such item and no exception.
      if (built) tvb.ensure(p + k.sizeOff, k.sizeLineLen + Math.min(k.size, len - k.sizeOff) + 2);
      const avail = Math.min(k.size, len - k.dataOff);
      const ci = ct.addText(tvb, p + k.sizeOff, k.dataOff - k.sizeOff + avail + k.boundaryLen, `Data chunk (${k.size} octets)`);
      ci.add(f.chunkSize, tvb, p + k.sizeOff, k.sizeLineLen, k.size);
      ci.add(f.chunkData, tvb, p + k.dataOff, avail, d.subarray(p + k.dataOff, p + k.dataOff + avail));
      if (k.boundaryOff >= 0) ci.add(f.chunkBoundary, tvb, p + k.boundaryOff, k.boundaryLen, d.subarray(p + k.boundaryOff, p + k.boundaryOff + k.boundaryLen));
    }
    if (c.lastOff >= 0) {
      // the same 2 bytes after the last chunk's line ("0\n\n" at the very end throws)
      if (built) tvb.ensure(p + c.lastOff, c.lastLineLen + 2);
      // (tshark's item is that line and those 2 bytes, whatever the trailer after them)
      const li = ct.addText(tvb, p + c.lastOff, Math.min(c.lastLineLen + 2, len - c.lastOff), "End of chunked encoding");
      li.add(f.chunkSize, tvb, p + c.lastOff, c.lastLineLen, 0);
      // the trailer's lines, then the blank line, beside "End of chunked encoding" (as tshark)
      const t = c.trailer;
      if (t !== null) ct.add(f.trailerPart, tvb, p + t.off, t.len, latin1(d, p + t.off, p + t.off + t.len, false));
      // the blank line as its bytes are: "\r\n", "\n" or a lone "\r"
      if (c.blankOff >= 0) {
        const eol = d.subarray(p + c.blankOff, p + c.blankOff + c.blankLen);
        ct.addText(tvb, p + c.blankOff, c.blankLen, Array.from(eol, (b) => (b === 0x0d ? "\\r" : "\\n")).join(""));
      }
    }
    // a chunk walk that stops early (bad chunk syntax, a trailer without its blank line) gets
    // no note: tshark's chunked dissector shows what it walked and leaves the rest
    if (c.body.length === 0) {
      // something was de-chunked, to nothing: tshark's export-objects tap still gets it (an empty file)
      if (c.consumed > 0) tapObject(pinfo, req, h.contentType, bodyTvb.sub(0, 0));
      // the last chunk came first: tshark still shows the (empty) file data; no chunk at all: nothing
      if (c.lastOff >= 0) {
        // (over the empty de-chunked data, a data source of its own, as tshark's item)
        const fd = ti.add(f.fileData, new Tvb({ name: "De-chunked entity body (0 bytes)", data: new Uint8Array(0) }), 0, 0, "");
        if (full) fd.setText("File Data: 0 bytes");
      }
      return used;
    }
    const ds = { name: `De-chunked entity body (${c.body.length} bytes)`, data: c.body };
    pinfo.addSource(ds);
    bodyTvb = new Tvb(ds);
  }
  const enc = h.contentEncoding;
  if (enc !== null && enc.toLowerCase() !== "identity" && bodyTvb.length > 0) {
    const raw = bodyTvb.bytes(0);
    const out = decodeContent(enc, raw);
    const ei = ti.addText(bodyTvb, 0, raw.length, full ? `Content-encoded entity body (${enc}): ${raw.length} bytes` : "");
    if (out === null) {
      ei.expert("warn", "undecoded", "Decompression failed", "http", "http.decompression_failed");
      // (tshark skips its export-objects tap then: no object for this body)
      callData(bodyTvb, pinfo, ei);
      return used;
    }
    if (full) ei.appendText(` -> ${out.length} bytes`);
    const ds = { name: `Uncompressed entity body (${out.length} bytes)`, data: out };
    pinfo.addSource(ds);
    bodyTvb = new Tvb(ds);
  }
  const n = bodyTvb.length;
  if (n === 0) return used;
  tapObject(pinfo, req, h.contentType, bodyTvb);
  const fd = ti.add(f.fileData, bodyTvb, 0, n, ti.tree.wants(f.fileData) ? latin1(bodyTvb.bytes(0, n), 0, n, true) : "");
  if (full) fd.setText(`File Data: ${n} bytes`); // tshark: "1 bytes" too
  // the "media_type" table, then "media" for a type nobody takes (data when there is none)
  const ct = h.contentType;
  const handler = ct !== null ? mediaHandler(ct) : "data";
  const proto = handler !== "data" ? protocolByAbbrev(handler) : undefined;
  if (ct !== null && handler === "media" && mediaRefuses(ct, bodyTvb.bytes(0, n)))
    ti.expert("note", "malformed", "HTTP body subdissector failed, trying heuristic subdissector", "http", "http.subdissector_failed");
  // a body dissected beside HTTP (not under it) shortens HTTP's item to the head, as in
  // tshark (only the item's bytes show it: -T pdml, the hex highlight)
  // (tshark's length is the body's offset in the data the message was found in: for a message
  // after a skipped empty line, or a second one in a segment, the item runs past its head)
  const head = (): void => {
    if (type !== T_OTHER) ti.setLen(p);
  };
  // (a type tshark's media_type table has no entry for goes to "media" without that: the
  // item keeps the body)
  if (proto !== undefined && (handler !== "media" || MEDIA_TYPES.has(ct!))) head();
  if (proto === undefined || callDissector(proto, bodyTvb, pinfo, tree, mediaArgument(handler, ct!, h.contentTypeParams)) === 0) {
    const media = ct !== null && handler !== "media" && handler !== "data" ? protocolByAbbrev("media") : undefined;
    if (media !== undefined) {
      head();
      callDissector(media, bodyTvb, pinfo, tree, ct);
    }
    // no Content-Type (or a continuation): under HTTP, as tshark's call_data_dissector(…, http_tree);
    // a type nobody takes (multipart/… here): top-level (tshark's -V and io,phs show it beside http)
    else if (ct === null || type === T_OTHER) callData(bodyTvb, pinfo, ti);
    else {
      head();
      callData(bodyTvb, pinfo, tree);
    }
  }
  return used;
}
