/**
 * Display-filter compiler: syntax tree → a closure over field ids.
 *
 * Literals are converted once, here, by the type of the field on the other side
 * (literals.ts); per packet the closures only read recorded values (d.tree.get(field),
 * d.tree.layers(field) for `#`), protocol items' byte ranges and, for frame[...] /
 * frame contains, the frame bytes. Semantics follow Wireshark 4.0: `==` any occurrence
 * equal, `!=` all occurrences not equal (= !(a == b) when present), `===` all equal,
 * `!==`/`~=` any not equal; a missing field makes a comparison false; `matches` is
 * case-insensitive unless the pattern says (?-i); byte strings order shorter-first.
 *
 * Files: lexer.ts → parser.ts → compile.ts (tests) over operands.ts (values, slices,
 * layers, arithmetic), functions.ts, literals.ts, values.ts (comparisons), types.ts.
 */
import "../core/load.js";
import type { Dissection } from "../core/dissect.js";
import type { Field } from "../core/field.js";
import { FUNCTIONS } from "./functions.js";
import { FilterError } from "./lexer.js";
import { isLiteral, literalText } from "./literals.js";
import { ExprCompiler } from "./operands.js";
import { parse, type CmpOp, type Expr, type SetElem, type Test } from "./parser.js";
import { clsOf, err, FT_NAMES, typeName, utf8dec, type Cls, type Operand, type Pred } from "./types.js";
import { allPairs, anyPair, compatible, compileRegex, eqFn, indexOfBytes, latin1, ordFn, toBytes, type Eq, type Ord } from "./values.js";

export { FilterError };
export { parseIPv6 } from "./literals.js";

export interface CompiledFilter {
  /** Fields (and protocol fields) whose values the dissector must record (pass to new Dissector({ wanted })). */
  readonly fields: readonly Field[];
  /** Does this dissected frame match? Reads only recorded values (d.tree) and d.frame.data. */
  test(d: Dissection): boolean;
}

class Compiler extends ExprCompiler {
  test(t: Test): Pred {
    switch (t.k) {
      case "and": {
        const a = this.test(t.a);
        const b = this.test(t.b);
        return (d) => a(d) && b(d);
      }
      case "or": {
        const a = this.test(t.a);
        const b = this.test(t.b);
        return (d) => a(d) || b(d);
      }
      case "not": {
        const a = this.test(t.a);
        return (d) => !a(d);
      }
      case "exists":
        return this.exists(t.e);
      case "cmp":
        return this.cmp(t);
      case "in":
        return this.inSet(t);
    }
  }

  private exists(e: Expr): Pred {
    if (e.k === "func") {
      if (!FUNCTIONS.has(e.name.toLowerCase())) throw err(`Function '${e.name}' does not exist`, { pos: e.namePos, len: e.nameLen });
      throw err("You cannot test whether a function is present.", { pos: e.namePos, len: e.nameLen });
    }
    if (e.k === "ref") throw err(`${e.name} <${FT_NAMES[this.refField(e).type]}> is neither a field nor a protocol name.`, e);
    if (isLiteral(e)) throw err(`${literalText(e)} is neither a field nor a protocol name.`, e);
    const o = this.expr(e, null);
    if (o === null) throw err(`${literalText(e)} is neither a field nor a protocol name.`, e);
    return o.present;
  }

  private left(e: Expr, opText: string): Operand {
    const o = this.expr(e, null);
    if (o === null) {
      const txt = e.k === "word" || e.k === "string" || e.k === "char" ? literalText(e) : "a literal";
      throw err(`Left side of "${opText}" expression must be a field or function, not ${txt}.`, e);
    }
    return o;
  }

  private cmp(t: Extract<Test, { k: "cmp" }>): Pred {
    const a = this.left(t.a, t.opText);
    const op: CmpOp = t.op;
    const ca = clsOf(a.ftype, a.field);
    const cannot = () => err(`${a.name} (type=${typeName(a)}) cannot participate in ${t.opText} comparison.`, a);
    if (ca === "none") throw cannot();

    if (op === "matches") {
      if (ca !== "string" && ca !== "bytes") throw cannot();
      if (t.b.k !== "string") throw err("Matches requires a double quoted string on the right side.", t.b);
      const re = compileRegex(utf8dec.decode(t.b.bytes));
      const g = a.search ?? a.get;
      const all = t.quant === "all";
      const m = (v: unknown) => re.test(typeof v === "string" ? v : latin1(v as Uint8Array));
      return all ? (d) => { const L = g(d); return L.length > 0 && L.every(m); } : (d) => g(d).some(m);
    }

    if (op === "contains") {
      if (ca !== "string" && ca !== "bytes" && ca !== "ether") throw cannot();
      const b = this.expr(t.b, ca === "string" ? a : { ftype: "bytes", field: null, name: a.name });
      if (b === null) throw err(`${literalText(t.b)} is neither a field nor a protocol name.`, t.b);
        const g = a.search ?? a.get;
      const gb = b.get;
      const all = t.quant === "all";
      let f: Eq;
      if (ca === "string") f = (x, y) => (typeof y === "string" ? (x as string).includes(y) : (x as string).includes(utf8dec.decode(y)));
      else f = (x, y) => { const yb = toBytes(y, b.ftype); return yb !== null && indexOfBytes(x, yb) >= 0; };
      return all ? (d) => allPairs(g(d), gb(d), f) : (d) => anyPair(g(d), gb(d), f);
    }

    const b = this.expr(t.b, a);
    if (b === null) throw err(`${literalText(t.b)} is neither a field nor a protocol name.`, t.b);
    const cb = clsOf(b.ftype, b.field);
    if (!compatible(ca, cb)) throw err(`${a.name} and ${b.name} are not of compatible types.`, b);
    const cls = ca === "bytes" || cb === "bytes" ? "bytes" : ca;
    const eq = eqFn(cls);
    const ord = ordFn(cls);
    let f: Eq;
    let all: boolean;
    switch (op) {
      case "any_eq": f = eq; all = false; break;
      case "all_eq": f = eq; all = true; break;
      case "all_ne": f = (x, y) => !eq(x, y); all = true; break;
      case "any_ne": f = (x, y) => !eq(x, y); all = false; break;
      case "gt": f = (x, y) => ord(x, y) > 0; all = false; break;
      case "ge": f = (x, y) => ord(x, y) >= 0; all = false; break;
      case "lt": f = (x, y) => ord(x, y) < 0; all = false; break;
      case "le": f = (x, y) => ord(x, y) <= 0; all = false; break;
    }
    if (t.quant === "all") all = true;
    else if (t.quant === "any") all = false;
    const g = a.get;
    if (b.constant) {
      const c = b.get(null as unknown as Dissection)[0];
      if (all) return (d) => { const L = g(d); if (L.length === 0) return false; for (let i = 0; i < L.length; i++) if (!f(L[i], c)) return false; return true; };
      return (d) => { const L = g(d); for (let i = 0; i < L.length; i++) if (f(L[i], c)) return true; return false; };
    }
    const gb = b.get;
    return all ? (d) => allPairs(g(d), gb(d), f) : (d) => anyPair(g(d), gb(d), f);
  }

  private inSet(t: Extract<Test, { k: "in" }>): Pred {
    const e = t.a;
    if (e.k === "slice") throw new FilterError("Only a field may be tested for membership in a set.");
    if (e.k !== "word" && e.k !== "layer" || isLiteral(e))
      throw err("Only a field may be tested for membership in a set.", e.k === "func" ? { pos: e.namePos, len: e.nameLen } : e);
    const a = this.left(e, "in");
    const ca = clsOf(a.ftype, a.field);
    if (ca === "none") throw err(`${a.name} (type=${typeName(a)}) cannot participate in in comparison.`, a);
    const eq = eqFn(ca);
    const ord = ordFn(ca);
    const elems: ((v: unknown, d: Dissection) => boolean)[] = [];
    for (const el of t.set) elems.push(this.setElem(el, a, ca, eq, ord));
    const g = a.get;
    const member = (v: unknown, d: Dissection) => {
      for (let i = 0; i < elems.length; i++) if (elems[i](v, d)) return true;
      return false;
    };
    let p: Pred;
    if (t.quant === "all") p = (d) => { const L = g(d); if (L.length === 0) return false; for (const v of L) if (!member(v, d)) return false; return true; };
    else p = (d) => { const L = g(d); for (let i = 0; i < L.length; i++) if (member(L[i], d)) return true; return false; };
    return t.neg ? (d) => !p(d) : p;
  }

  private setElem(el: SetElem, a: Operand, ca: Cls, eq: Eq, ord: Ord): (v: unknown, d: Dissection) => boolean {
    const lo = this.expr(el.lo, a);
    if (lo === null) throw err(`${literalText(el.lo)} is neither a field nor a protocol name.`, el.lo);
    if (!compatible(ca, clsOf(lo.ftype, lo.field))) throw err(`${a.name} and ${lo.name} are not of compatible types.`, lo);
    if (el.hi === null) {
      if (lo.constant) {
        const c = lo.get(null as unknown as Dissection)[0];
        return (v) => eq(v, c);
      }
      const g = lo.get;
      return (v, d) => { for (const c of g(d)) if (eq(v, c)) return true; return false; };
    }
    const hi = this.expr(el.hi, a);
    if (hi === null) throw err(`${literalText(el.hi)} is neither a field nor a protocol name.`, el.hi);
    const gl = lo.get;
    const gh = hi.get;
    return (v, d) => {
      for (const l of gl(d)) for (const h of gh(d)) if (ord(v, l) >= 0 && ord(v, h) <= 0) return true;
      return false;
    };
  }
}

// ---------------------------------------------------------------- API

/** Compile a display filter (throws FilterError with the offending span). */
export function compileFilter(text: string): CompiledFilter {
  const ast = parse(text);
  const c = new Compiler();
  const test = c.test(ast);
  return { fields: [...c.wanted], test };
}

/** tshark-style error text: "nestcap: <message>" plus the filter and a caret line under the offending text. */
export function formatFilterError(text: string, e: FilterError): string {
  let s = `nestcap: ${e.message}`;
  if (e.pos >= 0) s += `\n    ${text}\n    ${" ".repeat(e.pos)}^${"~".repeat(Math.max(0, e.len - 1))}`;
  return s;
}
