/**
 * Display-filter scanner (Wireshark 4.0 dfilter syntax).
 *
 * Produces a flat token list with source positions. Words (field names and
 * unquoted literals such as 10.0.0.0/8, aa:bb:cc, 0x1f, fd00::1) are one token
 * kind: whether a word is a field or a literal is decided by the compiler,
 * which knows the field registry and the type on the other side.
 */

export class FilterError extends Error {
  /** Offset of the offending text in the filter (-1: no location, e.g. "Unexpected end"). */
  readonly pos: number;
  /** Length of the offending text (0 with pos -1). */
  readonly len: number;
  constructor(message: string, pos = -1, len = 0) {
    super(message);
    this.name = "FilterError";
    this.pos = pos;
    this.len = pos < 0 ? 0 : Math.max(1, len);
  }
}

export type TokKind =
  | "(" | ")" | "{" | "}" | "," | ".." | "[" | "]" | "#"
  /** Slice range text inside [ ] ("0:3", "-2:", "1-2"). */
  | "RANGE"
  /** Layer number after # */
  | "INDEX"
  /** Relation: value = any_eq all_ne all_eq any_ne gt ge lt le contains matches */
  | "CMP"
  | "IN" | "NOT" | "AND" | "OR" | "ANY" | "ALL"
  /** Arithmetic: value = + - * / % & */
  | "MATH"
  | "STRING" | "CHAR" | "WORD"
  /** Field reference ${name}: text = the name */
  | "REF"
  | "EOF";

export interface Token {
  kind: TokKind;
  /** Source text of the token (as written, quotes included). */
  text: string;
  pos: number;
  len: number;
  /** Operator name (CMP/MATH), string bytes (STRING), char code (CHAR). */
  op?: string;
  bytes?: Uint8Array;
  raw?: boolean;
  code?: number;
}

const KEYWORDS: Record<string, [TokKind, string?]> = {
  eq: ["CMP", "any_eq"], any_eq: ["CMP", "any_eq"],
  ne: ["CMP", "all_ne"], all_ne: ["CMP", "all_ne"],
  all_eq: ["CMP", "all_eq"], any_ne: ["CMP", "any_ne"],
  gt: ["CMP", "gt"], ge: ["CMP", "ge"], lt: ["CMP", "lt"], le: ["CMP", "le"],
  contains: ["CMP", "contains"], matches: ["CMP", "matches"],
  in: ["IN"], not: ["NOT"], and: ["AND"], or: ["OR"], any: ["ANY"], all: ["ALL"],
  bitwise_and: ["MATH", "&"],
};

/** Symbolic operators, longest first. */
const SYMBOLS: [string, TokKind, string?][] = [
  ["===", "CMP", "all_eq"], ["!==", "CMP", "any_ne"],
  ["==", "CMP", "any_eq"], ["!=", "CMP", "all_ne"], ["~=", "CMP", "any_ne"],
  [">=", "CMP", "ge"], ["<=", "CMP", "le"], ["&&", "AND"], ["||", "OR"], ["..", ".."],
  [">", "CMP", "gt"], ["<", "CMP", "lt"], ["~", "CMP", "matches"], ["!", "NOT"],
  ["(", "("], [")", ")"], ["{", "{"], ["}", "}"], [",", ","],
  ["+", "MATH", "+"], ["-", "MATH", "-"], ["*", "MATH", "*"], ["/", "MATH", "/"], ["%", "MATH", "%"], ["&", "MATH", "&"],
];

// A word: field names, numbers, addresses, byte strings. Dots only between word
// characters, so "60..80" is three tokens.
const WORD_RE = /[A-Za-z0-9_:][A-Za-z0-9_:/-]*(?:\.[A-Za-z0-9_:/-]+)*/y;
// A leading dot marks a field name (".ip.src").
const DOTWORD_RE = /\.[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*/y;
// Byte strings after a ':' prefix (":aa:bb", ":01").
const ISBLANK = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";

const utf8 = new TextEncoder();

function unexpected(text: string, pos: number, len: number): FilterError {
  return new FilterError(`"${text}" was unexpected in this context.`, pos, len);
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (ISBLANK(c)) {
      i++;
      continue;
    }
    // slice: [ ... ]
    if (c === "[") {
      out.push({ kind: "[", text: "[", pos: i, len: 1 });
      i++;
      for (;;) {
        if (i >= n) throw new FilterError("The right bracket was missing from a slice.", n, 1);
        const d = src[i];
        if (d === "]") {
          out.push({ kind: "]", text: "]", pos: i, len: 1 });
          i++;
          break;
        }
        if (d === ",") {
          out.push({ kind: ",", text: ",", pos: i, len: 1 });
          i++;
          continue;
        }
        let j = i;
        while (j < n && src[j] !== "]" && src[j] !== ",") j++;
        out.push({ kind: "RANGE", text: src.slice(i, j), pos: i, len: j - i });
        i = j;
      }
      continue;
    }
    // layer: #N
    if (c === "#") {
      out.push({ kind: "#", text: "#", pos: i, len: 1 });
      i++;
      if (i >= n) throw new FilterError("The layer number or range was missing.", n, 1);
      let j = i;
      while (j < n && src[j] >= "0" && src[j] <= "9") j++;
      if (j === i) {
        if (src[i] === "[") continue;
        throw new FilterError(`Expected digit or "[", not "${src[i]}"`, i, 1);
      }
      out.push({ kind: "INDEX", text: src.slice(i, j), pos: i, len: j - i });
      i = j;
      continue;
    }
    // field references: ${ip.src} (tshark -Y has no selected packet: they have no value)
    if (c === "$") {
      if (src[i + 1] !== "{") {
        WORD_RE.lastIndex = i + 1;
        const m = WORD_RE.exec(src);
        if (m !== null) throw unexpected(m[0], i + 1, m[0].length);
        throw unexpected("$", i, 1);
      }
      const close = src.indexOf("}", i + 2);
      if (close < 0) throw new FilterError("end of filter in the middle of a macro expression");
      const name = src.slice(i + 2, close);
      if (!/^[A-Za-z0-9_.#-]+$/.test(name)) throw new FilterError("invalid character in macro name");
      out.push({ kind: "REF", text: name, pos: i + 2, len: name.length });
      i = close + 1;
      continue;
    }
    // strings: "..." and raw r"..."
    if (c === '"' || ((c === "r" || c === "R") && src[i + 1] === '"')) {
      const start = i;
      const raw = c !== '"';
      i += raw ? 2 : 1;
      const bytes: number[] = [];
      for (;;) {
        if (i >= n) throw new FilterError("The final quote was missing from a quoted string.", n, 1);
        const d = src[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\") {
          i = escape(src, i, bytes, raw);
          continue;
        }
        const cp = src.codePointAt(i)!;
        const s = String.fromCodePoint(cp);
        for (const b of utf8.encode(s)) bytes.push(b);
        i += s.length;
      }
      out.push({ kind: "STRING", text: src.slice(start, i), pos: start, len: i - start, bytes: Uint8Array.from(bytes), raw });
      continue;
    }
    // character constants: 'a', '\n', '\x41', '\101'
    if (c === "'") {
      const start = i;
      i++;
      let body = "";
      for (;;) {
        if (i >= n) throw new FilterError("The final quote was missing from a character constant.", n, 1);
        if (src[i] === "'") {
          i++;
          break;
        }
        if (src[i] === "\\" && i + 1 < n) {
          body += src.slice(i, i + 2);
          i += 2;
          continue;
        }
        body += src[i++];
      }
      const code = charConst(body);
      if (code === undefined) throw new FilterError(`${src.slice(start, i)} is not a valid character constant.`, start, i - start);
      out.push({ kind: "CHAR", text: src.slice(start, i), pos: start, len: i - start, code });
      continue;
    }
    // words and keywords
    WORD_RE.lastIndex = i;
    let m = WORD_RE.exec(src);
    if (m === null && c === ".") {
      DOTWORD_RE.lastIndex = i;
      m = DOTWORD_RE.exec(src);
    }
    if (m !== null) {
      const w = m[0];
      const kw = KEYWORDS[w];
      if (kw !== undefined) out.push({ kind: kw[0], text: w, pos: i, len: w.length, op: kw[1] });
      else out.push({ kind: "WORD", text: w, pos: i, len: w.length });
      i += w.length;
      continue;
    }
    let sym: [string, TokKind, string?] | undefined;
    for (const s of SYMBOLS) {
      if (src.startsWith(s[0], i)) {
        sym = s;
        break;
      }
    }
    if (sym !== undefined) {
      out.push({ kind: sym[1], text: sym[0], pos: i, len: sym[0].length, op: sym[2] });
      i += sym[0].length;
      continue;
    }
    const ch = String.fromCodePoint(src.codePointAt(i)!);
    throw unexpected(ch, i, ch.length);
  }
  out.push({ kind: "EOF", text: "", pos: n, len: 0 });
  return out;
}

/** Decode one backslash escape at src[i] (a '\\') into bytes; returns the next index. */
function escape(src: string, i: number, out: number[], raw: boolean): number {
  const n = src.length;
  if (i + 1 >= n) throw new FilterError("The final quote was missing from a quoted string.", n, 1);
  const e = src[i + 1];
  if (raw) {
    // raw strings keep backslashes; only \" and \\ are escapes (and stay as written)
    out.push(0x5c, e.charCodeAt(0));
    return i + 2;
  }
  let m: RegExpMatchArray | null;
  if ((m = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4))) !== null) {
    const v = parseInt(m[0], 8);
    if (v > 0xff) throw new FilterError(`\\${m[0]} is larger than 255.`, i, 1 + m[0].length);
    out.push(v);
    return i + 1 + m[0].length;
  }
  if (e === "x" && (m = /^[0-9A-Fa-f]{1,2}/.exec(src.slice(i + 2, i + 4))) !== null) {
    out.push(parseInt(m[0], 16));
    return i + 2 + m[0].length;
  }
  if ((e === "u" || e === "U") && (m = (e === "u" ? /^[0-9A-Fa-f]{4}/ : /^[0-9A-Fa-f]{8}/).exec(src.slice(i + 2))) !== null) {
    const cp = parseInt(m[0], 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new FilterError(`\\${e}${m[0]} is not a valid universal character name.`, i, 2 + m[0].length);
    for (const b of utf8.encode(String.fromCodePoint(cp))) out.push(b);
    return i + 2 + m[0].length;
  }
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 0x5c, '"': 0x22, "'": 0x27, "?": 0x3f };
  const v = simple[e];
  if (v === undefined) throw new FilterError(`\\${e} is not a valid character escape sequence`, i, 2);
  out.push(v);
  return i + 2;
}

function charConst(body: string): number | undefined {
  if (body.length === 1) return body.charCodeAt(0);
  if (body[0] !== "\\" || body.length < 2) return undefined;
  const e = body.slice(1);
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 0x5c, '"': 0x22, "'": 0x27, "?": 0x3f };
  if (e.length === 1 && simple[e] !== undefined) return simple[e];
  if (/^[0-7]{1,3}$/.test(e)) {
    const v = parseInt(e, 8);
    return v > 0xff ? undefined : v;
  }
  if (/^x[0-9A-Fa-f]{1,2}$/.test(e)) return parseInt(e.slice(1), 16);
  return undefined;
}
