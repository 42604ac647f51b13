/**
 * NetBIOS Name Service (RFC 1001/1002) on UDP port 137, as tshark 4.0 shows it
 * (packet-nbt.c's dissect_nbns). The message has DNS's layout: a 12-byte header, then
 * questions and resource records whose names are "first-level encoded" NetBIOS names
 * (32 letters 'A'+nibble for the 16 bytes of the name, the last one its type) with an
 * optional scope in DNS labels; tshark decodes them to "NAME<1e>" plus the scope.
 *
 * tshark's quirks kept here: the ONT value strings are keyed by the unshifted mask
 * values, so a bit field shows "Unknown (n)" for any node type but B-node; an NB
 * answer's nbns.name carries the name type's description ("FRED<20> (Server service)");
 * the NBSTAT name list is decoded into a buffer only as long as the RR name's length
 * in the packet (a compressed RR name cuts the listed names short).
 */
import type { PacketInfo } from "../src/core/pinfo.js";
import { defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { signedTimeSecsToStr } from "../src/core/time.js";
import type { Tvb } from "../src/core/tvb.js";
import { readName } from "./dns-rr-names.js";
import { CLASSES } from "./dns-rr-tables.js";

const OPCODES: Readonly<Record<number, string>> = {
  0: "Name query", 5: "Registration", 6: "Release", 7: "Wait for acknowledgment", 8: "Refresh",
  9: "Refresh (alternate opcode)", 15: "Multi-homed registration",
};
const RCODES: Readonly<Record<number, string>> = {
  0: "No error", 1: "Request was invalidly formatted", 2: "Server failure", 3: "Requested name does not exist",
  4: "Request is not implemented", 5: "Request was refused", 6: "Name is owned by another node", 7: "Name is in conflict",
};
const NAME_FLAGS_ONT: Readonly<Record<number, string>> = { 0: "B-node", 0x2000: "P-node", 0x4000: "M-node" };
const NB_FLAGS_ONT: Readonly<Record<number, string>> = { 0: "B-node", 0x2000: "P-node", 0x4000: "M-node", 0x6000: "H-node" };
const TYPES: Readonly<Record<number, string>> = { 32: "NB", 33: "NBSTAT" };

/** packet-netbios.c's nb_name_type_vals: what a NetBIOS name's 16th byte means. */
export const NB_NAME_TYPES: Readonly<Record<number, string>> = {
  0x00: "Workstation/Redirector", 0x01: "Browser", 0x02: "Workstation/Redirector", 0x03: "Messenger service/Main name",
  0x05: "Forwarded name", 0x06: "RAS Server service", 0x1b: "Domain Master Browser", 0x1c: "Domain Controllers",
  0x1d: "Local Master Browser", 0x1e: "Browser Election Service", 0x1f: "Net DDE Service", 0x20: "Server service",
  0x21: "RAS client service", 0x22: "Exchange Interchange (MSMail Connector)", 0x23: "Exchange Store",
  0x24: "Exchange Directory", 0x2b: "Lotus Notes Server service", 0x30: "Modem sharing server service",
  0x31: "Modem sharing client service", 0x43: "SMS Clients Remote Control", 0x44: "SMS Administrators Remote Control Tool",
  0x45: "SMS Clients Remote Chat", 0x46: "SMS Clients Remote Transfer", 0x4c: "DEC Pathworks TCP/IP Service on Windows NT",
  0x52: "DEC Pathworks TCP/IP Service on Windows NT", 0x6a: "Microsoft Exchange IMC", 0x87: "Microsoft Exchange MTA",
  0xbe: "Network Monitor Agent", 0xbf: "Network Monitor Analyzer",
};

const FLAG = { type: "bool" as const, bits: 16 };
const YES_NO = ["Yes", "No"] as const;

export const nbns = defineProtocol({
  name: "NetBIOS Name Service",
  abbrev: "nbns",
  short: "NBNS",
  fields: {
    flags: { abbrev: "nbns.flags", name: "Flags", type: "uint16", base: "hex" },
    flResponse: { ...FLAG, abbrev: "nbns.flags.response", name: "Response", bitmask: 0x8000, tfs: ["Message is a response", "Message is a query"], blurb: "Is the message a response?" },
    flOpcode: { abbrev: "nbns.flags.opcode", name: "Opcode", type: "uint16", bits: 16, bitmask: 0x7800, strings: OPCODES, blurb: "Operation code" },
    flAuthoritative: { ...FLAG, abbrev: "nbns.flags.authoritative", name: "Authoritative", bitmask: 0x400, tfs: ["Server is an authority for domain", "Server is not an authority for domain"], blurb: "Is the server is an authority for the domain?" },
    flTruncated: { ...FLAG, abbrev: "nbns.flags.truncated", name: "Truncated", bitmask: 0x200, tfs: ["Message is truncated", "Message is not truncated"], blurb: "Is the message truncated?" },
    flRecdesired: { ...FLAG, abbrev: "nbns.flags.recdesired", name: "Recursion desired", bitmask: 0x100, tfs: ["Do query recursively", "Don't do query recursively"], blurb: "Do query recursively?" },
    flRecavail: { ...FLAG, abbrev: "nbns.flags.recavail", name: "Recursion available", bitmask: 0x80, tfs: ["Server can do recursive queries", "Server can't do recursive queries"], blurb: "Can the server do recursive queries?" },
    flBroadcast: { ...FLAG, abbrev: "nbns.flags.broadcast", name: "Broadcast", bitmask: 0x10, tfs: ["Broadcast packet", "Not a broadcast packet"], blurb: "Is this a broadcast packet?" },
    flRcode: { abbrev: "nbns.flags.rcode", name: "Reply code", type: "uint16", bits: 16, bitmask: 0xf, strings: RCODES },
    id: { abbrev: "nbns.id", name: "Transaction ID", type: "uint16", base: "hex", blurb: "Identification of transaction" },
    countQueries: { abbrev: "nbns.count.queries", name: "Questions", type: "uint16", blurb: "Number of queries in packet" },
    countAnswers: { abbrev: "nbns.count.answers", name: "Answer RRs", type: "uint16", blurb: "Number of answers in packet" },
    countAuth: { abbrev: "nbns.count.auth_rr", name: "Authority RRs", type: "uint16", blurb: "Number of authoritative records in packet" },
    countAdd: { abbrev: "nbns.count.add_rr", name: "Additional RRs", type: "uint16", blurb: "Number of additional records in packet" },
    nameFlags: { abbrev: "nbns.name_flags", name: "Name flags", type: "uint16", base: "hex" },
    nameFlagsGroup: { ...FLAG, abbrev: "nbns.name_flags.group", name: "Name type", bitmask: 0x8000, tfs: ["Group name", "Unique name"] },
    nameFlagsOnt: { abbrev: "nbns.name_flags.ont", name: "ONT", type: "uint16", bits: 16, bitmask: 0x6000, strings: NAME_FLAGS_ONT },
    nameFlagsDrg: { ...FLAG, abbrev: "nbns.name_flags.drg", name: "Name is being deregistered", bitmask: 0x1000, tfs: YES_NO },
    nameFlagsCnf: { ...FLAG, abbrev: "nbns.name_flags.cnf", name: "Name is in conflict", bitmask: 0x800, tfs: YES_NO },
    nameFlagsAct: { ...FLAG, abbrev: "nbns.name_flags.act", name: "Name is active", bitmask: 0x400, tfs: YES_NO },
    nameFlagsPrm: { ...FLAG, abbrev: "nbns.name_flags.prm", name: "Permanent node name", bitmask: 0x200, tfs: YES_NO },
    nbFlags: { abbrev: "nbns.nb_flags", name: "Name flags", type: "uint16", base: "hex" },
    nbFlagsGroup: { ...FLAG, abbrev: "nbns.nb_flags.group", name: "Name type", bitmask: 0x8000, tfs: ["Group name", "Unique name"] },
    nbFlagsOnt: { abbrev: "nbns.nb_flags.ont", name: "ONT", type: "uint16", bits: 16, bitmask: 0x6000, strings: NB_FLAGS_ONT },
    type: { abbrev: "nbns.type", name: "Type", type: "uint16", strings: TYPES },
    class: { abbrev: "nbns.class", name: "Class", type: "uint16", strings: CLASSES },
    name: { abbrev: "nbns.name", name: "Name", type: "string" },
    addr: { abbrev: "nbns.addr", name: "Addr", type: "ipv4" },
    numberOfNames: { abbrev: "nbns.number_of_names", name: "Number of names", type: "uint8" },
    unitId: { abbrev: "nbns.unit_id", name: "Unit ID", type: "ether" },
    jumpers: { abbrev: "nbns.jumpers", name: "Jumpers", type: "uint8", base: "hex" },
    testResult: { abbrev: "nbns.test_result", name: "Test result", type: "uint8", base: "hex" },
    versionNumber: { abbrev: "nbns.version_number", name: "Version number", type: "uint16", base: "hex" },
    periodOfStatistics: { abbrev: "nbns.period_of_statistics", name: "Period of statistics", type: "uint16", base: "hex" },
    numCrcs: { abbrev: "nbns.num_crcs", name: "Number of CRCs", type: "uint16" },
    numAlignmentErrors: { abbrev: "nbns.num_alignment_errors", name: "Number of alignment errors", type: "uint16" },
    numCollisions: { abbrev: "nbns.num_collisions", name: "Number of collisions", type: "uint16" },
    numSendAborts: { abbrev: "nbns.num_send_aborts", name: "Number of send aborts", type: "uint16" },
    numGoodSends: { abbrev: "nbns.num_good_sends", name: "Number of good sends", type: "uint32" },
    numGoodReceives: { abbrev: "nbns.num_good_receives", name: "Number of good receives", type: "uint32" },
    numRetransmits: { abbrev: "nbns.numretransmits", name: "Number of retransmits", type: "uint16" },
    numNoResourceConditions: { abbrev: "nbns.num_no_resource_conditions", name: "Number of no resource conditions", type: "uint16" },
    numCommandBlocks: { abbrev: "nbns.numcommand_blocks", name: "Number of command blocks", type: "uint16" },
    numPendingSessions: { abbrev: "nbns.numpending_sessions", name: "Number of pending sessions", type: "uint16" },
    maxNumPendingSessions: { abbrev: "nbns.max_num_pending_sessions", name: "Max number of pending sessions", type: "uint16" },
    maxTotalSessionsPossible: { abbrev: "nbns.max_total_sessions_possible", name: "Max total sessions possible", type: "uint16" },
    sessionDataPacketSize: { abbrev: "nbns.session_data_packet_size", name: "Session data packet size", type: "uint16" },
    data: { abbrev: "nbns.data", name: "Data", type: "bytes" },
    netbiosName: { abbrev: "nbns.netbios_name", name: "Name", type: "string" },
    ttl: { abbrev: "nbns.ttl", name: "Time to live", type: "uint32" },
    dataLength: { abbrev: "nbns.data_length", name: "Data length", type: "uint16" },
    // expert info
    incompleteEntry: { abbrev: "nbns.incomplete_entry", name: "incomplete entry", type: "none" },
  },
  registers: [["udp.port", 137]],
  dissect: dissectNbns,
});

const f = nbns.f;

const OPCODE_WACK = 7;
const T_NB = 32;
const T_NBSTAT = 33;
const F_RESPONSE = 0x8000;
const F_RCODE = 0xf;

const REQ_FLAGS = [f.flResponse, f.flOpcode, f.flTruncated, f.flRecdesired, f.flBroadcast];
const RESP_FLAGS = [f.flResponse, f.flOpcode, f.flAuthoritative, f.flTruncated, f.flRecdesired, f.flRecavail, f.flBroadcast, f.flRcode];
const RESP_WACK_FLAGS = [f.flResponse, f.flOpcode, f.flAuthoritative, f.flTruncated, f.flRecdesired, f.flRecavail, f.flBroadcast];
const NB_FLAGS = [f.nbFlagsGroup, f.nbFlagsOnt];
const NAME_FLAGS = [f.nameFlagsGroup, f.nameFlagsOnt, f.nameFlagsDrg, f.nameFlagsCnf, f.nameFlagsAct, f.nameFlagsPrm];

/** netbios_name_type_descr. */
export function nameTypeDescr(t: number): string {
  return NB_NAME_TYPES[t] ?? "Unknown";
}

const HEX = "0123456789abcdef";
const UTF8 = new TextDecoder("utf-8");

/**
 * packet-netbios.c's process_netbios_name: the first 15 bytes, printable ASCII as is and
 * others as <xx>, into a buffer of `retLen` bytes (one kept for the NUL), trailing spaces
 * removed. Returns the text; the name type is byte 15.
 */
export function processNetbiosName(name: ArrayLike<number>, retLen: number): string {
  const out: string[] = [];
  const put = (c: string) => { if (--retLen > 0) out.push(c); };
  for (let i = 0; i < 15; i++) {
    const c = name[i];
    if (c >= 0x20 && c <= 0x7e) put(String.fromCharCode(c));
    else { put("<"); put(HEX[c >> 4]); put(HEX[c & 15]); put(">"); }
  }
  // trailing spaces go, looking back at most 15 characters; a name of spaces only stays
  let end = out.length;
  for (let i = 0; i < 15; i++) {
    if (end - 1 < 0 || out[end - 1] !== " ") return out.slice(0, end).join("");
    end--;
  }
  return out.join("");
}

interface NbName {
  /** The decoded name ("NAME<1e>" and the scope) or tshark's "Illegal NetBIOS name …". */
  name: string;
  /** The 16th byte, -1 when the name is not a legal NetBIOS name. */
  type: number;
  /** Bytes the name occupies in the packet. */
  used: number;
}

/** get_nbns_name: the DNS-encoded name at `offset`, first-level decoding undone. */
function getNbnsName(tvb: Tvb, offset: number): NbName {
  const n = readName(tvb, offset, 0);
  const raw = n.raw;
  const buf: number[] = [];
  let p = 0;
  let c = 0;
  let bad: string | null = null;
  const at = (i: number) => (i < raw.length ? raw.charCodeAt(i) : 0);
  for (;;) {
    c = at(p);
    if (c === 0 || c === 0x2e) break;
    if (c < 0x41 || c > 0x5a) { bad = "Illegal NetBIOS name (1st character not between A and Z in first-level encoding)"; break; }
    let nb = (c - 0x41) << 4;
    p++;
    c = at(p);
    if (c === 0 || c === 0x2e) { bad = "Illegal NetBIOS name (odd number of bytes)"; break; }
    if (c < 0x41 || c > 0x5a) { bad = "Illegal NetBIOS name (2nd character not between A and Z in first-level encoding)"; break; }
    nb |= c - 0x41;
    p++;
    if (buf.length < 16) buf.push(nb & 0xff);
  }
  if (bad === null && buf.length !== 16) bad = `Illegal NetBIOS name (${buf.length} bytes long)`;
  if (bad !== null) return { name: bad, type: -1, used: n.used };
  const type = buf[15];
  let name = processNetbiosName(buf, 1 << 20) + `<${HEX[type >> 4]}${HEX[type & 15]}>`;
  if (c === 0x2e) {
    // the scope, from the '.' on, as a C string (bytes that are not UTF-8 become U+FFFD)
    const b: number[] = [];
    for (let e = p; e < raw.length && raw.charCodeAt(e) !== 0; e++) b.push(raw.charCodeAt(e) & 0xff);
    name += UTF8.decode(Uint8Array.from(b));
  }
  return { name, type, used: n.used };
}

function typeName(t: number): string {
  return TYPES[t] ?? "Unknown";
}

function className(c: number): string {
  return CLASSES[c] ?? "Unknown";
}

/** nbns_add_nbns_flags: the Info note for an error reply code, and the flags by kind of message. */
function addNbnsFlags(pinfo: PacketInfo | null, t: Item | null, tvb: Tvb, o: number, wack: boolean): void {
  const flag = tvb.u16(o);
  if (pinfo !== null && flag & F_RESPONSE && !wack && flag & F_RCODE) {
    pinfo.appendInfo(`, ${RCODES[flag & F_RCODE] ?? "Unknown error"}`);
  }
  if (t === null) return;
  const bits = flag & F_RESPONSE ? (wack ? RESP_WACK_FLAGS : RESP_FLAGS) : REQ_FLAGS;
  t.addBitmask(f.flags, tvb, o, 2, flag, bits);
}

function dissectQuery(tvb: Tvb, pinfo: PacketInfo | null, offset: number, t: Item): number {
  const nm = getNbnsName(tvb, offset);
  const nameLen = nm.used;
  const type = tvb.u16(offset + nameLen);
  const cls = tvb.u16(offset + nameLen + 2);
  const len = nameLen + 4;
  const tn = typeName(type);
  if (pinfo !== null) pinfo.appendInfo(` ${tn} ${nm.name}`);
  const full = t.tree.full;
  const q = t.addText(tvb, offset, len, `${nm.name}: type ${tn}, class ${className(cls)}`);
  q.add(f.name, tvb, offset, nameLen, nm.name, full && nm.type !== -1 ? `${nm.name} (${nameTypeDescr(nm.type)})` : undefined);
  q.add(f.type, tvb, offset + nameLen, 2, type);
  q.add(f.class, tvb, offset + nameLen + 2, 2, cls);
  return len;
}

/** "incomplete entry" (ei_nbns_incomplete_entry) over what is left of the data; past the end it is malformed. */
function incomplete(rr: Item, tvb: Tvb, o: number, len: number): void {
  rr.addText(tvb, o, len, "incomplete entry").expert("error", "malformed", "incomplete entry", "nbns", "nbns.incomplete_entry");
  // expert.c checks the bytes after the item is added, tree or not
  tvb.ensure(o, len);
}

/** proto_tree_add_item: the bytes must be there, tree or not. */
function item(rr: Item, hf: typeof f.addr, tvb: Tvb, o: number, len: number): void {
  let v: number | Uint8Array;
  if (hf.type === "ether") v = tvb.bytes(o, 6);
  else if (len === 1) v = tvb.u8(o);
  else if (len === 2) v = tvb.u16(o);
  else v = tvb.u32(o);
  rr.add(hf, tvb, o, len, v);
}

function dissectAnswer(tvb: Tvb, pinfo: PacketInfo, info: boolean, offset: number, t: Item, opcode: number): number {
  const full = t.tree.full;
  const nm = getNbnsName(tvb, offset);
  const nameLen = nm.used;
  let cur = offset + nameLen;
  const type = tvb.u16(cur);
  const cls = tvb.u16(cur + 2);
  cur += 4;
  const tn = typeName(type);
  const ttl = tvb.u32(cur);
  cur += 4;
  let dataLen = tvb.u16(cur);
  cur += 2;

  const built = t.tree.built;
  const rrTree = (name: string): Item => {
    // the RR's subtree spans its data, which must be there when tshark builds a tree
    if (built) tvb.ensure(offset, cur - offset + dataLen);
    const rr = t.addText(tvb, offset, cur - offset + dataLen, `${nm.name}: type ${tn}, class ${className(cls)}`);
    rr.add(f.name, tvb, offset + 1, nameLen - 1, name);
    rr.add(f.type, tvb, offset + nameLen, 2, type);
    rr.add(f.class, tvb, offset + nameLen + 2, 2, cls);
    rr.add(f.ttl, tvb, offset + nameLen + 4, 4, ttl, full ? signedTimeSecsToStr(ttl | 0) : undefined);
    rr.add(f.dataLength, tvb, offset + nameLen + 8, 2, dataLen);
    return rr;
  };

  switch (type) {
    case T_NB: {
      // tshark reads the address only to fill the Info column, when columns are wanted
      if (info && opcode !== OPCODE_WACK && pinfo.cols !== null) {
        const a = tvb.bytes(cur + 2, 4);
        pinfo.appendInfo(` ${tn} ${a[0]}.${a[1]}.${a[2]}.${a[3]}`);
      }
      const rr = rrTree(`${nm.name} (${nameTypeDescr(nm.type)})`);
      while (dataLen > 0) {
        if (opcode === OPCODE_WACK) {
          if (dataLen < 2) { incomplete(rr, tvb, cur, dataLen); break; }
          addNbnsFlags(null, rr, tvb, cur, true);
          cur += 2;
          dataLen -= 2;
        } else {
          if (dataLen < 2) { incomplete(rr, tvb, cur, dataLen); break; }
          const fl = tvb.u16(cur);
          const ti = rr.addBitmask(f.nbFlags, tvb, cur, 2, fl, NB_FLAGS);
          if (full) ti.appendText(` (${NB_FLAGS_ONT[fl & 0x6000] ?? "Unknown"}, ${fl & 0x8000 ? "group" : "unique"})`);
          cur += 2;
          dataLen -= 2;
          if (dataLen < 4) { incomplete(rr, tvb, cur, dataLen); break; }
          item(rr, f.addr, tvb, cur, 4);
          cur += 4;
          dataLen -= 4;
        }
      }
      break;
    }
    case T_NBSTAT: {
      if (info) pinfo.appendInfo(` ${tn}`);
      const rr = rrTree(nm.name);
      if (dataLen < 1) { incomplete(rr, tvb, cur, dataLen); break; }
      let numNames = tvb.u8(cur);
      item(rr, f.numberOfNames, tvb, cur, 1);
      cur += 1;
      while (numNames !== 0) {
        if (dataLen < 16) { incomplete(rr, tvb, cur, dataLen); return cur - offset; }
        // the names and their flags are read only into a tree
        if (built) {
          const b = tvb.bytes(cur, 16);
          const s = processNetbiosName(b, nameLen);
          const nt = b[15];
          rr.add(f.netbiosName, tvb, cur, 16, s, full ? `${s}<${HEX[nt >> 4]}${HEX[nt & 15]}> (${nameTypeDescr(nt)})` : undefined);
        }
        cur += 16;
        dataLen -= 16;
        if (dataLen < 2) { incomplete(rr, tvb, cur, dataLen); return cur - offset; }
        if (built) rr.addBitmask(f.nameFlags, tvb, cur, 2, tvb.u16(cur), NAME_FLAGS);
        cur += 2;
        dataLen -= 2;
        numNames--;
      }
      const stats: [typeof f.addr, number][] = [
        [f.unitId, 6], [f.jumpers, 1], [f.testResult, 1], [f.versionNumber, 2], [f.periodOfStatistics, 2],
        [f.numCrcs, 2], [f.numAlignmentErrors, 2], [f.numCollisions, 2], [f.numSendAborts, 2], [f.numGoodSends, 4],
        [f.numGoodReceives, 4], [f.numRetransmits, 2], [f.numNoResourceConditions, 2], [f.numCommandBlocks, 2],
        [f.numPendingSessions, 2], [f.maxNumPendingSessions, 2], [f.maxTotalSessionsPossible, 2], [f.sessionDataPacketSize, 2],
      ];
      for (const [hf, n] of stats) {
        if (dataLen < n) { incomplete(rr, tvb, cur, dataLen); break; }
        item(rr, hf, tvb, cur, n);
        cur += n;
        dataLen -= n;
      }
      break;
    }
    default: {
      if (info) pinfo.appendInfo(` ${tn}`);
      const rr = rrTree(nm.name);
      if (built) rr.add(f.data, tvb, cur, dataLen, tvb.bytes(cur, dataLen));
      cur += dataLen;
      break;
    }
  }
  return cur - offset;
}

function dissectRecords(tvb: Tvb, pinfo: PacketInfo, cur: number, count: number, info: boolean, t: Item, opcode: number, label: string | null): number {
  const start = cur;
  // a subtree "to the end" needs a byte left when tshark builds a tree
  if (t.tree.built) tvb.ensure(start, 1);
  const qa = t.addText(tvb, start, tvb.remaining(start), label ?? "Queries");
  while (count-- > 0) {
    cur += label === null ? dissectQuery(tvb, info ? pinfo : null, cur, qa) : dissectAnswer(tvb, pinfo, info, cur, qa, opcode);
  }
  qa.setLen(cur - start);
  return cur - start;
}

function dissectNbns(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  pinfo.setProtocol("NBNS");
  pinfo.setInfo("");
  const id = tvb.u16(0);
  const flags = tvb.u16(2);
  const opcode = (flags & 0x7800) >> 11;
  pinfo.setInfo(`${OPCODES[opcode] ?? `Unknown operation (${opcode})`}${flags & F_RESPONSE ? " response" : ""}`);
  const t = tree.add(nbns.hf, tvb, 0, tvb.length, null);
  t.add(f.id, tvb, 0, 2, id);
  addNbnsFlags(pinfo, t, tvb, 2, false);
  const quest = tvb.u16(4);
  t.add(f.countQueries, tvb, 4, 2, quest);
  const ans = tvb.u16(6);
  t.add(f.countAnswers, tvb, 6, 2, ans);
  const auth = tvb.u16(8);
  t.add(f.countAuth, tvb, 8, 2, auth);
  const add = tvb.u16(10);
  t.add(f.countAdd, tvb, 10, 2, add);
  let cur = 12;
  const response = (flags & F_RESPONSE) !== 0;
  if (quest > 0) cur += dissectRecords(tvb, pinfo, cur, quest, !response, t, opcode, null);
  if (ans > 0) cur += dissectRecords(tvb, pinfo, cur, ans, response, t, opcode, "Answers");
  if (auth > 0) cur += dissectRecords(tvb, pinfo, cur, auth, false, t, opcode, "Authoritative nameservers");
  if (add > 0) dissectRecords(tvb, pinfo, cur, add, false, t, opcode, "Additional records");
  return tvb.length;
}
