/**
 * IPv4 options (Wireshark's dissect_ip_tcp_options and the per-option dissectors of
 * packet-ip.c, 4.0): EOL/NOP, security, extended security, CIPSO, loose/strict source
 * and record route, time stamp, stream ID, MTU probe/reply, traceroute, router alert,
 * selective directed broadcast, Quick-Start; and the final destination a source route
 * names (routeDstOffset). The registered ip fields come from bindIpOptionFields().
 */
import { hex, ipv4ToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { QS_FUNC, SEC_RFC791, type IpFields } from "./ip-fields.js";

/** The registered ip fields (ip.f); set by bindIpOptionFields() when ip.ts loads. */
let f: IpFields;

/** Called once by dissectors/ip.ts right after defineProtocol: binds the fields and builds the option table. */
export function bindIpOptionFields(fields: IpFields): void {
  f = fields;
  defineOptions();
}

export function addDst(t: Item, tvb: Tvb, o: number, dst: number, dstStr: string): void {
  t.add(f.dst, tvb, o, 4, dst);
  t.add(f.addr, tvb, o, 4, dst).hidden = true;
  t.addGenerated(f.dstHost, tvb, o, 4, dstStr).hidden = true;
  t.addGenerated(f.host, tvb, o, 4, dstStr).hidden = true;
}

// ---------------------------------------------------------------- options --

const NO_LEN = 0, FIXED = 1, VARIABLE = 2;
type OptFn = (o: number, len: number, c: OptCtx) => void;
interface OptDef {
  name: string;
  lenType: number;
  optlen: number;
  fn: OptFn;
}
interface OptCtx {
  tvb: Tvb;
  pinfo: PacketInfo;
  tree: Item;
  full: boolean;
  ttl: number;
}

function optType(t: Item, tvb: Tvb, o: number): void {
  const v = tvb.u8(o);
  const it = t.add(f.optType, tvb, o, 1, v);
  it.add(f.optTypeCopy, tvb, o, 1, (v & 0x80) !== 0);
  it.add(f.optTypeClass, tvb, o, 1, (v >> 5) & 3);
  it.add(f.optTypeNumber, tvb, o, 1, v & 0x1f);
}

const NO_BYTES = new Uint8Array(0);

/** An option item's value: its captured bytes, when anything shows them. */
function optBytes(c: OptCtx, hf: typeof f.optEol, o: number, len: number): Uint8Array {
  if (!c.tree.tree.wants(hf)) return NO_BYTES;
  return c.tvb.bytes(o, Math.max(0, Math.min(len, c.tvb.length - o)));
}

/** The option's own item, type and length. Returns [subtree, length item]. */
function optHead(c: OptCtx, hf: typeof f.optEol, o: number, len: number, label: string | null, invalidLen: boolean): [Item, Item] {
  const t = c.tree.add(hf, c.tvb, o, len, optBytes(c, hf, o, len));
  if (c.full && label !== null) t.setText(label);
  optType(t, c.tvb, o);
  const l = t.add(f.optLen, c.tvb, o + 1, 1, c.tvb.u8(o + 1));
  if (invalidLen) l.expert("warn", "protocol", "Invalid length for option", "ip", "ip.opt.len.invalid");
  return [t, l];
}

const IPOLEN_MAX = 40;

function optSimple(hf: typeof f.optEol): OptFn {
  return (o, _len, c) => {
    const t = c.tree.add(hf, c.tvb, o, 1, optBytes(c, hf, o, 1));
    optType(t, c.tvb, o);
  };
}

function optRouteAddr(t: Item, tvb: Tvb, o: number, hf: typeof f.recRt, hfHost: typeof f.recRtHost, next: boolean, full: boolean): void {
  const a = tvb.u32(o);
  t.add(hf, tvb, o, 4, a, full && next ? `${ipv4ToString(a)} <- (next)` : undefined);
  t.addGenerated(hfHost, tvb, o, 4, ipv4ToString(a)).hidden = true;
}

function optRoute(hf: typeof f.optEol, name: string, record: boolean): OptFn {
  return (o, len, c) => {
    const { tvb } = c;
    const [t] = optHead(c, hf, o, len, `IP Option - ${name} (${len} bytes)`, len > IPOLEN_MAX);
    const ptr = tvb.u8(o + 2);
    const pi = t.add(f.optPtr, tvb, o + 2, 1, ptr);
    if (ptr < 4 || (ptr & 3) !== 0) {
      if (ptr < 4) pi.expert("warn", "protocol", "Pointer points before first address", "ip", "ip.opt.ptr.before_address");
      else pi.expert("warn", "protocol", "Pointer points to middle of address", "ip", "ip.opt.ptr.middle_address");
      return;
    }
    let optoff = 3;
    for (let left = len - 3; left > 0; left -= 4, optoff += 4) {
      if (left < 4) {
        pi.expert("warn", "protocol", "Suboption would go past end of option", "ip", "ip.subopt_too_long");
        break;
      }
      if (ptr > len) optRouteAddr(t, tvb, o + optoff, f.recRt, f.recRtHost, false, c.full);
      else if (!record && optoff === len - 4) {
        const a = tvb.u32(o + optoff);
        addDst(t, tvb, o + optoff, a, ipv4ToString(a));
      } else if (optoff + 1 < ptr) optRouteAddr(t, tvb, o + optoff, f.recRt, f.recRtHost, false, c.full);
      else if (optoff + 1 === ptr)
        optRouteAddr(t, tvb, o + optoff, record ? f.emptyRt : f.srcRt, record ? f.emptyRtHost : f.srcRtHost, true, c.full);
      else optRouteAddr(t, tvb, o + optoff, record ? f.emptyRt : f.srcRt, record ? f.emptyRtHost : f.srcRtHost, false, c.full);
    }
  };
}

const optTimestamp: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optTimestamp, o, len, `IP Option - Time Stamp (${len} bytes)`, len > IPOLEN_MAX);
  let off = o + 2;
  let left = len - 2;
  const ptr = tvb.u8(off);
  const sfx = ptr === 1 ? " (header is full)" : ptr < 5 ? " (points before first address)" : ((ptr - 1) & 3) !== 0 ? " (points to middle of field)" : "";
  t.add(f.optPtr, tvb, off, 1, ptr, c.full ? `${ptr}${sfx}` : undefined);
  off++;
  left--;
  const fl = tvb.u8(off);
  t.add(f.optOverflow, tvb, off, 1, fl >> 4);
  t.add(f.optFlag, tvb, off, 1, fl & 15);
  const flg = fl & 15;
  off++;
  left--;
  while (left > 0) {
    if (flg === 1 || flg === 3) {
      if (left < 8) {
        t.addText(tvb, off, left, "Suboption would go past end of option").expert("warn", "protocol", "Suboption would go past end of option", "ip", "ip.subopt_too_long");
        break;
      }
      const a = tvb.u32(off);
      t.add(f.optTimeStampAddr, tvb, off, 4, a, a === 0 ? "-" : undefined);
      off += 4;
      left -= 4;
      t.add(f.optTimeStamp, tvb, off, 4, tvb.u32(off));
      off += 4;
      left -= 4;
    } else {
      if (left < 4) {
        t.addText(tvb, off, left, "Suboption would go past end of option").expert("warn", "protocol", "Suboption would go past end of option", "ip", "ip.subopt_too_long");
        break;
      }
      t.add(f.optTimeStamp, tvb, off, 4, tvb.u32(off));
      off += 4;
      left -= 4;
    }
  }
};

function optU16(hf: typeof f.optEol, name: string, vf: typeof f.optSid): OptFn {
  return (o, len, c) => {
    const v = c.tvb.u16(o + 2);
    const [t, l] = optHead(c, hf, o, len, `IP Option - ${name} (${len} bytes): ${v}`, false);
    if (len !== 4) l.expert("warn", "protocol", "Invalid length for option", "ip", "ip.opt.len.invalid");
    t.add(vf, c.tvb, o + 2, 2, v);
  };
}

const optRouterAlert: OptFn = (o, len, c) => {
  const v = c.tvb.u16(o + 2);
  const txt = v === 0 ? "Router shall examine packet" : "Reserved";
  const [t, l] = optHead(c, f.optRouterAlert, o, len, `IP Option - Router Alert (${len} bytes): ${txt} (${v})`, false);
  if (len !== 4) l.expert("warn", "protocol", "Invalid length for option", "ip", "ip.opt.len.invalid");
  t.add(f.optRa, c.tvb, o + 2, 2, v, c.full ? `${txt} (${v})` : undefined);
};

const optTraceroute: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t, l] = optHead(c, f.optTraceroute, o, len, `IP Option - Traceroute (${len} bytes)`, false);
  if (len !== 12) l.expert("warn", "protocol", "Invalid length for option", "ip", "ip.opt.len.invalid");
  t.add(f.optIdNumber, tvb, o + 2, 2, tvb.u16(o + 2));
  t.add(f.optOhc, tvb, o + 4, 2, tvb.u16(o + 4));
  t.add(f.optRhc, tvb, o + 6, 2, tvb.u16(o + 6));
  t.add(f.optOriginator, tvb, o + 8, 4, tvb.u32(o + 8));
};

const optSdb: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optSdb, o, len, `IP Option - Selective Directed Broadcast (${len} bytes)`, len > IPOLEN_MAX);
  let off = o + 2;
  let left = len - 2;
  for (; left >= 4; off += 4, left -= 4) t.add(f.optAddr, tvb, off, 4, tvb.u32(off));
  if (left > 0) t.add(f.optPadding, tvb, off, left, tvb.bytes(off, left));
};

const optSecurity: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optSecurity, o, len, `IP Option - Security (${len} bytes)`, len > IPOLEN_MAX);
  const off = o + 2;
  if (len === 11) {
    const v = tvb.u16(off);
    if (SEC_RFC791[v] !== undefined) {
      t.add(f.optSecRfc791Sec, tvb, off, 2, v);
      t.add(f.optSecRfc791Comp, tvb, off + 2, 2, tvb.u16(off + 2));
      t.add(f.optSecRfc791Hr, tvb, off + 4, 2, tvb.ascii(off + 4, 2));
      t.add(f.optSecRfc791Tcc, tvb, off + 6, 3, tvb.ascii(off + 6, 3));
      return;
    }
  }
  t.add(f.optSecCl, tvb, off, 1, tvb.u8(off));
  if (len > 3) t.add(f.optSecProtAuthFlags, tvb, off + 1, 1, tvb.u8(off + 1));
};

const optExtSecurity: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optExtSecurity, o, len, `IP Option - Extended Security (${len} bytes)`, len > IPOLEN_MAX);
  t.add(f.optExtSecFormat, tvb, o + 2, 1, tvb.u8(o + 2));
  if (len > 3) t.add(f.optExtSecInfo, tvb, o + 3, len - 3, tvb.bytes(o + 3, len - 3));
};

const optCipso: OptFn = (o, len, c) => {
  const { tvb } = c;
  const [t] = optHead(c, f.optCipso, o, len, `IP Option - Commercial Security (${len} bytes)`, len > IPOLEN_MAX);
  t.add(f.cipsoDoi, tvb, o + 2, 4, tvb.u32(o + 2));
};

const optQs: OptFn = (o, len, c) => {
  const { tvb } = c;
  const cmd = tvb.u8(o + 2);
  const fn = cmd >> 4;
  const [t, l] = optHead(c, f.optQs, o, len, `IP Option - Quick-Start (${len} bytes): ${QS_FUNC[fn] ?? `Unknown (${fn})`} (${fn})`, false);
  if (len !== 8) l.expert("warn", "protocol", "Invalid length for option", "ip", "ip.opt.len.invalid");
  t.add(f.optQsFunc, tvb, o + 2, 1, fn);
  if (fn === 0 || fn === 8) {
    t.add(f.optQsRate, tvb, o + 2, 1, cmd & 15);
    if (fn === 0) t.add(f.optQsTtl, tvb, o + 3, 1, tvb.u8(o + 3));
    t.add(f.optQsNonce, tvb, o + 4, 4, (tvb.u32(o + 4) & 0xfffffffc) >>> 2);
  }
};

const OPTS: (OptDef | undefined)[] = [];
function defOpt(code: number, name: string, lenType: number, optlen: number, fn: OptFn): void {
  OPTS[code] = { name, lenType, optlen, fn };
}
/** Fills OPTS (needs the registered fields, so it runs from bindIpOptionFields). */
function defineOptions(): void {
  defOpt(0x00, "End of Options List (EOL)", NO_LEN, 0, optSimple(f.optEol));
  defOpt(0x01, "No-Operation (NOP)", NO_LEN, 0, optSimple(f.optNop));
  defOpt(0x82, "Security", VARIABLE, 3, optSecurity);
  defOpt(0x83, "Loose Source Route", VARIABLE, 3, optRoute(f.optRoute, "Loose Source Route", false));
  defOpt(0x44, "Time Stamp", VARIABLE, 4, optTimestamp);
  defOpt(0x85, "Extended Security", VARIABLE, 3, optExtSecurity);
  defOpt(0x86, "Commercial Security", VARIABLE, 10, optCipso);
  defOpt(0x07, "Record Route", VARIABLE, 3, optRoute(f.optRecordRoute, "Record Route", true));
  defOpt(0x88, "Stream ID", FIXED, 4, optU16(f.optStreamId, "Stream ID", f.optSid));
  defOpt(0x89, "Strict Source Route", VARIABLE, 3, optRoute(f.optSourceRoute, "Strict Source Route", false));
  defOpt(0x0b, "MTU Probe", FIXED, 4, optU16(f.optMtuProbe, "MTU Probe", f.optMtu));
  defOpt(0x0c, "MTU Reply", FIXED, 4, optU16(f.optMtuReply, "MTU Reply", f.optMtu));
  defOpt(0x52, "Traceroute", FIXED, 12, optTraceroute);
  defOpt(0x94, "Router Alert", FIXED, 4, optRouterAlert);
  defOpt(0x95, "Selective Directed Broadcast", VARIABLE, 6, optSdb);
  defOpt(0x19, "Quick-Start", FIXED, 8, optQs);
}

function badOpt(c: OptCtx, o: number, n: number, msg: string): void {
  c.tree.addText(c.tvb, o, n, msg).expert("warn", "protocol", msg, "ip", "ip.opt.len.invalid");
}

/** Wireshark's dissect_ip_tcp_options over the IPv4 option bytes [o, o+length). */
export function dissectOptions(tvb: Tvb, o: number, length: number, pinfo: PacketInfo, optItem: Item, ttl: number): void {
  const c: OptCtx = { tvb, pinfo, tree: optItem, full: optItem.tree.full, ttl };
  let nops = 0;
  while (length > 0) {
    const opt = tvb.u8(o);
    const def = OPTS[opt];
    let name: string, lenType: number, optlen: number;
    if (def === undefined) {
      name = `Unknown (0x${hex(opt, 2)})`;
      lenType = VARIABLE;
      optlen = 2;
      nops = 0;
    } else {
      name = def.name;
      lenType = def.lenType;
      optlen = def.optlen;
      if (opt === 1 && (nops === 0 || o % 4 !== 0)) nops++;
      else nops = 0;
    }
    length--;
    if (lenType !== NO_LEN) {
      if (length === 0) {
        badOpt(c, o, 1, `${name} (length byte past end of options)`);
        return;
      }
      const len = tvb.u8(o + 1);
      length--;
      const s = len === 1 ? "" : "s";
      if (len < 2) {
        badOpt(c, o, 2, `${name} (with too-short option length = ${len} byte${s})`);
        return;
      } else if (len - 2 > length) {
        badOpt(c, o, length, `${name} (option length = ${len} byte${s} says option goes past end of options)`);
        return;
      } else if (lenType === FIXED && len !== optlen) {
        badOpt(c, o, len, `${name} (with option length = ${len} byte${s}; should be ${optlen})`);
        return;
      } else if (lenType === VARIABLE && len < optlen) {
        badOpt(c, o, len, `${name} (with option length = ${len} byte${s}; should be >= ${optlen})`);
        return;
      }
      if (def === undefined) {
        c.tree.addText(tvb, o, len, `${name} (${len} byte${s})`);
      } else {
        if (c.full) optItem.appendText(`, ${def.name}`);
        def.fn(o, len, c);
      }
      o += len;
      length -= len - 2;
    } else {
      def!.fn(o, 1, c);
      o += 1;
      if (nops === 4 && opt === 1)
        optItem.expert("warn", "protocol", "4 NOP in a row - a router may have removed some options", "ip", "ip.nop");
    }
    if (opt === 0) break;
  }
}

/**
 * Offset (from the fixed header's destination) of the final destination when a
 * loose/strict source route option with a valid pointer is present, else 0.
 */
export function routeDstOffset(tvb: Tvb, o: number, length: number): number {
  const orig = o;
  while (length > 0) {
    if (!tvb.has(o, 1)) return 0;
    const opt = tvb.u8(o);
    const def = OPTS[opt];
    const lenType = def === undefined ? VARIABLE : def.lenType;
    const optlen = def === undefined ? 2 : def.optlen;
    length--;
    if (lenType !== NO_LEN) {
      if (length === 0 || !tvb.has(o + 1, 1)) return 0;
      const len = tvb.u8(o + 1);
      length--;
      if (len < 2 || len - 2 > length) return 0;
      if (lenType === FIXED && len !== optlen) return 0;
      if (lenType === VARIABLE && len < optlen) return 0;
      if (opt === 0x83 || opt === 0x89) {
        if (!tvb.has(o + 2, 1)) return 0;
        const ptr = tvb.u8(o + 2);
        if (ptr < 4 || (ptr & 3) !== 0 || ptr > len) return 0;
        return o - orig + 4 + (len - 4);
      }
      o += len;
      length -= len - 2;
    } else {
      o += 1;
    }
    if (opt === 0) return 0;
  }
  return 0;
}
