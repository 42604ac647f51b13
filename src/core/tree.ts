/**
 * The protocol tree. In "full" mode every item is kept (for -V, -x highlight, JSON,
 * --layers). In "sparse" mode nothing is kept except the values of *wanted* fields
 * (the -e list, the filter's fields): `add` is then one array lookup and a return.
 */
import { bitsOf, fieldByAbbrev, registerField, type Field, type Value } from "./field.js";
import { anyCache, NO_SLOTS, wantedSlots, type Slots } from "./slots.js";
import { bitmaskSuffix, valueDisplay } from "./format.js";
import type { DataSource, Tvb } from "./tvb.js";
import { cutUtf8, fitText, LABEL_MAX, utf8Length } from "./label.js";
import { GROUP_NAMES, GROUP_VALUES, SEVERITY_NAMES, SEVERITY_VALUES, type Expert, type ExpertGroup, type Severity } from "./expert.js";

/**
 * Wireshark's expert fields, filled from every expert note (for -e and filters:
 * `-e _ws.expert.message`, `-Y '_ws.expert.severity >= 0x600000'`). _ws.expert's value is
 * the note's label, which is what tshark -T fields prints for it.
 */
const WS_EXPERT = registerField({ abbrev: "_ws.expert", name: "Expert Info", type: "string" });
const WS_EXPERT_MESSAGE = registerField({ abbrev: "_ws.expert.message", name: "Message", type: "string" });
const WS_EXPERT_SEVERITY = registerField({
  abbrev: "_ws.expert.severity", name: "Severity level", type: "uint32",
  strings: Object.fromEntries(Object.entries(SEVERITY_VALUES).map(([k, v]) => [v, SEVERITY_NAMES[k as Severity]])),
});
const WS_EXPERT_GROUP = registerField({
  abbrev: "_ws.expert.group", name: "Group", type: "uint32",
  strings: Object.fromEntries(Object.entries(GROUP_VALUES).map(([k, v]) => [v, GROUP_NAMES[k as ExpertGroup]])),
});

function wanted(t: Tree, f: Field): boolean {
  return t.wanted !== null && f.id < t.wanted.length && t.wanted[f.id] === 1;
}

let wsMalformed: Field | undefined;

function recordExpert(t: Tree, e: Expert): void {
  if (e.group === "malformed") {
    // expert.c: a hidden _ws.malformed protocol item (no label) in the note's subtree
    wsMalformed ??= fieldByAbbrev("_ws.malformed");
    if (wsMalformed !== undefined && wanted(t, wsMalformed)) t.record(wsMalformed, new Item(t, wsMalformed, null, 0, 0, null) as unknown as Value);
  }
  // the note's label, cut at Wireshark's label length as -V cuts it
  if (wanted(t, WS_EXPERT)) t.record(WS_EXPERT, fitText(`Expert Info (${SEVERITY_NAMES[e.severity]}/${GROUP_NAMES[e.group]}): ${e.message}`));
  if (wanted(t, WS_EXPERT_MESSAGE)) t.record(WS_EXPERT_MESSAGE, e.message);
  if (wanted(t, WS_EXPERT_SEVERITY)) t.record(WS_EXPERT_SEVERITY, SEVERITY_VALUES[e.severity]);
  if (wanted(t, WS_EXPERT_GROUP)) t.record(WS_EXPERT_GROUP, GROUP_VALUES[e.group]);
  if (e.abbrev !== undefined) {
    // the note's own field (http.chat, ip.bogus_ip_length…): present, FT_NONE
    const f = fieldByAbbrev(e.abbrev);
    if (f !== undefined && wanted(t, f)) t.record(f, null);
  }
}

/**
 * A protocol's item stops where the captured bytes do, as Wireshark's does: a header that
 * says it is longer than what is there (IP's IHL, TCP's data offset, a UDP length of 8 with 4
 * bytes) gives an item over the bytes there are (-T pdml's size, -T json -x's length).
 */
function endWithCaptured(it: Item): void {
  const ds = it.ds;
  if (ds !== null && it.start + it.len > ds.data.length) it.len = Math.max(0, ds.data.length - it.start);
}

export class Item {
  children: Item[] | null = null;
  experts: Expert[] | null = null;
  /** Explicit label (replaces "Name: value"). */
  text: string | null = null;
  /** Appended to the label (e.g. ", Src: 10.0.0.1"). */
  suffix: string | null = null;
  /** Display string of the value, when the dissector has a better one than the generic format. */
  display: string | null = null;
  generated = false;
  hidden = false;

  constructor(
    readonly tree: Tree,
    readonly field: Field | null,
    public ds: DataSource | null,
    /** Absolute offset within ds. */
    public start: number,
    public len: number,
    public value: Value,
  ) {}

  /** Add a field item under this one; returns it (or the sink in sparse mode). */
  add(f: Field, tvb: Tvb, o: number, len: number, value: Value, display?: string): Item {
    const t = this.tree;
    if (t.wanted !== null && f.id < t.wanted.length && t.wanted[f.id] === 1) {
      // a wanted protocol records its item (byte range; setLen still applies), kept even in sparse mode
      if (f.type === "protocol") return t.recordProtocol(this, f, tvb, o, len, display);
      t.record(f, value);
    }
    if (!t.full) return t.sink;
    const it = new Item(t, f, tvb.ds, tvb.off + o, len, value);
    if (f.type === "protocol") endWithCaptured(it);
    if (display !== undefined) it.display = display;
    if (this.children === null) this.children = [];
    this.children.push(it);
    return it;
  }

  /**
   * Wireshark's proto_tree_add_bitmask: a flags item for `raw` whose label names its set
   * flags and named values (bitmaskSuffix), then one item per bit field over the same bytes.
   */
  addBitmask(hdr: Field, tvb: Tvb, o: number, len: number, raw: number, bits: readonly Field[]): Item {
    const it = this.add(hdr, tvb, o, len, raw, this.tree.full ? valueDisplay(hdr, raw) + bitmaskSuffix(raw, bits) : undefined);
    for (const b of bits) {
      const v = bitsOf(b, raw);
      it.add(b, tvb, o, len, b.type === "bool" ? v !== 0 : v);
    }
    return it;
  }

  /** A generated field (shown in [brackets]), with no bytes of its own. */
  addGenerated(f: Field, tvb: Tvb, o: number, len: number, value: Value, display?: string): Item {
    const it = this.add(f, tvb, o, len, value, display);
    it.generated = true;
    return it;
  }

  /** A text-only item (no field). */
  addText(tvb: Tvb | null, o: number, len: number, text: string): Item {
    const t = this.tree;
    if (!t.full) return t.sink;
    const it = new Item(t, null, tvb ? tvb.ds : null, tvb ? tvb.off + o : 0, len, null);
    it.text = text;
    if (this.children === null) this.children = [];
    this.children.push(it);
    return it;
  }

  setText(s: string): this {
    if (this !== this.tree.sink) this.text = s;
    return this;
  }

  /** Hide the item (proto_item_set_hidden): kept for filters and -T json, not shown by -V. Never the shared sink. */
  hide(): this {
    if (this !== this.tree.sink) this.hidden = true;
    return this;
  }

  appendText(s: string): this {
    if (this !== this.tree.sink) this.suffix = this.suffix === null ? s : this.suffix + s;
    return this;
  }

  /**
   * An item Wireshark adds without a tvb (NULL, 0, 0: tcp.completeness): no data source, at
   * offset 0 (-T json -x writes no bytes for it and position 0).
   */
  detach(): this {
    if (this !== this.tree.sink) {
      this.ds = null;
      this.start = 0;
      this.len = 0;
    }
    return this;
  }

  /** Set the byte length once known (protocol items whose header length is computed). */
  setLen(len: number): this {
    if (this !== this.tree.sink) {
      this.len = len;
      if (this.field !== null && this.field.type === "protocol") endWithCaptured(this);
    }
    return this;
  }

  /**
   * Attach expert info. Always counted, even in sparse mode.
   * `abbrev`: the expert's own field name in Wireshark ("tcp.analysis.retransmission",
   * "ip.bogus_ip_length"), shown as its key under "_ws.expert" in -T json.
   */
  expert(severity: Severity, group: ExpertGroup, message: string, protocol = "", abbrev?: string): this {
    // tshark formats a note's message into a label-sized buffer: every output shows it cut there
    if (message.length >= 80 && utf8Length(message) > LABEL_MAX) message = cutUtf8(message, LABEL_MAX);
    const e: Expert = { severity, group, message, protocol, frame: this.tree.frameNum };
    if (abbrev !== undefined) e.abbrev = abbrev;
    // where the note sits among the item's children (printers show it there, as Wireshark does)
    if (this.children !== null) e.at = this.children.length;
    this.tree.experts.push(e);
    if (this.tree.wanted !== null) recordExpert(this.tree, e);
    if (this !== this.tree.sink) {
      if (this.experts === null) this.experts = [];
      this.experts.push(e);
    }
    return this;
  }
}

export class Tree {
  readonly root: Item;
  readonly sink: Item;
  /** Values recorded for wanted fields, by slot (see wantedSlots), in occurrence order. */
  private readonly values: (Value[] | undefined)[];
  /** Per slot, for each recorded value, how many values of its protocol were recorded before (its layer), when that protocol is wanted. */
  private readonly layerNums: (number[] | undefined)[];
  private readonly s: Slots | null;
  /** Values of fields outside the wanted map (trees built by hand in tests and tools), by field id. */
  private extra: Map<number, Value[]> | null = null;
  readonly experts: Expert[] = [];
  frameNum = 0;

  constructor(
    /** Keep every item (for -V, -x, JSON). */
    readonly full: boolean,
    /** 1 at the ids of fields whose values must be recorded; null when none. */
    readonly wanted: Uint8Array | null = null,
  ) {
    this.root = new Item(this, null, null, 0, 0, null);
    this.sink = new Item(this, null, null, 0, 0, null);
    if (wanted === null) {
      // nothing is recorded by slot: share one empty array (no allocation per packet)
      this.s = null;
      this.values = NO_SLOTS as unknown as (Value[] | undefined)[];
      this.layerNums = NO_SLOTS as unknown as (number[] | undefined)[];
    } else {
      this.s = wantedSlots(wanted);
      this.values = new Array<Value[] | undefined>(this.s.count).fill(undefined);
      this.layerNums = new Array<number[] | undefined>(this.s.count).fill(undefined);
    }
  }

  /**
   * Would tshark build a tree for this packet? It does for -V, JSON, -T fields and any filter,
   * not for a plain summary; checks that only its item-adding code makes (an item's length must
   * fit the data) then throw only when this is true.
   */
  get built(): boolean {
    return this.full || this.wanted !== null;
  }

  /** Will an item for f be kept or recorded? Lets a dissector skip computing a costly value. */
  wants(f: Field): boolean {
    return this.full || (this.wanted !== null && f.id < this.wanted.length && this.wanted[f.id] === 1);
  }

  /**
   * Will an item of any of `fs` be kept or recorded? For a dissector that can skip a whole
   * group of items; the answer for a field list and a wanted map is worked out once.
   */
  wantsAny(fs: readonly Field[]): boolean {
    if (this.full) return true;
    const w = this.wanted;
    if (w === null) return false;
    let byMap = anyCache.get(fs);
    if (byMap === undefined) anyCache.set(fs, (byMap = new WeakMap()));
    let r = byMap.get(w);
    if (r === undefined) {
      r = fs.some((f) => f.id < w.length && w[f.id] === 1);
      byMap.set(w, r);
    }
    return r;
  }

  record(f: Field, v: Value): void {
    const s = this.s;
    if (s === null || f.id >= s.slots.length || s.slots[f.id] === 0) {
      if (this.extra === null) this.extra = new Map();
      const l = this.extra.get(f.id);
      if (l === undefined) this.extra.set(f.id, [v]);
      else l.push(v);
      return;
    }
    const k = s.slots[f.id] - 1;
    let arr = this.values[k];
    const ins = this.ins;
    if (ins !== null && arr !== undefined && ins[k] < arr.length) {
      this.insert(k, arr, ins[k]++, v);
      return;
    }
    if (ins !== null) ins[k]++;
    if (arr === undefined) arr = this.values[k] = [v];
    else arr.push(v);
    // layer numbers (filters' "ip.src#2"): only when the field's protocol is recorded too
    const p = s.protoSlot[k];
    if (p >= 0) {
      let l = this.layerNums[k];
      if (l === undefined) l = this.layerNums[k] = [];
      // in step with arr (also when values began before the protocol was wanted)
      if (l.length !== arr.length - 1) l.length = arr.length - 1;
      l.push(this.values[p]?.length ?? 0);
    }
  }

  /** record() in insertion mode: v goes at index `at` of the slot's values. */
  private insert(k: number, arr: Value[], at: number, v: Value): void {
    const p = this.s!.protoSlot[k];
    if (p >= 0) {
      let l = this.layerNums[k];
      if (l === undefined) l = this.layerNums[k] = [];
      if (l.length !== arr.length) l.length = arr.length;
      l.splice(at, 0, this.values[p]?.length ?? 0);
    }
    arr.splice(at, 0, v);
  }

  /** Insertion points (see mark/insertAt), advanced as values go in. */
  private ins: Int32Array | null = null;

  /**
   * Where the values recorded so far end, per wanted field. With insertAt(mark), values
   * recorded later go there instead of at the end: a dissector that adds items to its
   * own subtree after its payload was dissected (Ethernet's trailer) keeps tree order,
   * which is the order tshark -T fields prints occurrences in. null without wanted fields.
   */
  mark(): Int32Array | null {
    const s = this.s;
    if (s === null) return null;
    const m = new Int32Array(s.count);
    for (let k = 0; k < s.count; k++) m[k] = this.values[k]?.length ?? 0;
    return m;
  }

  /** Record at the mark's positions from now on (null: at the end again). */
  insertAt(m: Int32Array | null): void {
    this.ins = m;
  }

  /**
   * A wanted protocol field: the value recorded is its ProtocolItem (the byte range it
   * covers, as a display filter reads it: `tcp contains "GET"`, `ip[9]`, `len(ip)`).
   */
  recordProtocol(parent: Item, f: Field, tvb: Tvb, o: number, len: number, display?: string): Item {
    const it = new ProtocolItem(this, f, tvb, o, len);
    if (display !== undefined) it.display = display;
    this.record(f, it as unknown as Value);
    if (this.full) {
      if (parent.children === null) parent.children = [];
      parent.children.push(it);
    }
    return it;
  }

  /**
   * Layer number of each recorded value of f (1 = in the first layer of f's protocol),
   * when f's protocol was wanted too; empty otherwise. For a protocol field: 1, 2, 3…
   */
  layers(f: Field): readonly number[] {
    const s = this.s;
    if (s === null || f.id >= s.slots.length || s.slots[f.id] === 0) return EMPTY_NUMS;
    return this.layerNums[s.slots[f.id] - 1] ?? EMPTY_NUMS;
  }

  /** The recorded values of a field (wanted fields only). */
  get(f: Field): readonly Value[] {
    const s = this.s;
    if (s === null || f.id >= s.slots.length || s.slots[f.id] === 0) return this.extra?.get(f.id) ?? EMPTY;
    return this.values[s.slots[f.id] - 1] ?? EMPTY;
  }
}

const EMPTY: readonly Value[] = Object.freeze([]);
const EMPTY_NUMS: readonly number[] = Object.freeze([]);

/**
 * The item of a wanted protocol field. `start`/`len` are its own bytes (len as finally
 * set); tvbStart/tvbEnd bound the captured bytes of the tvb it was added on (what
 * Wireshark's `contains`/`matches` search on a protocol).
 */
export class ProtocolItem extends Item {
  readonly tvbStart: number;
  readonly tvbEnd: number;
  constructor(tree: Tree, f: Field, tvb: Tvb, o: number, len: number) {
    super(tree, f, tvb.ds, tvb.off + o, len, null);
    this.tvbStart = tvb.off;
    this.tvbEnd = tvb.end;
  }
}

/** Walk a full tree depth-first. */
export function* walk(item: Item): Generator<Item> {
  if (item.children === null) return;
  for (const c of item.children) {
    yield c;
    yield* walk(c);
  }
}
