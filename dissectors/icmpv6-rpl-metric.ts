/**
 * The DAG metric container of RPL's options (RFC 6551) as tshark 4.0 shows it: each metric's
 * type, flags and length, then its objects. Its fields are part of icmpv6-rpl.ts's list
 * (registered by icmpv6.ts) and bound by it.
 */
import type { Field, FieldSpec } from "../src/core/field.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";

const METRICS: Record<number, string> = {
  1: "Node State and Attribute", 2: "Node Energy", 3: "Hop Count", 4: "Link Throughput", 5: "Link Latency",
  6: "Link Quality Level", 7: "Link ETX", 8: "Link Color",
};

/** The metric container's fields, in registration order (part of RPL_FIELDS). */
export const METRIC_FIELDS = {
  metricType: { abbrev: "icmpv6.rpl.opt.metric.type", name: "Routing Metric/Constraint Type", type: "uint8", strings: METRICS },
  metricFlags: { abbrev: "icmpv6.rpl.opt.metric.flags", name: "Flags", type: "uint16", base: "hex" },
  metricReserved: { abbrev: "icmpv6.rpl.opt.metric.reserved", name: "Reserved Flags", type: "uint16", base: "hex", bits: 16, bitmask: 0xf800 },
  metricFlagP: { abbrev: "icmpv6.rpl.opt.metric.flag.p", name: "Flag P", type: "bool", bits: 16, bitmask: 0x400 },
  metricFlagC: { abbrev: "icmpv6.rpl.opt.metric.flag.c", name: "Flag C", type: "bool", bits: 16, bitmask: 0x200 },
  metricFlagO: { abbrev: "icmpv6.rpl.opt.metric.flag.o", name: "Flag O", type: "bool", bits: 16, bitmask: 0x100 },
  metricFlagR: { abbrev: "icmpv6.rpl.opt.metric.flag.r", name: "Flag R", type: "bool", bits: 16, bitmask: 0x80 },
  metricFlagA: { abbrev: "icmpv6.rpl.opt.metric.flag.a", name: "A Field", type: "uint16", base: "hex", bits: 16, bitmask: 0x70 },
  metricPrec: { abbrev: "icmpv6.rpl.opt.metric.prec", name: "Precedence field", type: "uint16", base: "hex", bits: 16, bitmask: 0x0f },
  metricLength: { abbrev: "icmpv6.rpl.opt.metric.length", name: "Metric Length", type: "uint8" },
  nsaObject: { abbrev: "icmpv6.rpl.opt.metric.nsa.object", name: "Node State and Attribute Object", type: "uint16", base: "hex" },
  nsaReserved: { abbrev: "icmpv6.rpl.opt.metric.nsa.object.reserved", name: "Reserved field", type: "uint16", base: "hex", bits: 16, bitmask: 0xff00 },
  nsaFlags: { abbrev: "icmpv6.rpl.opt.metric.nsa.object.flags", name: "Flags", type: "uint16", base: "hex", bits: 16, bitmask: 0xfc },
  nsaFlagA: { abbrev: "icmpv6.rpl.opt.metric.nsa.object.flag.a", name: "Flag A", type: "bool", bits: 16, bitmask: 0x2 },
  nsaFlagO: { abbrev: "icmpv6.rpl.opt.metric.nsa.object.flag.o", name: "Flag O", type: "bool", bits: 16, bitmask: 0x1 },
  nsaTlv: { abbrev: "icmpv6.rpl.opt.metric.nsa.object.opttlv.object", name: "Node State and Attribute Optional TLV", type: "uint8" },
  nsaTlvType: { abbrev: "icmpv6.rpl.opt.metric.nsa.object.opttlv.object.type", name: "Node State and Attribute Optional TLV Type", type: "uint8" },
  nsaTlvLength: { abbrev: "icmpv6.rpl.opt.metric.nsa.object.opttlv.object.length", name: "Node State and Attribute Optional TLV Length", type: "uint8" },
  nsaTlvData: { abbrev: "icmpv6.rpl.opt.metric.nsa.object.opttlv.object.data", name: "Raw Data", type: "bytes" },
  neObject: { abbrev: "icmpv6.rpl.opt.metric.ne.object", name: "Node Energy Object", type: "uint16", base: "hex" },
  neFlags: { abbrev: "icmpv6.rpl.opt.metric.ne.object.flags", name: "Flags field", type: "uint16", base: "hex", bits: 16, bitmask: 0xf000 },
  neFlagI: { abbrev: "icmpv6.rpl.opt.metric.ne.object.flag.i", name: "Flag I", type: "bool", bits: 16, bitmask: 0x800 },
  neType: { abbrev: "icmpv6.rpl.opt.metric.ne.object.type", name: "Type", type: "uint16", base: "hex", bits: 16, bitmask: 0x600 },
  neFlagE: { abbrev: "icmpv6.rpl.opt.metric.ne.object.flag.e", name: "Flag E", type: "bool", bits: 16, bitmask: 0x100 },
  neEnergy: { abbrev: "icmpv6.rpl.opt.metric.ne.object.energy", name: "Energy", type: "uint16", base: "hex", bits: 16, bitmask: 0xff },
  hpObject: { abbrev: "icmpv6.rpl.opt.metric.hp.object", name: "Hop Count Object", type: "uint16", base: "hex" },
  hpReserved: { abbrev: "icmpv6.rpl.opt.metric.hp.object.reserved", name: "Reserved field", type: "uint16", base: "hex", bits: 16, bitmask: 0xf000 },
  hpFlags: { abbrev: "icmpv6.rpl.opt.metric.hp.object.flags", name: "Flags", type: "uint16", base: "hex", bits: 16, bitmask: 0xf00 },
  hpHp: { abbrev: "icmpv6.rpl.opt.metric.hp.object.hp", name: "Hop Count", type: "uint16", bits: 16, bitmask: 0xff },
  lt: { abbrev: "icmpv6.rpl.opt.metric.lt.object.lt", name: "Link Throughput", type: "uint32" },
  ll: { abbrev: "icmpv6.rpl.opt.metric.ll.object.ll", name: "Link Latency", type: "uint32" },
  lqlObject: { abbrev: "icmpv6.rpl.opt.metric.lql.object", name: "Link Quality Level Object", type: "uint8", base: "hex" },
  lqlRes: { abbrev: "icmpv6.rpl.opt.metric.lql.object.res", name: "Reserved field", type: "uint8", base: "hex", bits: 8, bitmask: 0xff },
  lqlVal: { abbrev: "icmpv6.rpl.opt.metric.lql.object.val", name: "Val(ue)", type: "uint8", base: "hex", bits: 8, bitmask: 0xe0 },
  lqlCounter: { abbrev: "icmpv6.rpl.opt.metric.lql.object.counter", name: "Counter", type: "uint8", bits: 8, bitmask: 0x1f },
  etx: { abbrev: "icmpv6.rpl.opt.metric.etx.object.etx", name: "ETX", type: "uint16" },
  lcObject: { abbrev: "icmpv6.rpl.opt.metric.lc.object", name: "Link Color Object", type: "none" },
  lcRes: { abbrev: "icmpv6.rpl.opt.metric.lc.object.res", name: "Reserved field", type: "uint8", base: "hex", bits: 8, bitmask: 0xff },
  lcLc: { abbrev: "icmpv6.rpl.opt.metric.lc.object.lc", name: "Link Color", type: "uint16", base: "hex", bits: 16, bitmask: 0xffc0 },
  lcCounter: { abbrev: "icmpv6.rpl.opt.metric.lc.object.counter", name: "Counter", type: "uint16", bits: 16, bitmask: 0x3f },
  lcReserved: { abbrev: "icmpv6.rpl.opt.metric.lc.object.reserved", name: "Reserved", type: "uint16", bits: 16, bitmask: 0x3e },
  lcFlagI: { abbrev: "icmpv6.rpl.opt.metric.lc.object.flag.i", name: "Flag I", type: "uint16", bits: 16, bitmask: 0x1 },
} satisfies Record<string, FieldSpec>;

let f: { [K in keyof typeof METRIC_FIELDS]: Field };

/** Called by icmpv6-rpl.ts's bindRplFields. */
export function bindMetricFields(fields: { [K in keyof typeof METRIC_FIELDS]: Field }): void {
  f = fields;
}

/**
 * The DAG metric container's metrics (RFC 6551), read while a header fits in the option:
 * each a type, flags and a length, then its objects — one hop count, or as many node
 * energy, link throughput, latency, quality level, ETX or link colour objects as the
 * metric's length holds; a node state object with its optional TLVs. Returns where reading
 * stopped (the option's rest is then its Unknown Data, as tshark shows it).
 */
export function metrics(tvb: Tvb, o: number, end: number, it: Item, lenItem: Item): number {
  while (end - o >= 4) {
    const type = tvb.u8(o);
    const known = METRICS[type] !== undefined;
    // (tshark notes an unknown type on the option's Length)
    if (!known) lenItem.expert("note", "undecoded", "Unknown RPL metric/constraint type", "icmpv6", "icmpv6.rpl.unknown.metric");
    const ml = tvb.u8(o + 3);
    const m = it.add(f.metricType, tvb, o, Math.min(4 + ml, tvb.remaining(o)), type);
    const flags = tvb.u16(o + 1);
    m.addBitmask(f.metricFlags, tvb, o + 1, 2, flags,
      [f.metricReserved, f.metricFlagP, f.metricFlagC, f.metricFlagO, f.metricFlagR, f.metricFlagA, f.metricPrec]);
    m.add(f.metricLength, tvb, o + 3, 1, ml);
    o += 4;
    const mend = o + ml;
    switch (type) {
      case 1: { // node state and attribute, then optional TLVs
        m.addBitmask(f.nsaObject, tvb, o, 2, tvb.u16(o), [f.nsaReserved, f.nsaFlags, f.nsaFlagA, f.nsaFlagO]);
        o += 2;
        while (o < mend) {
          const t = tvb.u8(o);
          const l = tvb.u8(o + 1);
          const ti = m.add(f.nsaTlv, tvb, o, 2 + l, t);
          ti.add(f.nsaTlvType, tvb, o, 1, t);
          ti.add(f.nsaTlvLength, tvb, o + 1, 1, l);
          ti.add(f.nsaTlvData, tvb, o + 2, l, tvb.bytes(o + 2, l));
          o += 2 + l;
        }
        break;
      }
      case 2: // node energy
        for (; o < mend; o += 2) m.addBitmask(f.neObject, tvb, o, 2, tvb.u16(o), [f.neFlags, f.neFlagI, f.neType, f.neFlagE, f.neEnergy]);
        break;
      case 3: // hop count: one object
        m.addBitmask(f.hpObject, tvb, o, 2, tvb.u16(o), [f.hpReserved, f.hpFlags, f.hpHp]);
        o += 2;
        break;
      case 4: case 5:
        for (; o < mend; o += 4) m.add(type === 4 ? f.lt : f.ll, tvb, o, 4, tvb.u32(o));
        break;
      case 6: // link quality level: a reserved byte, then one byte per object
        m.add(f.lqlRes, tvb, o, 1, tvb.u8(o));
        for (o += 1; o < mend; o += 1) m.addBitmask(f.lqlObject, tvb, o, 1, tvb.u8(o), [f.lqlVal, f.lqlCounter]);
        break;
      case 7:
        for (; o < mend; o += 2) m.add(f.etx, tvb, o, 2, tvb.u16(o));
        break;
      case 8: // link colour: a reserved byte, then 2 bytes per colour
        m.add(f.lcRes, tvb, o, 1, tvb.u8(o));
        for (o += 1; o < mend; o += 2) {
          tvb.ensure(o, 2);
          const c = m.add(f.lcObject, tvb, o, 2, null);
          const v = tvb.u16(o);
          c.add(f.lcLc, tvb, o, 2, (v & 0xffc0) >> 6);
          if (flags & 0x200) { // a constraint: reserved bits and the I flag
            c.add(f.lcReserved, tvb, o, 2, (v & 0x3e) >> 1);
            c.add(f.lcFlagI, tvb, o, 2, v & 1);
          } else c.expert("note", "undecoded", "Unknown RPL metric/constraint type", "icmpv6", "icmpv6.rpl.unknown.metric"); // (tshark 4.0's, for a metric's counter)
        }
        break;
    }
  }
  return o;
}
