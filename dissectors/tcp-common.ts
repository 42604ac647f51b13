/**
 * Small helpers shared by the TCP dissector files (among them an option's head, used by
 * tcp-options.ts and tcp-options-sack.ts), and the registered TCP fields (`f`, bound once by
 * dissectors/tcp.ts right after defineProtocol). This file has no
 * side effects and imports no other tcp file, so the loader may import it in any order.
 */
import type { ExpertGroup, Severity } from "../src/core/expert.js";
import type { Field, Time } from "../src/core/field.js";
import type { Item, Tree } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import type { TcpFields } from "./tcp-fields.js";

/** The registered TCP fields (tcp.f); set by bindTcpFields() when tcp.ts loads. */
export let f: TcpFields;

export function bindTcpFields(fields: TcpFields): void {
  f = fields;
}

export const NO_BYTES = new Uint8Array(0);

/** Per-packet header facts the option dissectors need (a slice of Wireshark's struct tcpheader). */
export interface Hdr {
  flags: number;
  /** Relative ACK (raw when the ACK flag is clear), as tshark shows it. */
  ack: number;
  haveSeglen: boolean;
  seglen: number;
  numSack: number;
  sackLE: number[];
  sackRE: number[];
  /** MPTCP subtypes present in this segment (bit per subtype 0..7), 0 = none. */
  mptcp: number;
  hasMptcp: boolean;
}

/** Is the value of this field needed (full tree, or asked for by -e / a filter)? */
export function want(t: Tree, fld: Field): boolean {
  return t.full || (t.wanted !== null && fld.id < t.wanted.length && t.wanted[fld.id] === 1);
}

/** Attach an expert under its own FT_NONE field (recorded for -e / filters, its key in -T json). */
export function expert(it: Item, fld: Field, sev: Severity, group: ExpertGroup, msg: string): void {
  it.expert(sev, group, msg, "tcp", fld.abbrev);
}

/** An expert that is its own (text) item in the tree (proto_tree_add_expert). */
export function expertItem(parent: Item, tvb: Tvb, o: number, len: number, fld: Field, sev: Severity, group: ExpertGroup, msg: string): void {
  tvb.ensure(o, len); // like any item, its bytes must be there (else: packet cut short)
  expert(parent.addText(tvb, o, len, msg), fld, sev, group, msg);
}

export function time(s: number, ns: number): Time {
  return { s, ns };
}

/** The Length item of the last optionHead() (module state: no object per option on the hot path). */
export let lenItem: Item | null = null;

/** An option's item with its Kind (and Length) children (`first`: what goes under the item before them). */
export function optionHead(parent: Item, fld: Field, otvb: Tvb, withLen: boolean, first?: (item: Item) => void): Item {
  const item = parent.add(fld, otvb, 0, otvb.length, want(parent.tree, fld) ? otvb.bytes(0, otvb.length) : NO_BYTES);
  if (parent.tree.full) item.setText(fld.name); // a protocol-like item: its name, then what the option appends
  if (first !== undefined) first(item);
  item.add(f.optionKind, otvb, 0, 1, otvb.u8(0));
  lenItem = withLen ? item.add(f.optionLen, otvb, 1, 1, otvb.u8(1)) : null;
  return item;
}

/** tcp_option_len_check */
export function lenOk(lenItem: Item | null, optlen: number, want: number): boolean {
  if (optlen === want) return true;
  if (lenItem !== null) expert(lenItem, f.eOptLenInvalid, "note", "sequence", `option length should be ${want}`);
  return false;
}

/** No Length item for the option at hand (NOP, EOL). */
export function clearLenItem(): void {
  lenItem = null;
}
