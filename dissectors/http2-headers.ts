/**
 * HTTP/2 header blocks (HEADERS, PUSH_PROMISE, CONTINUATION): decompressed with the
 * direction's HPACK table into a "Decompressed Header" data source laid out as tshark's
 * (name length, name, value length, value), one "Header: name: value" item per field with
 * its representation and index, the well-known headers' own fields, :path split as tshark
 * 4.0 splits it, the request's full URI, and what the headers say about the body.
 */
import { fieldByAbbrev, type Field } from "../src/core/field.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { asciiString, asciiText, strayCheck } from "../src/core/strings.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { STATUS_CODES } from "../src/http/names.js";
import type { HpackRepresentation } from "../src/http2/hpack.js";
import { HEADER_FIELDS } from "./http2-fields.js";
import type { H2Conn, H2Stream, Http2Call, OneWay } from "./http2-state.js";
import { http2 } from "./http2.js";

const F_END_HEADERS = 0x4;

const REPR: Record<HpackRepresentation, string> = {
  indexed: "Indexed Header Field",
  "incremental-indexed-name": "Literal Header Field with Incremental Indexing - Indexed Name",
  "incremental-new-name": "Literal Header Field with Incremental Indexing - New Name",
  "without-indexing-indexed-name": "Literal Header Field without Indexing - Indexed Name",
  "without-indexing-new-name": "Literal Header Field without Indexing - New Name",
  "never-indexed-indexed-name": "Literal Header Field never Indexed - Indexed Name",
  "never-indexed-new-name": "Literal Header Field never Indexed - New Name",
};

/**
 * inflate_http2_header_block: decompress this block with its direction's table, put the
 * fields in a "Decompressed Header" source (name length, name, value length, value), and
 * show one Header item per field.
 */
export function inflate(
  tvb: Tvb, o: number, block: Uint8Array, flags: number, pinfo: PacketInfo, st: Item, conn: H2Conn, call: Http2Call,
  ow: OneWay | null, stream: H2Stream,
): void {
  const f = http2.f;
  const dir = call.dir;
  // nghttp2 inflates as the fragments come: the fields complete in this fragment show here, a
  // representation cut at its end waits for the next CONTINUATION
  const pending = conn.pendingBlock[dir];
  const whole = pending === null ? block : concat(pending, block);
  const base = o - (pending === null ? 0 : pending.length);
  conn.pendingBlock[dir] = null;
  const r = conn.dec[dir].decode(whole);
  if ((flags & F_END_HEADERS) === 0 && r.error !== null && r.error.startsWith("truncated")) {
    const used = r.fields.length > 0 ? r.fields[r.fields.length - 1].end : r.sizeUpdates.length > 0 ? r.sizeUpdates[r.sizeUpdates.length - 1].end : 0;
    conn.pendingBlock[dir] = whole.slice(used);
  }
  const fields = r.fields;
  const updates = r.sizeUpdates;
  if (fields.length === 0 && updates.length === 0) return;
  // the decompressed source: per field, name length (4), name, value length (4), value
  let size = 0;
  for (const h of fields) size += 8 + h.name.length + h.value.length;
  const buf = new Uint8Array(size);
  let q = 0;
  for (const h of fields) {
    q = putU32(buf, q, h.name.length);
    buf.set(h.name, q);
    q += h.name.length;
    q = putU32(buf, q, h.value.length);
    buf.set(h.value, q);
    q += h.value.length;
  }
  const ds = { name: `Decompressed Header (${size} bytes)`, data: buf };
  pinfo.addSource(ds);
  const htvb = new Tvb(ds);
  const full = st.tree.full;
  // a representation's bytes in this frame's block (one begun in an earlier fragment starts at the block)
  const place = (start: number, end: number): [number, number] => {
    const at = Math.max(o, base + start);
    return [at, Math.min(end - start, Math.max(0, o + block.length - at))];
  };
  st.addGenerated(f.headerLength, htvb, 0, 1, size);
  st.addGenerated(f.headerCount, htvb, 0, 1, updates.length + fields.length);
  // dynamic table size updates (RFC 7541 6.3) come first in a block, and count as headers
  for (const u of updates) {
    const [at, len] = place(u.start, u.end);
    st.add(f.headerTableSizeUpdate, tvb, at, len, null).add(f.headerTableSizeUpdateHeaderTableSize, tvb, at, len, u.size);
  }
  let method: string | null = null, path: string | null = null, scheme: string | null = null, authority: string | null = null;
  let ho = 0;
  for (const h of fields) {
    // (ENC_ASCII: a byte above 0x7f shows as U+FFFD)
    const name = asciiText(h.name, 0, h.name.length, true);
    const value = asciiText(h.value, 0, h.value.length, true);
    const [at, len] = place(h.start, h.end);
    const hi = st.add(f.header, tvb, at, len, null);
    hi.add(f.headerNameLength, htvb, ho, 4, h.name.length);
    strayCheck(hi.add(f.headerName, htvb, ho + 4, h.name.length, name), buf, ho + 4, ho + 4 + h.name.length);
    ho += 4 + h.name.length;
    hi.add(f.headerValueLength, htvb, ho, 4, h.value.length);
    const vo = ho + 4;
    strayCheck(hi.add(f.headerValue, htvb, vo, h.value.length, value), buf, vo, vo + h.value.length);
    const named = namedField(hi, htvb, vo, h.value.length, name, value);
    if (named !== null && name === ":path") pathComponents(named, htvb, buf, vo, h.value.length);
    const unescaped = uriUnescape(value);
    if (unescaped !== null) hi.addGenerated(f.headerUnescaped, htvb, vo, h.value.length, unescaped);
    ho = vo + h.value.length;
    if (ow !== null) track(ow, stream, name, value, pinfo.num);
    hi.add(f.headerRepr, tvb, at, 1, REPR[h.rep]);
    if (h.rep === "indexed" || h.rep.endsWith("-indexed-name")) hi.add(f.headerIndex, tvb, at, h.rep === "indexed" ? len : 1, h.index);
    if (full) hi.appendText(`: ${name}: ${value}`);
    if (name === ":method") {
      method = value;
      if (path !== null) request(pinfo, st, method, path);
    } else if (name === ":path") {
      path = value;
      if (method !== null) request(pinfo, st, method, path);
    } else if (name === ":status") {
      const reason = STATUS_CODES[parseInt(value, 10)] ?? "Unknown";
      pinfo.appendInfoSep(": ", `${value} ${reason}`);
      if (full) {
        hi.appendText(` ${reason}`);
        st.appendText(`, ${value} ${reason}`);
      }
    } else if (name === ":scheme") scheme = value;
    else if (name === ":authority") authority = value;
  }
  if (authority !== null) {
    // (tshark prints a missing :path as "(null)")
    st.addGenerated(f.requestFullUri, tvb, 0, 0, `${scheme ?? (call.tls ? "https" : "http")}://${authority}${path ?? "(null)"}`);
  }
}

function request(pinfo: PacketInfo, st: Item, method: string, path: string): void {
  pinfo.appendInfoSep(": ", `${method} ${path}`);
  if (st.tree.full) st.appendText(`, ${method} ${path}`);
}

/** try_add_named_header_field: ":method" → http2.headers.method…; numbers only when they parse. */
function namedField(hi: Item, htvb: Tvb, o: number, len: number, name: string, value: string): Item | null {
  const k = HEADER_FIELDS.get(name);
  if (k === undefined) return null;
  const hf = http2.f[k];
  if (hf.type === "string") return hi.add(hf, htvb, o, len, value);
  if (!/^\d+$/.test(value)) return null;
  if (hf.type === "uint64") return hi.add(hf, htvb, o, len, BigInt(value));
  return Number(value) <= 0xffffffff ? hi.add(hf, htvb, o, len, Number(value)) : null;
}

const GEN_DELIMS = new Set([..."?#[]@:"].map((c) => c.charCodeAt(0)));
const SUB_DELIMS = new Set([..."!$&'()*+,;"].map((c) => c.charCodeAt(0)));
let PATH_SEGMENT: Field | undefined, PATH_SUB_SEGMENT: Field | undefined;

function pbrk(b: Uint8Array, o: number, max: number, set: ReadonlySet<number>): number {
  const end = Math.min(b.length, o + Math.max(0, max));
  for (let i = o; i < end; i++) if (set.has(b[i])) return i;
  return -1;
}

/**
 * tshark 4.0's http_add_path_components_to_tree on a :path value at [o, o+len) of the
 * decompressed headers: the part before the first of ":?#[]@" is a "Path segment", what
 * follows is cut at "!$&'()*+,;" into "Path sub segment"s. Followed step by step, its quirks
 * too (the first delimiter's position is reused for every later segment).
 */
function pathComponents(item: Item, htvb: Tvb, buf: Uint8Array, o: number, len: number): void {
  const end = o + len;
  const gen = pbrk(buf, o, len, GEN_DELIMS);
  if (gen < 0) return;
  PATH_SEGMENT ??= fieldByAbbrev("http.path_segment");
  PATH_SUB_SEGMENT ??= fieldByAbbrev("http.path_sub_segment");
  if (PATH_SEGMENT === undefined || PATH_SUB_SEGMENT === undefined) return;
  const compLen = gen - o;
  while (end > o) {
    const next = pbrk(buf, gen + 1, len - compLen, GEN_DELIMS);
    const subEnd = next < 0 ? end : next - 1;
    item.add(PATH_SEGMENT, htvb, o, compLen, asciiString(htvb, o, compLen));
    o += compLen + 1;
    while (subEnd > o) {
      const d = pbrk(buf, o, subEnd - o, SUB_DELIMS);
      const n = (d < 0 ? subEnd : d) - o;
      item.add(PATH_SUB_SEGMENT, htvb, o, n, asciiString(htvb, o, n));
      o = d < 0 ? subEnd : d + 1;
    }
  }
}

/** populate_http_header_tracking: what a request's or response's headers say about its body. */
function track(ow: OneWay, stream: H2Stream, name: string, value: string, frame: number): void {
  if (name === "content-encoding") ow.contentEncoding ??= value;
  else if (name === ":status") {
    if (value === "206") ow.partial = true;
  } else if (name === "transfer-encoding") ow.transferEncoded = true;
  else if (name === "content-type") {
    if (ow.contentType === null) {
      let e = 0;
      while (e < value.length && value[e] !== ";" && value[e] !== " " && value[e] !== "\t") e++;
      ow.contentType = value.slice(0, e).toLowerCase();
      const semi = value.indexOf(";");
      ow.contentTypeParams = semi >= 0 ? value.slice(semi + 1) : null;
    }
  }
  if ((name === ":status" || name === ":method") && ow.dataInitiatedIn === 0) ow.dataInitiatedIn = frame;
  if (name === ":method" && value === "CONNECT") stream.connect = true;
}

/** g_uri_unescape_string: %XX decoded; null for a bad escape or an escaped NUL. */
function uriUnescape(s: string): string | null {
  if (s.indexOf("%") < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "%") {
      out += c;
      continue;
    }
    const h = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
    const v = parseInt(h, 16);
    if (v === 0) return null;
    out += String.fromCharCode(v);
    i += 2;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a, 0);
  r.set(b, a.length);
  return r;
}

function putU32(b: Uint8Array, o: number, v: number): number {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
  return o + 4;
}
