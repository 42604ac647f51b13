/**
 * TCP options (tcp_dissect_options and the per-kind dissectors of packet-tcp.c, 4.0):
 * MSS, window scale, SACK (tcp-options-sack.ts), timestamps, echo, CC, MD5, SCPS capabilities,
 * SNACK, Quick-Start, user timeout, MPTCP head, TFO, AccECN and RFC 6994 experiments.
 * An option's head (item, Kind, Length) is tcp-common.ts's optionHead.
 */
import { TH_ACK, TH_SYN, type TcpStream } from "../src/analysis/tcp.js";
import { hex } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { clearLenItem, expert, expertItem, f, lenItem, lenOk, NO_BYTES, optionHead, want, type Hdr } from "./tcp-common.js";
import { dissectSack } from "./tcp-options-sack.js";
import { EXIDS, OPTION_NAMES, QS_RATES } from "./tcp-fields.js";

export function dissectOptions(tvb: Tvb, start: number, total: number, pinfo: PacketInfo, optItem: Item, hdr: Hdr, st: TcpStream): void {
  const full = optItem.tree.full;
  const cols = pinfo.cols !== null;
  let offset = start;
  let length = total;
  let nopCount = 0;
  let mssSeen = false;
  let eolSeen = false;
  let names = "";
  try {
    while (length > 0) {
      const opt = tvb.u8(offset);
      length--;
      if (eolSeen && opt !== 0) {
        // 4.0: only zero padding may follow an EOL; the note is added (over the bytes there are),
        // then its bytes must be there (tshark)
        const have = Math.min(length + 1, tvb.length - offset);
        expert(optItem.addText(tvb, offset, have, "Non-zero header padding"), f.eNonZeroAfterEol, "error", "protocol", "Non-zero header padding");
        tvb.ensure(offset, length + 1);
        return;
      }
      if (opt === 0 || opt === 1) {
        if (opt === 1) {
          if (nopCount === 0 || offset % 4 !== 0) {
            nopCount++;
            if (nopCount === 4) expert(optItem, f.eNop, "warn", "protocol", "4 NOP in a row - a router may have removed some options");
          } else {
            nopCount = 0;
          }
        }
        // optionHead() without a sub-tvb per NOP/EOL (items keep the data source and absolute offset)
        const fld = opt === 0 ? f.optEol : f.optNop;
        const item = optItem.add(fld, tvb, offset, 1, want(optItem.tree, fld) ? tvb.bytes(offset, 1) : NO_BYTES);
        if (full) item.setText(fld.name);
        item.add(f.optionKind, tvb, offset, 1, opt);
        clearLenItem();
        if (full) names += opt === 0 ? ", End of Option List (EOL)" : ", No-Operation (NOP)";
        offset += 1;
        if (opt === 0) eolSeen = true;
        continue;
      }
      const known = OPTION_NAMES[opt];
      const name = known ?? `Unknown (0x${hex(opt, 2)})`;
      if (length === 0) {
        expertItem(optItem, tvb, offset, 1, f.eOptLenInvalid, "note", "sequence", `${name} (length byte past end of options)`);
        return;
      }
      const optlen = tvb.u8(offset + 1);
      length--;
      if (optlen < 2) {
        expertItem(optItem, tvb, offset, 2, f.eOptLenInvalid, "note", "sequence",
          `${name} (with too-short option length = ${optlen} byte${optlen === 1 ? "" : "s"})`);
        return;
      } else if (optlen - 2 > length) {
        expertItem(optItem, tvb, offset, length, f.eOptLenInvalid, "note", "sequence",
          `${name} (option length = ${optlen} byte${optlen === 1 ? "" : "s"} says option goes past end of options)`);
        return;
      }
      if (opt === 2) mssSeen = true;
      const otvb = tvb.sub(offset, optlen);
      dissectOption(opt, otvb, optlen, pinfo, optItem, hdr, st, cols);
      if (full) names += ", " + name;
      offset += optlen;
      length -= optlen - 2;
    }
    if (hdr.flags & TH_SYN && !mssSeen) expert(optItem, f.eMssAbsent, "note", "protocol", "The SYN packet does not contain a MSS option");
  } finally {
    if (full && names !== "") optItem.appendText(names);
  }
}

function dissectOption(kind: number, o: Tvb, optlen: number, pinfo: PacketInfo, parent: Item, hdr: Hdr, st: TcpStream, cols: boolean): void {
  const full = parent.tree.full;
  switch (kind) {
    case 2: { // MSS
      // (tshark notes an MSS outside a SYN on the item before its Kind and Length)
      const item = optionHead(parent, f.optMss, o, true, hdr.flags & TH_SYN ? undefined : mssPresent);
      if (!lenOk(lenItem, optlen, 4)) return;
      const mss = o.u16(2);
      item.add(f.mssVal, o, 2, 2, mss);
      if (full) item.appendText(`: ${mss} bytes`);
      if (cols) pinfo.appendInfo(` MSS=${mss}`);
      return;
    }
    case 3: { // window scale
      const item = optionHead(parent, f.optWscale, o, true);
      if (!lenOk(lenItem, optlen, 3)) return;
      const val = o.u8(2);
      const si = item.add(f.wscaleShift, o, 2, 1, val);
      let shift = val;
      if (shift > 14) {
        shift = 14;
        expert(si, f.eWscaleInvalid, "warn", "protocol", "Window scale shift exceeds 14");
      }
      const mult = 1 << shift;
      item.addGenerated(f.wscaleMultiplier, o, 2, 1, mult);
      if (full) item.appendText(`: ${val} (multiply by ${mult})`);
      if (cols) pinfo.appendInfo(` WS=${mult}`);
      st.fwd.winScale = shift;
      return;
    }
    case 4: { // SACK permitted
      optionHead(parent, f.optSackPerm, o, true);
      if (cols) pinfo.appendInfo(" SACK_PERM");
      lenOk(lenItem, optlen, 2);
      return;
    }
    case 5:
      dissectSack(o, optlen, pinfo, parent, hdr, st, cols);
      return;
    case 6: // echo
    case 7: { // echo reply (tshark 4.0 dissects it as an echo option: "TCP Option - Echo: N")
      const item = optionHead(parent, f.optEcho, o, true);
      if (!lenOk(lenItem, optlen, 6)) return;
      const v = o.u32(2);
      item.add(f.echoValue, o, 2, 4, v);
      if (full) item.appendText(`: ${v}`);
      if (cols) pinfo.appendInfo(` ECHO=${v}`);
      return;
    }
    case 8: { // timestamps
      const item = optionHead(parent, f.optTimestamp, o, true);
      if (!lenOk(lenItem, optlen, 10)) return;
      const tsval = o.u32(2);
      const tsecr = o.u32(6);
      item.add(f.tsval, o, 2, 4, tsval);
      item.add(f.tsecr, o, 6, 4, tsecr);
      if (full) item.appendText(`: TSval ${tsval}, TSecr ${tsecr}`);
      if (cols) pinfo.appendInfo(` TSval=${tsval} TSecr=${tsecr}`);
      return;
    }
    case 11: // CC, CC.NEW, CC.ECHO (RFC 1644)
    case 12:
    case 13: {
      const item = optionHead(parent, f.optCc, o, true);
      if (!lenOk(lenItem, optlen, 6)) return;
      const v = o.u32(2);
      item.add(f.ccValue, o, 2, 4, v);
      if (cols) pinfo.appendInfo(` CC=${v}`);
      return;
    }
    case 19: { // MD5 signature
      const item = optionHead(parent, f.optMd5, o, true);
      if (cols) pinfo.appendInfo(" MD5");
      if (!lenOk(lenItem, optlen, 18)) return;
      item.add(f.md5Digest, o, 2, 16, o.bytes(2, 16));
      return;
    }
    case 20:
      scps(o, optlen, pinfo, parent, st, cols);
      return;
    case 21: { // SNACK
      const item = optionHead(parent, f.optSnack, o, true);
      if (!lenOk(lenItem, optlen, 6)) return;
      item.add(f.snackOffset, o, 2, 2, o.u16(2));
      item.add(f.snackSize, o, 4, 2, o.u16(4));
      // tshark 4.0 then reads the segment's ACK at offset 8 of the option's own 6 bytes: every
      // SNACK option ends the TCP dissection as a malformed packet there, and so does nestcap's
      o.u32(8);
      return;
    }
    case 22:
    case 23:
      optionHead(parent, kind === 22 ? f.optScpsRec : f.optScpsCor, o, true);
      lenOk(lenItem, optlen, 2);
      return;
    case 27: { // Quick-Start Response (RFC 4782)
      const item = optionHead(parent, f.optQs, o, true);
      if (!lenOk(lenItem, optlen, 8)) return;
      const rate = o.u8(2) & 0x0f;
      if (cols) pinfo.appendInfo(` QSresp=${QS_RATES[rate]}`);
      item.add(f.qsRate, o, 2, 1, rate);
      item.add(f.qsTtlDiff, o, 3, 1, o.u8(3));
      return;
    }
    case 29: { // TCP Authentication Option (RFC 5925): key ids, then the MAC
      const item = optionHead(parent, f.optAo, o, true);
      if (cols) pinfo.appendInfo("TCP AO"); // (tshark appends it without a space)
      if (optlen < 4) {
        if (lenItem !== null) expert(lenItem, f.eOptLenInvalid, "note", "sequence", "option length should be >= than 4");
        return;
      }
      item.add(f.aoKeyid, o, 2, 1, o.u8(2));
      item.add(f.aoRnextKeyid, o, 3, 1, o.u8(3));
      if (optlen > 4) item.add(f.aoMac, o, 4, optlen - 4, o.bytes(4, optlen - 4));
      return;
    }
    case 28: { // user timeout
      const item = optionHead(parent, f.optUserTo, o, true);
      if (!lenOk(lenItem, optlen, 4)) return;
      const v = o.u16(2);
      item.add(f.userToGranularity, o, 2, 2, (v & 0x8000) !== 0);
      item.add(f.userToVal, o, 2, 2, v & 0x7fff);
      if (cols) pinfo.appendInfo(` USER_TO=${v & 0x7fff}`);
      return;
    }
    case 30: { // MPTCP: the option head only; its subtype drives the dup-ACK tolerance
      // tshark's MPTCP option dissector is a protocol of its own: "mptcp" follows "tcp" in frame.protocols
      pinfo.layers.push("mptcp");
      const item = optionHead(parent, f.optMptcp, o, true);
      if (full) item.setText("Multipath Transmission Control Protocol");
      hdr.hasMptcp = true;
      if (optlen >= 3) hdr.mptcp |= 1 << (o.u8(2) >> 4 & 7);
      return;
    }
    case 34: { // TCP Fast Open
      const item = optionHead(parent, f.optTfo, o, true);
      tfoPayload(o, 0, optlen, pinfo, item, hdr, st, cols);
      return;
    }
    case 172: // AccECN order 0 / order 1 (their own option kinds)
    case 174: {
      const item = optionHead(parent, f.optAccEcn, o, true);
      accEcn(o, 2, optlen - 2, kind === 174, pinfo, item, cols);
      return;
    }
    case 253:
    case 254: { // RFC 6994 experiments: an experiment identifier, then its data
      const item = optionHead(parent, f.optExp, o, true);
      if (optlen < 4) {
        if (lenItem !== null) expert(lenItem, f.eOptLenInvalid, "note", "sequence", `option length ${optlen} smaller than 4`);
        return;
      }
      const exid = o.u16(2);
      item.add(f.expExid, o, 2, 2, exid);
      const en = EXIDS[exid];
      if (full) item.appendText(": " + (en ?? "Unknown"));
      if (exid === 0xf989) tfoPayload(o, 2, optlen - 2, pinfo, item, hdr, st, cols);
      else if (exid === 0xacc0 || exid === 0xacc1) accEcn(o, 4, optlen - 4, exid === 0xacc1, pinfo, item, cols);
      else {
        if (optlen > 4) item.add(f.expData, o, 4, optlen - 4, o.bytes(4, optlen - 4));
        if (cols) pinfo.appendInfo(` ExID=${exid.toString(16).toUpperCase()}`);
      }
      return;
    }
    default: {
      const known = OPTION_NAMES[kind];
      if (known !== undefined) {
        const item = optionHead(parent, f.optOther, o, true);
        if (full) item.setText("TCP Option - " + known);
        return;
      }
      const item = optionHead(parent, f.optUnknown, o, true);
      if (optlen > 2) item.add(f.unknownPayload, o, 2, optlen - 2, o.bytes(2, optlen - 2));
    }
  }
}

/** The SCPS capabilities the vector's bits name, in order (0x07: any reserved bit). */
const SCPS_CAPS: readonly [number, string][] = [[0x80, "BETS"], [0x40, "SNACK1"], [0x20, "SNACK2"], [0x10, "COMP"], [0x08, "NLTS"], [0x07, "RESERVED"]];

/**
 * SCPS capabilities (CCSDS 714.0-B-2 3.2.3): 4 bytes, a capability vector and a connection
 * id; any other length is the "extended capabilities" form (3.2.5), legal only after a
 * capabilities option in the same direction: its binding spaces, each an id, a length in
 * 16-bit words and opaque data.
 */
function scps(o: Tvb, optlen: number, pinfo: PacketInfo, parent: Item, st: TcpStream, cols: boolean): void {
  const full = parent.tree.full;
  const item = optionHead(parent, f.optScps, o, true);
  if (optlen === 4) {
    const v = o.u8(2);
    const vi = item.add(f.scpsVector, o, 2, 1, v);
    for (const fld of [f.scpsBets, f.scpsSnack1, f.scpsSnack2, f.scpsCompress, f.scpsNlts]) vi.add(fld, o, 2, 1, (v & fld.bitmask!) !== 0);
    vi.add(f.scpsReserved, o, 2, 1, v & 0x07);
    if (v !== 0) {
      const names = SCPS_CAPS.filter(([m]) => (v & m) !== 0).map(([, n]) => n).join(", ");
      if (full) vi.appendText(` (${names})`);
      if (cols) pinfo.appendInfo(` SCPS[${names}]`);
    }
    const connid = o.u8(3);
    item.add(f.scpsConnectionId, o, 3, 1, connid);
    st.fwd.scpsCapable = true;
    if (connid !== 0 && cols) pinfo.appendInfo(` Connection ID=${connid}`);
    return;
  }
  if (!st.fwd.scpsCapable) {
    if (full) item.setText(`Illegal SCPS Extended Capabilities (${optlen} bytes)`);
    return;
  }
  if (full) item.setText(`SCPS Extended Capabilities (${optlen} bytes)`);
  for (let at = 2; optlen > at; ) {
    const id = o.u8(at);
    const len = (o.u8(at + 1) >> 4) << 1;
    item.add(f.scpsBindingId, o, at, 1, id);
    item.add(f.scpsBindingLen, o, at + 1, 1, len);
    at += 2;
    item.add(f.scpsBindingData, o, at, len, o.bytes(at, len));
    if (cols) pinfo.appendInfo(` EXCAP=${id}`);
    at += len;
  }
}

const mssPresent = (item: Item): void => expert(item, f.eMssPresent, "warn", "protocol", "The non-SYN packet does contain a MSS option");

function tfoPayload(o: Tvb, off: number, optlen: number, pinfo: PacketInfo, item: Item, hdr: Hdr, st: TcpStream, cols: boolean): void {
  if (optlen === 2) {
    item.add(f.tfoRequest, o, off, 2, null);
    if (cols) pinfo.appendInfo(" TFO=R");
  } else if (optlen > 2) {
    const c = item.add(f.tfoCookie, o, off + 2, optlen - 2, o.bytes(off + 2, optlen - 2));
    if (cols) pinfo.appendInfo(" TFO=C");
    if ((hdr.flags & (TH_SYN | TH_ACK)) === TH_SYN) {
      expert(c, f.eTfoSyn, "note", "sequence", "TCP SYN with TFO Cookie");
      if (hdr.haveSeglen && hdr.seglen !== 0) st.tfoSynData = true;
    }
  }
}

/** AccECN counters (order 0: EE0B, ECEB, EE1B; order 1: EE1B, ECEB, EE0B), 3 bytes each. */
function accEcn(o: Tvb, off: number, len: number, order1: boolean, pinfo: PacketInfo, item: Item, cols: boolean): void {
  const order = order1 ? [f.accEcnEe1b, f.accEcnEceb, f.accEcnEe0b] : [f.accEcnEe0b, f.accEcnEceb, f.accEcnEe1b];
  const names = order1 ? ["EE1B", "ECEB", "EE0B"] : ["EE0B", "ECEB", "EE1B"];
  let text = "";
  let info = "";
  for (let i = 0; i < 3 && len >= 3; i++, off += 3, len -= 3) {
    const v = o.u24(off);
    item.add(order[i], o, off, 3, v);
    text += (i === 0 ? "" : ", ") + `${names[i]} ${v}`;
    info += ` ${names[i]}=${v}`;
  }
  if (item.tree.full) item.appendText(`: Accurate ECN (Order ${order1 ? 1 : 0}): ${text}`);
  if (cols) pinfo.appendInfo(info);
}
