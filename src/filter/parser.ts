/**
 * Display-filter parser: tokens → syntax tree (Wireshark 4.0 grammar).
 *
 *   expr    := and ( (or | ||) and )*
 *   and     := unary ( (and | &&) unary )*
 *   unary   := (not | !) unary | '(' expr ')' | test
 *   test    := [any|all] value [ relop value (relop value)* | [not] in set ]
 *   value   := bitand;  bitand := add ('&' add)*;  add := mul (('+'|'-') mul)*
 *   mul     := neg (('*'|'/'|'%') neg)*;  neg := '-' neg | atom
 *   atom    := WORD ['#' (INDEX | ranges)] [slice] | REF | STRING | CHAR | name '(' args ')' [slice] | '{' value '}' [slice]
 *   set     := '{' elem (',' elem)* '}';  elem := value ['..' value]
 *
 * Chained relations (a < b < c) mean (a < b and b < c), as in Wireshark 4.0.
 */
import { FilterError, tokenize, type Token } from "./lexer.js";

export type CmpOp = "any_eq" | "all_ne" | "all_eq" | "any_ne" | "gt" | "ge" | "lt" | "le" | "contains" | "matches";

export interface Span {
  pos: number;
  len: number;
}

/** A slice range: start and end (exclusive) relative offsets, null = open. */
export interface SliceRange {
  /** First byte (negative: from the end). */
  start: number;
  /** Number of bytes (null: to the end). */
  length: number | null;
  /** "i-j" form: j is an inclusive end offset (may be negative). */
  end?: number;
}

export type Expr =
  | ({ k: "word"; text: string } & Span)
  | ({ k: "string"; bytes: Uint8Array; text: string } & Span)
  /** ${field}: a reference to the selected packet's field (none in tshark -Y) */
  | ({ k: "ref"; name: string } & Span)
  | ({ k: "char"; code: number; text: string } & Span)
  | ({ k: "slice"; e: Expr; ranges: SliceRange[] } & Span)
  /** field#N, field#[ranges]: the field's occurrences in those layers of its protocol. */
  | ({ k: "layer"; e: Expr; ranges: SliceRange[] } & Span)
  | ({ k: "func"; name: string; args: Expr[]; namePos: number; nameLen: number } & Span)
  | ({ k: "arith"; op: string; a: Expr; b: Expr; opText: string; opPos: number } & Span)
  | ({ k: "neg"; a: Expr } & Span);

export interface SetElem {
  lo: Expr;
  hi: Expr | null;
}

export type Test =
  | ({ k: "or" | "and"; a: Test; b: Test } & Span)
  | ({ k: "not"; a: Test } & Span)
  | ({ k: "cmp"; op: CmpOp; opText: string; quant: "any" | "all" | null; a: Expr; b: Expr } & Span)
  | ({ k: "in"; neg: boolean; quant: "any" | "all" | null; a: Expr; set: SetElem[] } & Span)
  | ({ k: "exists"; e: Expr } & Span);

const END = "Unexpected end of filter expression.";

function unexpected(t: Token): FilterError {
  if (t.kind === "EOF") return new FilterError(END);
  return new FilterError(`"${t.text}" was unexpected in this context.`, t.pos, t.len);
}

export function spanOf(a: Span, b: Span): Span {
  const pos = Math.min(a.pos, b.pos);
  return { pos, len: Math.max(a.pos + a.len, b.pos + b.len) - pos };
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.toks[this.i];
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private expect(kind: Token["kind"]): Token {
    const t = this.peek();
    if (t.kind !== kind) throw unexpected(t);
    return this.next();
  }

  parse(): Test {
    if (this.peek().kind === "EOF") throw new FilterError(END);
    const t = this.expr();
    const end = this.peek();
    if (end.kind !== "EOF") throw unexpected(end);
    return t;
  }

  private expr(): Test {
    let a = this.and();
    while (this.peek().kind === "OR") {
      this.next();
      const b = this.and();
      a = { k: "or", a, b, ...spanOf(a, b) };
    }
    return a;
  }

  private and(): Test {
    let a = this.unary();
    while (this.peek().kind === "AND") {
      this.next();
      const b = this.unary();
      a = { k: "and", a, b, ...spanOf(a, b) };
    }
    return a;
  }

  private unary(): Test {
    const t = this.peek();
    if (t.kind === "NOT") {
      this.next();
      const a = this.unary();
      return { k: "not", a, ...spanOf(t, a) };
    }
    if (t.kind === "(") {
      this.next();
      const e = this.expr();
      const r = this.expect(")");
      return { ...e, ...spanOf(t, r) } as Test;
    }
    return this.test();
  }

  private test(): Test {
    let quant: "any" | "all" | null = null;
    const q = this.peek();
    if (q.kind === "ANY" || q.kind === "ALL") {
      this.next();
      quant = q.kind === "ANY" ? "any" : "all";
    }
    const a = this.value();
    const t = this.peek();
    if (t.kind === "IN" || (t.kind === "NOT" && this.peek(1).kind === "IN")) {
      // (tshark 4.0's grammar has no arithmetic before "in")
      if (a.k === "arith" || a.k === "neg") throw unexpected(t);
      const neg = t.kind === "NOT";
      this.next();
      if (neg) this.next();
      const { set, span } = this.set();
      return { k: "in", neg, quant, a, set, ...spanOf(a, span) };
    }
    if (t.kind !== "CMP") {
      if (quant !== null) throw unexpected(t);
      return { k: "exists", e: a, pos: a.pos, len: a.len };
    }
    let left = a;
    let result: Test | null = null;
    while (this.peek().kind === "CMP") {
      const opTok = this.next();
      const b = this.value();
      const c: Test = { k: "cmp", op: opTok.op as CmpOp, opText: opTok.text, quant, a: left, b, ...spanOf(left, b) };
      result = result === null ? c : { k: "and", a: result, b: c, ...spanOf(result, c) };
      left = b;
    }
    return result!;
  }

  private set(): { set: SetElem[]; span: Span } {
    const open = this.expect("{");
    const set: SetElem[] = [];
    for (;;) {
      const lo = this.value();
      let hi: Expr | null = null;
      if (this.peek().kind === "..") {
        this.next();
        hi = this.value();
      }
      set.push({ lo, hi });
      const t = this.peek();
      if (t.kind === ",") {
        this.next();
        continue;
      }
      if (t.kind === "}") {
        this.next();
        return { set, span: spanOf(open, t) };
      }
      throw unexpected(t);
    }
  }

  /** value := bitand */
  private value(): Expr {
    let a = this.add();
    while (this.peek().kind === "MATH" && this.peek().op === "&") {
      const op = this.next();
      const b = this.add();
      a = { k: "arith", op: "&", opText: op.text, opPos: op.pos, a, b, ...spanOf(a, b) };
    }
    return a;
  }

  private add(): Expr {
    let a = this.mul();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "MATH" || (t.op !== "+" && t.op !== "-")) return a;
      this.next();
      const b = this.mul();
      a = { k: "arith", op: t.op, opText: t.text, opPos: t.pos, a, b, ...spanOf(a, b) };
    }
  }

  private mul(): Expr {
    let a = this.neg();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "MATH" || (t.op !== "*" && t.op !== "/" && t.op !== "%")) return a;
      this.next();
      const b = this.neg();
      a = { k: "arith", op: t.op, opText: t.text, opPos: t.pos, a, b, ...spanOf(a, b) };
    }
  }

  private neg(): Expr {
    const t = this.peek();
    if (t.kind === "MATH" && t.op === "-") {
      this.next();
      const a = this.neg();
      return { k: "neg", a, ...spanOf(t, a) };
    }
    if (t.kind === "MATH" && t.op === "+") {
      this.next();
      return this.neg();
    }
    return this.atom();
  }

  private atom(): Expr {
    const t = this.next();
    let e: Expr;
    switch (t.kind) {
      case "WORD":
        if (this.peek().kind === "(") {
          e = this.call(t);
          break;
        }
        e = { k: "word", text: t.text, pos: t.pos, len: t.len };
        if (this.peek().kind === "#") {
          this.next();
          const idx = this.peek();
          if (idx.kind === "INDEX") {
            this.next();
            e = { k: "layer", e, ranges: [{ start: parseInt(idx.text, 10), length: 1 }], ...spanOf(e, idx) };
          } else if (idx.kind === "[") {
            const r = this.ranges();
            e = { k: "layer", e, ranges: r.ranges, ...spanOf(e, r.span) };
          } else throw unexpected(idx);
        }
        break;
      case "REF":
        e = { k: "ref", name: t.text, pos: t.pos, len: t.len };
        break;
      case "STRING":
        e = { k: "string", bytes: t.bytes!, text: t.text, pos: t.pos, len: t.len };
        break;
      case "CHAR":
        e = { k: "char", code: t.code!, text: t.text, pos: t.pos, len: t.len };
        break;
      case "{": {
        const inner = this.value();
        const r = this.expect("}");
        e = { ...inner, ...spanOf(t, r) } as Expr;
        break;
      }
      default:
        throw unexpected(t);
    }
    while (this.peek().kind === "[") e = this.slice(e);
    return e;
  }

  private call(name: Token): Expr {
    this.expect("(");
    const args: Expr[] = [];
    if (this.peek().kind !== ")") {
      for (;;) {
        args.push(this.value());
        if (this.peek().kind === ",") {
          this.next();
          continue;
        }
        break;
      }
    }
    const r = this.expect(")");
    return { k: "func", name: name.text, args, namePos: name.pos, nameLen: name.len, ...spanOf(name, r) };
  }

  private slice(e: Expr): Expr {
    const r = this.ranges();
    return { k: "slice", e, ranges: r.ranges, ...spanOf(e, r.span) };
  }

  /** '[' range (',' range)* ']' */
  private ranges(): { ranges: SliceRange[]; span: Span } {
    this.expect("[");
    const ranges: SliceRange[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind !== "RANGE") throw unexpected(t);
      ranges.push(parseRange(t));
      const s = this.next();
      if (s.kind === "]") return { ranges, span: s };
      if (s.kind !== ",") throw unexpected(s);
    }
  }
}

function parseInt10(s: string, t: Token, at: number): number {
  const x = s.trim();
  if (!/^[+-]?[0-9]+$/.test(x)) throw new FilterError(`"${x}" is not a valid number.`, t.pos + at + (s.length - s.trimStart().length), Math.max(1, x.length));
  return parseInt(x, 10);
}

/** "i:j" (start, length), "i-j" (start, inclusive end), "i:" (to the end), ":j", "i". */
function parseRange(t: Token): SliceRange {
  const s = t.text;
  const colon = s.indexOf(":");
  if (colon >= 0) {
    const a = s.slice(0, colon);
    const b = s.slice(colon + 1);
    const start = a.trim() === "" ? 0 : parseInt10(a, t, 0);
    if (b.trim() === "") return { start, length: null };
    const length = parseInt10(b, t, colon + 1);
    if (length < 0) throw new FilterError(`Range length ${length} cannot be negative.`, t.pos, t.len);
    return { start, length };
  }
  // "i-j": a minus that isn't the leading sign
  const m = /^(\s*[+-]?[0-9]+\s*)-(\s*[+-]?[0-9]+\s*)$/.exec(s);
  if (m !== null) {
    const start = parseInt10(m[1], t, 0);
    const end = parseInt10(m[2], t, m[1].length + 1);
    return { start, length: null, end };
  }
  const start = parseInt10(s, t, 0);
  return { start, length: 1 };
}

export function parse(text: string): Test {
  return new Parser(tokenize(text)).parse();
}
