/**
 * Protocols, dissector tables and heuristics (Wireshark's proto_register_protocol,
 * dissector_add_uint, heur_dissector_add). A dissector file calls defineProtocol();
 * that registers its fields and hangs it in the tables it names.
 */
import { registerField, type Field, type FieldSpec } from "./field.js";
import type { PacketInfo } from "./pinfo.js";
import type { Session } from "./session.js";
import type { Item } from "./tree.js";
import { BoundsError, type Tvb } from "./tvb.js";

/**
 * Walk the bytes, add items under `tree`, return the number of bytes consumed
 * (0 = "not mine": the caller tries something else). May return void = all of it.
 */
export type DissectFn = (tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown) => number | void;
/** A heuristic: look, and if it's ours dissect and return true. */
export type HeuristicFn = (tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown) => boolean;

export interface ProtocolSpec<F extends Record<string, FieldSpec>> {
  /** Long name ("Internet Protocol Version 4"). */
  name: string;
  /** Filter name ("ip"). */
  abbrev: string;
  /** Protocol column text ("IPv4"); defaults to abbrev upper-cased. */
  short?: string;
  fields: F;
  /** [table, key] pairs this protocol hangs off: ["udp.port", 53], ["ethertype", 0x0800]. */
  registers?: readonly (readonly [string, number])[];
  /** [table, fn] heuristics: ["udp", looksLikeDns]. */
  heuristics?: readonly (readonly [string, HeuristicFn])[];
  dissect: DissectFn;
  /**
   * Wireshark's dissector leaves its top item without text, so `-T fields -e <proto>`
   * prints the filter name even where nestcap's tree shows a richer label.
   */
  bareInFields?: boolean;
  /**
   * A tunnel header followed, in the same bytes, by a whole frame it carries (VXLAN): the
   * transport-only path reads its payload, and --layers nests what follows inside it.
   */
  carriesFrames?: boolean;
  /**
   * Older names display filters still accept for the protocol and its fields (Wireshark's
   * proto_register_alias): "ssl" for tls, "bootp" for dhcp. `-e` does not take them (tshark
   * neither).
   */
  aliases?: readonly string[];
}

export interface Protocol<F extends Record<string, FieldSpec> = Record<string, FieldSpec>> {
  name: string;
  abbrev: string;
  short: string;
  /** The protocol's own field (type "protocol"), for the top item and presence filters. */
  hf: Field;
  f: { [K in keyof F]: Field };
  dissect: DissectFn;
  bareInFields: boolean;
  carriesFrames: boolean;
}

const protocols = new Map<string, Protocol>();
/** Field id → the protocol that registered it (tshark -G fields' parent column). */
const parents = new Map<number, string>();

/**
 * The abbrev of the protocol a field belongs to: the one the field (this registration of it)
 * names, else the one that defined it, else its name's first part (the first two for
 * Wireshark's own "_ws.expert.message": "_ws.expert").
 */
export function parentProtocol(f: Field): string {
  if (f.protocol !== undefined) return f.protocol;
  const p = parents.get(f.id);
  if (p !== undefined) return p;
  const parts = f.abbrev.split(".");
  return parts.length === 1 ? f.abbrev : parts[0] === "_ws" && parts.length > 2 ? `_ws.${parts[1]}` : parts[0];
}
const tables = new Map<string, Map<number, Protocol>>();
const heuristics = new Map<string, { proto: Protocol; fn: HeuristicFn }[]>();

export function defineProtocol<F extends Record<string, FieldSpec>>(spec: ProtocolSpec<F>): Protocol<F> {
  const hf = registerField({ abbrev: spec.abbrev, name: spec.name, type: "protocol" });
  const f = {} as { [K in keyof F]: Field };
  for (const k of Object.keys(spec.fields) as (keyof F)[]) {
    f[k] = registerField(spec.fields[k]);
    if (!parents.has(f[k].id)) parents.set(f[k].id, spec.abbrev);
  }
  const p: Protocol<F> = {
    name: spec.name,
    abbrev: spec.abbrev,
    short: spec.short ?? spec.abbrev.toUpperCase(),
    hf,
    f,
    dissect: spec.dissect,
    bareInFields: spec.bareInFields ?? false,
    carriesFrames: spec.carriesFrames ?? false,
  };
  protocols.set(spec.abbrev, p as unknown as Protocol);
  for (const a of spec.aliases ?? []) aliases.set(a, spec.abbrev);
  for (const [table, key] of spec.registers ?? []) addToTable(table, key, p as unknown as Protocol);
  for (const [table, fn] of spec.heuristics ?? []) addHeuristic(table, p as unknown as Protocol, fn);
  return p;
}

const aliases = new Map<string, string>();

/** A filter name written with a protocol's alias, in today's name ("ssl.record" → "tls.record"), or undefined. */
export function dealias(name: string): string | undefined {
  const dot = name.indexOf(".");
  const target = aliases.get(dot < 0 ? name : name.slice(0, dot));
  return target === undefined ? undefined : dot < 0 ? target : target + name.slice(dot);
}

export function protocolByAbbrev(abbrev: string): Protocol | undefined {
  return protocols.get(abbrev);
}

export function allProtocols(): Protocol[] {
  return [...protocols.values()];
}

export function addToTable(table: string, key: number, p: Protocol): void {
  let t = tables.get(table);
  if (!t) tables.set(table, (t = new Map()));
  t.set(key, p);
}

/**
 * What hangs in `table` at `key`; with a session, its decode-as rules (tshark -d) first.
 */
export function lookupTable(table: string, key: number, session?: Session): Protocol | undefined {
  if (session !== undefined && session.decodeAs !== null) {
    const p = session.decodeAs.get(table, key);
    if (p !== undefined) return p;
  }
  return tables.get(table)?.get(key);
}

/** The names of the dissector tables ("udp.port", "ethertype"…): what -d may name. */
export function tableNames(): string[] {
  return [...tables.keys()];
}

export function addHeuristic(table: string, proto: Protocol, fn: HeuristicFn): void {
  let l = heuristics.get(table);
  if (!l) heuristics.set(table, (l = []));
  l.push({ proto, fn });
}

/**
 * Call a protocol's dissector: records the layer in frame.protocols, and turns a
 * bounds error into a "[Malformed Packet]" / "[Packet size limited during capture]"
 * mark, keeping everything the dissector added before it ran out of bytes. The mark goes
 * in `markTree` (default `tree`): where tshark's exception would be caught, which for a
 * header nested in its caller's subtree (IPv6 extension headers) is the caller's parent.
 * Returns bytes consumed (0 = rejected; at least 1 when the dissector ran out of bytes).
 */
export function callDissector(p: Protocol, tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown, markTree: Item = tree): number {
  const depth = pinfo.layers.length;
  pinfo.layers.push(p.abbrev);
  let r: number | void;
  try {
    r = p.dissect(tvb, pinfo, tree, data);
  } catch (e) {
    if (!(e instanceof BoundsError)) throw e;
    markBoundsError(e, p, tvb, pinfo, markTree);
    // it took the bytes and ran out of them: never "not mine" (0), even with none captured
    // (else the caller would try another dissector or label the payload unknown)
    return tvb.length > 0 ? tvb.length : 1;
  }
  if (r === 0) {
    pinfo.layers.length = depth;
    return 0;
  }
  return r === undefined ? tvb.length : r;
}

/** Mark an exception the way Wireshark's show_exception does. */
export function markBoundsError(e: BoundsError, p: Protocol, tvb: Tvb, pinfo: PacketInfo, tree: Item, at: Tvb | null = pinfo.catchTvb): void {
  if (e.reported) {
    pinfo.malformed = true;
    const it = tree.add(MALFORMED, tvb, 0, 0, null);
    // (placed where tshark catches it: `at`, the payload "ethertype" or a tcp_dissect_pdus loop
    // handed on; with neither, the frame's own catch, at the frame's first byte: -T pdml's pos,
    // -T json -x's offset)
    if (it !== tree.tree.sink) it.start = at !== null ? at.off : 0;
    it.setText(`[Malformed Packet: ${p.short}]`);
    it.expert("error", "malformed", `Malformed Packet (Exception occurred)`, "_ws.malformed", "_ws.malformed.expert");
    pinfo.appendInfo("[Malformed Packet]"); // tshark: col_append_str, no separator
  } else {
    pinfo.truncated = true;
    const it = tree.add(TRUNCATED, tvb, 0, 0, null).setText(`[Packet size limited during capture: ${p.short} truncated]`);
    // tshark catches this exception only at the frame's top, so its item sits at the frame's
    // first byte (-T pdml's pos), whichever layer ran out
    if (it !== tree.tree.sink) it.start = 0;
    pinfo.appendInfo("[Packet size limited during capture]");
  }
}

/**
 * tshark's FragmentBoundsError: a PDU longer than what its segment holds, dissected
 * without reassembly (tcp_dissect_pdus with desegmentation off), ran past the bytes there.
 */
export function markUnreassembled(p: Protocol, tvb: Tvb, pinfo: PacketInfo, tree: Item): void {
  const it = tree.add(UNREASSEMBLED, tvb, 0, 0, null);
  it.setText(`[BoundError Unreassembled Packet: ${p.short}]`);
  it.expert("note", "reassemble", "Unreassembled fragment (change preferences to enable reassembly)", "_ws.unreassembled", "_ws.unreassembled.expert");
  pinfo.appendInfo("[BoundErrorUnreassembled Packet]"); // (as tshark writes it)
}

/** Look `key` up in `table` and call what hangs there. Returns bytes consumed (0 = nothing took it). */
export function callTable(table: string, key: number, tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number {
  const p = lookupTable(table, key, pinfo.session);
  return p ? callDissector(p, tvb, pinfo, tree, data) : 0;
}

/** Try the heuristics of `table` in order. */
export function tryHeuristics(table: string, tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): boolean {
  const l = heuristics.get(table);
  if (!l) return false;
  for (const h of l) {
    const depth = pinfo.layers.length;
    pinfo.layers.push(h.proto.abbrev);
    try {
      if (h.fn(tvb, pinfo, tree, data)) return true;
    } catch (e) {
      if (!(e instanceof BoundsError)) throw e;
      markBoundsError(e, h.proto, tvb, pinfo, tree);
      return true;
    }
    pinfo.layers.length = depth;
  }
  return false;
}

/** Checksum status values shared by every *.checksum.status field (Wireshark's proto_checksum_vals). */
export const CHECKSUM_STATUS: Readonly<Record<number, string>> = { 0: "Bad", 1: "Good", 2: "Unverified", 3: "Not present", 4: "Illegal" };

/**
 * Wireshark's proto_malformed and proto_short: protocols of their own, so an item of
 * theirs is a protocol item (`-e _ws.malformed` prints its label, "[Malformed Packet:
 * DNS]"). Every note of the Malformed group also hangs a hidden, label-less
 * _ws.malformed item in its subtree (tree.ts), which `-Y _ws.malformed` finds and
 * `-e` prints as "_ws.malformed". The exception's note has its own field.
 */
export const MALFORMED = registerField({ abbrev: "_ws.malformed", name: "Malformed Packet", type: "protocol" });
export const TRUNCATED = registerField({ abbrev: "_ws.short", name: "Packet size limited during capture", type: "protocol" });
registerField({ abbrev: "_ws.malformed.expert", name: "Malformed Packet (Exception occurred)", type: "none" });
export const UNREASSEMBLED = registerField({ abbrev: "_ws.unreassembled", name: "Unreassembled Fragmented Packet", type: "protocol" });
registerField({ abbrev: "_ws.unreassembled.expert", name: "Unreassembled fragment (change preferences to enable reassembly)", type: "none" });
/** proto.c's note on a packet string with bytes after its NUL (see strayCheck in dissectors/http-headers.ts). */
registerField({ abbrev: "_ws.string.trailing_stray_characters", name: "Trailing stray characters", type: "none" });

/** The "data" protocol: bytes nobody claimed. Defined in dissectors/data.ts; looked up here. */
export function callData(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  const p = protocols.get("data");
  if (!p || tvb.length === 0) return 0;
  return callDissector(p, tvb, pinfo, tree);
}
