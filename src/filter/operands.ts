/**
 * Value expressions of a display filter → operands: fields (with the layer operator
 * `ip.src#2`), protocols as the bytes their item covers (`ip[9]`, `len(ip)`,
 * `tcp contains "GET"`), literals converted by the type on the other side, slices,
 * negation and arithmetic. Functions are in functions.ts.
 */
import type { Dissection } from "../core/dissect.js";
import { fieldByAbbrev, type Field } from "../core/field.js";
import { ProtocolItem } from "../core/tree.js";
import { compileFunc } from "./functions.js";
import { FilterError } from "./lexer.js";
import { convertLiteral, literalText, resolveField } from "./literals.js";
import type { Expr, SliceRange, Span } from "./parser.js";
import { clsOf, EMPTY, err, typeName, type Cls, type Getter, type Hint, type Operand, type Pred } from "./types.js";
import { binop, sliceMany, sliceOne, toBytes } from "./values.js";

/** A protocol item's own bytes (captured part), or null for a value recorded without a range. */
function itemBytes(v: unknown): Uint8Array | null {
  if (!(v instanceof ProtocolItem) || v.ds === null) return null;
  const end = Math.min(v.start + v.len, v.tvbEnd);
  return v.ds.data.subarray(v.start, Math.max(v.start, end));
}

/** What `contains`/`matches` search in a protocol: the captured bytes of the tvb its item was added on. */
function itemTvbBytes(v: unknown): Uint8Array | null {
  if (!(v instanceof ProtocolItem) || v.ds === null) return null;
  return v.ds.data.subarray(v.tvbStart, v.tvbEnd);
}

function mapBytes(vals: readonly unknown[], fn: (v: unknown) => Uint8Array | null): readonly unknown[] {
  if (vals.length === 0) return EMPTY;
  const out: Uint8Array[] = [];
  for (let i = 0; i < vals.length; i++) {
    const b = fn(vals[i]);
    if (b !== null) out.push(b);
  }
  return out;
}

/** Is layer `num` in the ranges (Wireshark 4.0 drange_contains_layer; `max` = highest layer of the field)? */
function inLayers(ranges: readonly SliceRange[], num: number, max: number): boolean {
  for (const r of ranges) {
    let lower = r.start;
    if (lower < 0) lower += max + 1;
    const upper = r.end !== undefined ? r.end : r.length === null ? Infinity : lower + r.length - 1;
    if (num >= lower && num <= upper) return true;
  }
  return false;
}

export class ExprCompiler {
  readonly wanted = new Set<Field>();

  fieldOperand(f: Field, s: Span, name: string, layers: readonly SliceRange[] | null = null): Operand {
    this.wanted.add(f);
    const isProto = f.type === "protocol";
    let raw: Getter;
    if (layers === null) raw = (d) => d.tree.get(f);
    else if (isProto) {
      raw = (d) => {
        const vals = d.tree.get(f);
        const n = vals.length;
        if (n === 0) return EMPTY;
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) if (inLayers(layers, i + 1, n)) out.push(vals[i]);
        return out;
      };
    } else {
      const dot = f.abbrev.indexOf(".");
      const p = dot > 0 ? fieldByAbbrev(f.abbrev.slice(0, dot)) : undefined;
      if (p !== undefined && p.type === "protocol") this.wanted.add(p);
      raw = (d) => {
        const vals = d.tree.get(f);
        if (vals.length === 0) return EMPTY;
        const nums = d.tree.layers(f);
        let max = 0;
        for (let i = 0; i < vals.length; i++) if ((nums[i] ?? 1) > max) max = nums[i] ?? 1;
        const out: unknown[] = [];
        for (let i = 0; i < vals.length; i++) if (inLayers(layers, nums[i] ?? 1, max)) out.push(vals[i]);
        return out;
      };
    }
    const present: Pred = layers === null ? (d) => d.tree.get(f).length > 0 : (d) => raw(d).length > 0;
    if (f.abbrev === "frame") {
      // frame: the frame's bytes (the frame protocol is always there, in layer 1)
      const get: Getter = layers === null || inLayers(layers, 1, 1) ? (d) => [d.frame.data] : () => EMPTY;
      const there = layers === null || inLayers(layers, 1, 1);
      return { ftype: f.type, field: f, name, get, present: () => there, constant: false, search: get, pos: s.pos, len: s.len };
    }
    if (isProto) {
      const get: Getter = (d) => mapBytes(raw(d), itemBytes);
      const search: Getter = (d) => mapBytes(raw(d), itemTvbBytes);
      return { ftype: f.type, field: f, name, get, present, constant: false, search, pos: s.pos, len: s.len };
    }
    return { ftype: f.type, field: f, name, get: raw, present, constant: false, search: null, pos: s.pos, len: s.len };
  }

  constOperand(v: unknown, h: Hint, s: Span): Operand {
    const arr = Object.freeze([v]);
    return { ftype: h.ftype, field: h.field, name: h.name, get: () => arr, present: () => true, constant: true, search: null, pos: s.pos, len: s.len };
  }

  /** Compile a value expression; literals need a type hint (the other side). */
  expr(e: Expr, hint: Hint | null): Operand | null {
    switch (e.k) {
      case "word": {
        const f = resolveField(e.text);
        if (f !== undefined) return this.fieldOperand(f, e, f.abbrev);
        if (hint === null) return null;
        return this.constOperand(convertLiteral(e, hint), hint, e);
      }
      case "string":
      case "char":
        if (hint === null) return null;
        return this.constOperand(convertLiteral(e, hint), hint, e);
      case "ref":
        return this.ref(e);
      case "layer": {
        if (e.e.k !== "word") throw err(`The layer operator (#) applies to a field.`, e);
        const f = resolveField(e.e.text);
        if (f === undefined) throw err(`${e.e.text} is neither a field nor a protocol name.`, e.e);
        return this.fieldOperand(f, e, f.abbrev, e.ranges);
      }
      case "slice":
        return this.slice(e);
      case "func":
        return compileFunc(this, e);
      case "neg":
        return this.neg(e, hint);
      case "arith":
        return this.arith(e, hint);
    }
  }


  /** The field of a ${field} reference (a protocol or unknown name is a macro, which tshark lacks). */
  refField(e: Extract<Expr, { k: "ref" }>): Field {
    const hash = e.name.indexOf("#");
    const f = resolveField(hash < 0 ? e.name : e.name.slice(0, hash));
    if (f === undefined || f.type === "protocol") throw new FilterError(`macro '${e.name}' does not exist`);
    return f;
  }

  /** ${field}: tshark -Y has no selected packet, so a reference has no values. */
  private ref(e: Extract<Expr, { k: "ref" }>): Operand {
    const f = this.refField(e);
    return { ftype: f.type, field: f, name: f.abbrev, get: () => EMPTY, present: () => false, constant: false, search: null, pos: e.pos, len: e.len };
  }

  private slice(e: Extract<Expr, { k: "slice" }>): Operand {
    const inner = this.expr(e.e, null);
    if (inner === null) throw err(`Range is not supported on "${literalText(e.e)}".`, e.e);
    const t = inner.ftype;
    if (t !== "bytes" && t !== "ether" && t !== "ipv6" && t !== "ipv4" && t !== "string" && t !== "protocol")
      throw err(`"${inner.name}" is a ${typeName(inner)} and cannot be sliced into a sequence of bytes.`, inner);
    const ranges = e.ranges;
    const src = inner.get;
    const single = ranges.length === 1 ? ranges[0] : null;
    const get: Getter = (d) => {
      const vals = src(d);
      if (vals.length === 0) return EMPTY;
      const out: Uint8Array[] = [];
      for (const v of vals) {
        const b = toBytes(v, t);
        if (b === null) continue;
        const r = single !== null ? sliceOne(b, single) : sliceMany(b, ranges);
        if (r !== null) out.push(r);
      }
      return out;
    };
    return { ftype: "bytes", field: null, name: inner.name, get, present: (d) => get(d).length > 0, constant: false, search: null, pos: e.pos, len: e.len };
  }

  private neg(e: Extract<Expr, { k: "neg" }>, hint: Hint | null): Operand | null {
    const a = this.expr(e.a, hint);
    if (a === null) return null;
    const c = clsOf(a.ftype, a.field);
    if (c !== "int" && c !== "double" && c !== "reltime") throw err(`${typeName(a)} cannot be negated.`, e);
    const g = a.get;
    const get: Getter = (d) => g(d).map((v) => (typeof v === "object" && v !== null ? { s: -(v as { s: number }).s, ns: -(v as { ns: number }).ns } : -(v as number)));
    if (a.constant) return this.constOperand(get(null as unknown as Dissection)[0], a, e);
    return { ...a, field: null, get, present: (d) => g(d).length > 0, constant: false, search: null, pos: e.pos, len: e.len };
  }

  private arith(e: Extract<Expr, { k: "arith" }>, hint: Hint | null): Operand | null {
    let a = this.expr(e.a, null);
    let b: Operand | null;
    if (a === null) {
      b = this.expr(e.b, hint);
      if (b === null) return null;
      a = this.expr(e.a, b);
    } else {
      b = this.expr(e.b, a);
    }
    if (a === null || b === null) return null;
    const ca = clsOf(a.ftype, a.field);
    const cb = clsOf(b.ftype, b.field);
    const numeric = (c: Cls) => c === "int" || c === "double";
    if (e.op === "&" && (ca === "bytes" || ca === "ether") && (cb === "bytes" || cb === "ether")) return this.bytesAnd(e, a, b);
    if (!numeric(ca)) throw err(`${a.name} (type=${typeName(a)}) cannot participate in arithmetic.`, a);
    if (!numeric(cb)) throw err(`${b.name} (type=${typeName(b)}) cannot participate in arithmetic.`, b);
    const intDiv = ca === "int" && cb === "int";
    const op = e.op;
    const ga = a.get;
    const gb = b.get;
    const get: Getter = (d) => {
      const L = ga(d);
      const R = gb(d);
      if (L.length === 0 || R.length === 0) return EMPTY;
      const out: unknown[] = [];
      for (const x of L) for (const y of R) {
        const r = binop(op, x as number | bigint, y as number | bigint, intDiv);
        if (r !== null) out.push(r);
      }
      return out;
    };
    const res: Operand = { ftype: a.ftype, field: null, name: a.name, get, present: (d) => get(d).length > 0, constant: false, search: null, pos: e.pos, len: e.len };
    if (a.constant && b.constant) {
      const v = get(null as unknown as Dissection);
      if (v.length === 0) throw err(`Division by zero.`, e);
      return this.constOperand(v[0], a, e);
    }
    if (op === "&") {
      // a bare `x & mask` test means "some (x & mask) is non-zero"
      res.present = (d) => {
        for (const v of get(d)) if (v != 0) return true;
        return false;
      };
    }
    return res;
  }

  /** bytes & bytes: byte-wise AND over the shorter length; as a test, "some byte non-zero". */
  private bytesAnd(e: Span, a: Operand, b: Operand): Operand {
    const ga = a.get;
    const gb = b.get;
    const get: Getter = (d) => {
      const L = ga(d);
      const R = gb(d);
      if (L.length === 0 || R.length === 0) return EMPTY;
      const out: Uint8Array[] = [];
      for (const x of L as Uint8Array[]) for (const y of R as Uint8Array[]) {
        const n = Math.min(x.length, y.length);
        const r = new Uint8Array(n);
        for (let i = 0; i < n; i++) r[i] = x[i] & y[i];
        out.push(r);
      }
      return out;
    };
    const present: Pred = (d) => {
      for (const v of get(d) as Uint8Array[]) if (v.some((x) => x !== 0)) return true;
      return false;
    };
    return { ftype: "bytes", field: null, name: a.name, get, present, constant: false, search: null, pos: e.pos, len: e.len };
  }
}
