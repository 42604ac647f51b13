/**
 * Display-filter functions (tshark 4.0): len, count, upper, lower, string, max, min, abs.
 */
import type { Field, FieldType, Time, Value } from "../core/field.js";
import { fieldText } from "../core/format.js";
import { literalText } from "./literals.js";
import type { ExprCompiler } from "./operands.js";
import type { Expr } from "./parser.js";
import { clsOf, EMPTY, err, FT_NAMES, typeName, type Getter, type Operand } from "./types.js";
import { absTime, ordFn } from "./values.js";

export const FUNCTIONS = new Set(["len", "count", "upper", "lower", "string", "max", "min", "abs"]);

export function compileFunc(c: ExprCompiler, e: Extract<Expr, { k: "func" }>): Operand {
  const name = e.name.toLowerCase();
  const nameSpan = { pos: e.namePos, len: e.nameLen };
  if (!FUNCTIONS.has(name)) throw err(`Function '${e.name}' does not exist`, nameSpan);
  const args = compileArgs(c, name, e.args);
  const want = (min: number, max: number) => {
    if (args.length < min) throw err(`Function ${name}() needs at least ${min} argument${min === 1 ? "" : "s"}.`, e);
    if (args.length > max) throw err(`Function ${name}() can accept at most ${max} argument${max === 1 ? "" : "s"}.`, e);
  };
  const mk = (ftype: FieldType, get: Getter): Operand => ({ ftype, field: null, name: `${name}()`, get, present: (d) => get(d).length > 0, constant: false, search: null, pos: e.pos, len: e.len });
  switch (name) {
    case "len": {
      want(1, 1);
      const a = args[0];
      const t = a.ftype;
      if (clsOf(t, a.field) !== "bytes" && t !== "ether" && t !== "ipv4" && t !== "ipv6" && t !== "string")
        throw err(`${a.name} (type=${typeName(a)}) cannot be used with len().`, a);
      const g = a.get;
      return mk("uint32", (d) => {
        const vals = g(d);
        if (vals.length === 0) return EMPTY;
        return vals.map((v) => (typeof v === "string" ? Buffer.byteLength(v, "utf8") : t === "ipv4" ? 4 : (v as Uint8Array).length));
      });
    }
    case "count": {
      want(1, 1);
      const a = args[0];
      const g = a.get;
      return mk("uint32", (d) => {
        const n = g(d).length;
        return n === 0 ? EMPTY : [n];
      });
    }
    case "upper":
    case "lower": {
      want(1, 1);
      const a = args[0];
      if (a.ftype !== "string") throw err(`Only string type fields can be used as parameter for ${name}()`, a);
      const g = a.get;
      const up = name === "upper";
      return mk("string", (d) => g(d).map((v) => (up ? (v as string).toUpperCase() : (v as string).toLowerCase())));
    }
    case "string": {
      want(1, 1);
      const a = args[0];
      const g = a.get;
      // tshark 4.0: integers in decimal whatever their base; addresses as printed; no bools, times or bytes
      const c = clsOf(a.ftype, a.field);
      if (c !== "int" && c !== "double" && c !== "ipv4" && c !== "ipv6" && c !== "ether" && c !== "string")
        throw err(`String conversion for field "${a.name}" is not supported`, a);
      if (c === "int" || c === "double") return mk("string", (d) => g(d).map((v) => String(v)));
      const f: Field = a.field ?? { abbrev: a.name, name: a.name, type: a.ftype, id: -1, shift: 0 };
      return mk("string", (d) => g(d).map((v) => fieldText(f, v as Value)));
    }
    case "abs": {
      want(1, 1);
      const a = args[0];
      const cls = clsOf(a.ftype, a.field);
      if (cls !== "int" && cls !== "double" && cls !== "reltime") throw err(`'${a.name}' is not a valid argument to 'abs'()`, a);
      const g = a.get;
      return mk(a.ftype, (d) => g(d).map((v) => (typeof v === "object" ? absTime(v as Time) : (v as number) < 0 ? -(v as number) : v)));
    }
    case "max":
    case "min": {
      want(1, Infinity);
      const t = args[0].ftype;
      for (const a of args)
        if (a.ftype !== t) throw err(`Arguments to '${name}' must have the same type (expected ${FT_NAMES[t]}, got ${FT_NAMES[a.ftype]})`, a);
      const ord = ordFn(clsOf(t, args[0].field));
      const gs = args.map((a) => a.get);
      const sign = name === "max" ? 1 : -1;
      return mk(t, (d) => {
        let best: unknown = undefined;
        for (const g of gs) for (const v of g(d)) if (best === undefined || sign * ord(v, best) > 0) best = v;
        return best === undefined ? EMPTY : [best];
      });
    }
  }
  throw err(`Function '${e.name}' does not exist`, nameSpan);
}

/** Compile a function's arguments; literals only where tshark 4.0 takes them (min/max, typed by the first argument). */
function compileArgs(c: ExprCompiler, name: string, args: readonly Expr[]): Operand[] {
  const out: Operand[] = [];
  for (const a of args) {
    const o = c.expr(a, null);
    if (o !== null) {
      out.push(o);
      continue;
    }
    if (name === "min" || name === "max") {
      if (out.length === 0 || a.k === "string") throw err(`Argument '${literalText(a)}' is not valid for ${name}()`, a);
      out.push(c.expr(a, out[0])!);
      continue;
    }
    if (name === "upper" || name === "lower") throw err(`Only string type fields can be used as parameter for ${name}()`, a);
    if (name === "abs") {
      if (a.k === "string") throw err("Type STRING is not valid for abs", a);
      if (a.k === "neg" || a.k === "arith") throw err("Constant arithmetic expression on the LHS is invalid.", a.k === "neg" ? a.a : a);
    }
    throw err(`Only fields can be used as parameter for ${name}()`, a);
  }
  return out;
}
