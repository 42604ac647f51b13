/**
 * JavaScript Object Notation (RFC 8259), as tshark 4.0's json dissector shows it: an
 * Object / Array tree whose members carry their key (json.member, json.key), the value
 * (json.value.string / number / true / false / null) and generated paths
 * (json.path "/a/b", json.path_with_value "/a/b:1", json.member_with_value "b:1"; array
 * elements are "[]"). Called by HTTP (and other carriers) through the "media_type"
 * table with the media type as `data`. Text that is not valid JSON is shown as
 * line-based text under the JSON item, as tshark does.
 *
 * Strings are only built when the full tree is kept or a json.* field is wanted; the
 * walk itself is an index over the bytes (no regexes, no JSON.parse).
 */
import { callDissector, defineProtocol, protocolByAbbrev } from "../src/core/proto.js";
import type { Item, Tree } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";

const S = "string" as const;
const NONE = "none" as const;

export const json = defineProtocol({
  name: "JavaScript Object Notation",
  abbrev: "json",
  short: "JSON",
  fields: {
    array: { abbrev: "json.array", name: "Array", type: NONE },
    object: { abbrev: "json.object", name: "Object", type: NONE },
    member: { abbrev: "json.member", name: "Member", type: S },
    key: { abbrev: "json.key", name: "Key", type: S },
    path: { abbrev: "json.path", name: "Path", type: S },
    pathWithValue: { abbrev: "json.path_with_value", name: "Path with value", type: S },
    memberWithValue: { abbrev: "json.member_with_value", name: "Member with value", type: S },
    string: { abbrev: "json.value.string", name: "String value", type: S },
    number: { abbrev: "json.value.number", name: "Number value", type: S },
    false: { abbrev: "json.value.false", name: "False value", type: NONE },
    null: { abbrev: "json.value.null", name: "Null value", type: NONE },
    true: { abbrev: "json.value.true", name: "True value", type: NONE },
  },
  registers: [],
  dissect(tvb, pinfo, tree, data) {
    const d = tvb.bytes(0);
    const n = d.length;
    const valid = new Validator(d).document();
    const mediaType = typeof data === "string" ? data : null;
    const t = tree.tree;
    const ti = tree.add(json.hf, tvb, 0, n, null);
    if (t.full && mediaType !== null) ti.setText(`JavaScript Object Notation: ${mediaType}`);
    if (pinfo.cols !== null) {
      pinfo.cols.protocol = pinfo.cols.protocol === "" ? "JSON" : pinfo.cols.protocol + "/JSON";
      pinfo.appendInfoSep(", ", "JavaScript Object Notation");
      if (valid && mediaType !== null) pinfo.appendInfoSep(" ", `(${mediaType})`);
    }
    if (!valid) {
      // not JSON after all: tshark's item ends where its parser stopped (here: at once), and the
      // text is shown line by line instead
      ti.setLen(0);
      const text = protocolByAbbrev("data-text-lines");
      if (text !== undefined) callDissector(text, tvb, pinfo, tree, data);
      return n;
    }
    if (t.wantsAny(ALL)) {
      const w = new Walker(d, tvb, t);
      w.skipWs();
      w.value(ti, null, "", 0);
    }
    return n;
  },
});

const f = json.f;
const ALL = Object.values(f);


const MAX_DEPTH = 64;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Strict RFC 8259 check of the whole text (one value, blanks around it). */
class Validator {
  p = 0;
  constructor(readonly d: Uint8Array) {}

  document(): boolean {
    this.ws();
    if (!this.value(0)) return false;
    this.ws();
    return this.p === this.d.length;
  }
  ws(): void {
    const d = this.d;
    while (this.p < d.length && isWs(d[this.p])) this.p++;
  }
  value(depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const d = this.d;
    if (this.p >= d.length) return false;
    const c = d[this.p];
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string();
    if (c === 0x74) return this.lit("true");
    if (c === 0x66) return this.lit("false");
    if (c === 0x6e) return this.lit("null");
    return this.number();
  }
  lit(s: string): boolean {
    const d = this.d;
    if (this.p + s.length > d.length) return false;
    for (let i = 0; i < s.length; i++) if (d[this.p + i] !== s.charCodeAt(i)) return false;
    this.p += s.length;
    return true;
  }
  object(depth: number): boolean {
    const d = this.d;
    this.p++;
    this.ws();
    if (d[this.p] === 0x7d) { this.p++; return true; }
    for (;;) {
      this.ws();
      if (d[this.p] !== 0x22 || !this.string()) return false;
      this.ws();
      if (d[this.p] !== 0x3a) return false;
      this.p++;
      this.ws();
      if (!this.value(depth + 1)) return false;
      this.ws();
      const c = d[this.p++];
      if (c === 0x7d) return true;
      if (c !== 0x2c) return false;
    }
  }
  array(depth: number): boolean {
    const d = this.d;
    this.p++;
    this.ws();
    if (d[this.p] === 0x5d) { this.p++; return true; }
    for (;;) {
      this.ws();
      if (!this.value(depth + 1)) return false;
      this.ws();
      const c = d[this.p++];
      if (c === 0x5d) return true;
      if (c !== 0x2c) return false;
    }
  }
  string(): boolean {
    const d = this.d;
    let p = this.p + 1;
    while (p < d.length) {
      const c = d[p];
      if (c === 0x22) { this.p = p + 1; return true; }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = d[p + 1];
        if (e === 0x75) {
          for (let i = 2; i < 6; i++) if (!isHex(d[p + i])) return false;
          p += 6;
          continue;
        }
        if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return false;
        p += 2;
        continue;
      }
      p++;
    }
    return false;
  }
  number(): boolean {
    const d = this.d;
    let p = this.p;
    if (d[p] === 0x2d) p++;
    if (d[p] === 0x30) p++;
    else if (d[p] >= 0x31 && d[p] <= 0x39) while (d[p] >= 0x30 && d[p] <= 0x39) p++;
    else return false;
    if (d[p] === 0x2e) {
      p++;
      if (!(d[p] >= 0x30 && d[p] <= 0x39)) return false;
      while (d[p] >= 0x30 && d[p] <= 0x39) p++;
    }
    if (d[p] === 0x65 || d[p] === 0x45) {
      p++;
      if (d[p] === 0x2b || d[p] === 0x2d) p++;
      if (!(d[p] >= 0x30 && d[p] <= 0x39)) return false;
      while (d[p] >= 0x30 && d[p] <= 0x39) p++;
    }
    this.p = p;
    return true;
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

const utf8 = new TextDecoder("utf-8");

/** Builds the tree over text the Validator accepted (so it never fails). */
class Walker {
  p = 0;
  constructor(readonly d: Uint8Array, readonly tvb: Tvb, readonly t: Tree) {}

  skipWs(): void {
    const d = this.d;
    while (this.p < d.length && isWs(d[this.p])) this.p++;
  }

  /** The JSON string at p (unescaped); p moves past it. */
  str(): string {
    const d = this.d;
    const start = this.p + 1;
    let p = start;
    let plain = true;
    while (d[p] !== 0x22) {
      if (d[p] === 0x5c) { plain = false; p += d[p + 1] === 0x75 ? 6 : 2; } else p++;
    }
    this.p = p + 1;
    if (plain) return utf8.decode(d.subarray(start, p));
    let out = "";
    let q = start;
    let runStart = start;
    while (q < p) {
      if (d[q] !== 0x5c) { q++; continue; }
      out += utf8.decode(d.subarray(runStart, q));
      const e = d[q + 1];
      if (e === 0x75) {
        let cu = 0;
        for (let i = 2; i < 6; i++) cu = cu * 16 + hexv(d[q + i]);
        out += String.fromCharCode(cu);
        q += 6;
      } else {
        out += e === 0x62 ? "\b" : e === 0x66 ? "\f" : e === 0x6e ? "\n" : e === 0x72 ? "\r" : e === 0x74 ? "\t" : String.fromCharCode(e);
        q += 2;
      }
      runStart = q;
    }
    return out + utf8.decode(d.subarray(runStart, p));
  }

  /**
   * The value at p under `parent`. `key` is the member's key (null for array elements
   * and the top value), `path` the path of the value's container.
   */
  value(parent: Item, key: string | null, path: string, depth: number): void {
    const d = this.d;
    const tvb = this.tvb;
    const c = d[this.p];
    const start = this.p;
    const vpath = key === null ? (depth === 0 ? "" : path + "/[]") : path + "/" + key;
    const mkey = key === null ? "[]" : key;
    if (c === 0x7b || c === 0x5b) {
      const isObj = c === 0x7b;
      const it = parent.add(isObj ? f.object : f.array, tvb, start, 0, null);
      this.p++;
      this.skipWs();
      const close = isObj ? 0x7d : 0x5d;
      while (d[this.p] !== close) {
        if (isObj) this.member(it, vpath, depth + 1);
        else this.value(it, null, vpath, depth + 1);
        this.skipWs();
        if (d[this.p] === 0x2c) { this.p++; this.skipWs(); }
      }
      this.p++;
      it.setLen(this.p - start);
      return;
    }
    let text: string;
    let fld;
    let value: string | null = null;
    if (c === 0x22) {
      value = this.str();
      text = value;
      fld = f.string;
    } else if (c === 0x74) { this.p += 4; text = "true"; fld = f.true; }
    else if (c === 0x66) { this.p += 5; text = "false"; fld = f.false; }
    else if (c === 0x6e) { this.p += 4; text = "null"; fld = f.null; }
    else {
      const v = new Validator(d);
      v.p = this.p;
      v.number();
      this.p = v.p;
      value = text = utf8.decode(d.subarray(start, this.p));
      fld = f.number;
    }
    const len = this.p - start;
    parent.addGenerated(f.pathWithValue, tvb, start, len, vpath + ":" + text);
    parent.addGenerated(f.memberWithValue, tvb, start, len, mkey + ":" + text);
    parent.add(fld, tvb, start, len, value);
  }

  member(parent: Item, path: string, depth: number): void {
    const tvb = this.tvb;
    const start = this.p;
    const key = this.str();
    const keyEnd = this.p;
    const m = parent.add(f.member, tvb, start, 0, key);
    this.skipWs();
    this.p++; // ':'
    this.skipWs();
    this.value(m, key, path, depth);
    m.setLen(this.p - start);
    // (as tshark: the key's bytes with its quotes, the path over the whole member)
    m.add(f.key, tvb, start, keyEnd - start, key);
    m.addGenerated(f.path, tvb, start, this.p - start, path + "/" + key);
  }
}

function hexv(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}
