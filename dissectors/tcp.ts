/**
 * Transmission Control Protocol (RFC 9293), as tshark 4.0 shows it: header, options,
 * relative sequence numbers, window scaling, conversation timestamps and the one-pass
 * SEQ/ACK analysis (src/analysis/tcp.ts). The payload goes to the "tcp.port" table
 * (server port, then low port, then high port), then the "tcp" heuristics, then data.
 *
 * The payload dissector gets a TcpSegment as `data` (stream, direction, relative
 * seq): that is the seam where stream reassembly plugs in later (see analysis/tcp.ts).
 */
import {
  analyzeSequenceNumber, COMPLETENESS_ACK, COMPLETENESS_DATA, COMPLETENESS_FIN, COMPLETENESS_RST,
  COMPLETENESS_SYNACK, COMPLETENESS_SYNSENT, GE_SEQ, LE_SEQ, LT_SEQ, MAX_SACK_RANGES, TA_ACK_LOST_PACKET,
  TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK, TA_LOST_PACKET, TA_OUT_OF_ORDER,
  TA_RETRANSMISSION, TA_REUSED_PORTS, TA_SPURIOUS_RETRANSMISSION, TA_WINDOW_FULL, TA_WINDOW_UPDATE,
  TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE, TA_ZERO_WINDOW_PROBE_ACK, TcpState, tcpStreamFor, TH_ACK, TH_AE,
  TH_CWR, TH_ECE, TH_FIN, TH_MASK, TH_PUSH, TH_RES, TH_RST, TH_SYN, TH_URG,
  type TcpSegment, type TcpStream,
} from "../src/analysis/tcp.js";
import type { ExpertGroup, Severity } from "../src/core/expert.js";
import type { Field, FieldSpec, Time } from "../src/core/field.js";
import { bitString, hex } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { callData, callDissector, defineProtocol, lookupTable, tryHeuristics, CHECKSUM_STATUS } from "../src/core/proto.js";
import type { Item, Tree } from "../src/core/tree.js";
import { Tvb as TvbCtor, type Tvb } from "../src/core/tvb.js";
import {
  desegment, FD_MULTIPLETAILS, FD_OVERLAP, FD_OVERLAPCONFLICT, FD_TOOLONGFRAGMENT, finishAtFin, FlowReassembly, MAX_PENDING,
  type DesegmentHooks, type Msp,
} from "../src/analysis/reassembly.js";

const FLAG12 = { type: "bool" as const, bits: 12 };
const OPT = (abbrev: string, name: string): FieldSpec => ({ abbrev, name, type: "bytes" });
const EXPERT = (abbrev: string, name: string): FieldSpec => ({ abbrev, name, type: "none" });

/** tcp_option_kind_vs */
const OPTION_KINDS: Record<number, string> = {
  0: "End of Option List", 1: "No-Operation", 2: "Maximum Segment Size", 3: "Window Scale", 4: "SACK Permitted",
  5: "SACK", 6: "Echo", 7: "Echo Reply", 8: "Time Stamp Option", 9: "Partial Order Connection Permitted",
  10: "Partial Order Service Profile", 11: "CC", 12: "CC.NEW", 13: "CC.ECHO", 14: "TCP Alternate Checksum Request",
  15: "TCP Alternate Checksum Data", 16: "Skeeter", 17: "Bubba", 18: "Trailer Checksum Option", 19: "MD5 Signature Option",
  20: "SCPS Capabilities", 21: "Selective Negative Acknowledgements", 22: "Record Boundaries", 23: "Corruption experienced",
  24: "SNAP", 25: "Unassigned", 26: "TCP Compression Filter", 27: "Quick-Start Response", 28: "User Timeout Option",
  29: "The TCP Authentication Option", 30: "Multipath TCP", 34: "TCP Fast Open Cookie",
  76: "Riverbed Probe", 78: "Riverbed Transparency", 172: "Accurate ECN Order 0 (AccECN0)", 174: "Accurate ECN Order 1 (AccECN1)",
  253: "RFC3692-style Experiment 1", 254: "RFC3692-style Experiment 2",
};

/** Options Wireshark has a dissector for: kind → short name shown in "Options: (n bytes), …". */
const OPTION_NAMES: Record<number, string> = {
  2: "Maximum segment size", 3: "Window scale", 4: "SACK permitted", 5: "SACK", 6: "Echo", 7: "Echo reply",
  8: "Timestamps", 11: "CC", 12: "CC.NEW", 13: "CC.ECHO", 19: "TCP MD5 signature", 20: "SCPS capabilities",
  21: "Selective Negative Acknowledgment", 22: "SCPS record boundary", 23: "SCPS corruption experienced",
  27: "Quick-Start", 28: "User Timeout", 29: "TCP AO", 30: "MPTCP", 34: "TCP Fast Open", 76: "Riverbed Probe",
  78: "Riverbed Transparency", 172: "Accurate ECN", 174: "Accurate ECN", 253: "Experimental", 254: "Experimental",
};

const EXIDS: Record<number, string> = { 0xf989: "Fast Open", 0xacc0: "Accurate ECN - Order 0", 0xacc1: "Accurate ECN - Order 1" };



export const tcp = defineProtocol({
  name: "Transmission Control Protocol",
  abbrev: "tcp",
  short: "TCP",
  fields: {
    srcport: { abbrev: "tcp.srcport", name: "Source Port", type: "uint16" },
    dstport: { abbrev: "tcp.dstport", name: "Destination Port", type: "uint16" },
    port: { abbrev: "tcp.port", name: "Source or Destination Port", type: "uint16" },
    stream: { abbrev: "tcp.stream", name: "Stream index", type: "uint32" },
    completeness: { abbrev: "tcp.completeness", name: "Conversation completeness", type: "uint8" },
    len: { abbrev: "tcp.len", name: "TCP Segment Len", type: "uint32" },
    seq: { abbrev: "tcp.seq", name: "Sequence Number", type: "uint32" },
    seqRaw: { abbrev: "tcp.seq_raw", name: "Sequence Number (raw)", type: "uint32" },
    nxtseq: { abbrev: "tcp.nxtseq", name: "Next Sequence Number", type: "uint32" },
    ack: { abbrev: "tcp.ack", name: "Acknowledgment Number", type: "uint32" },
    ackRaw: { abbrev: "tcp.ack_raw", name: "Acknowledgment number (raw)", type: "uint32" },
    hdrLen: { abbrev: "tcp.hdr_len", name: "Header Length", type: "uint8" },
    flags: { abbrev: "tcp.flags", name: "Flags", type: "uint16", base: "hex", bitmask: TH_MASK },
    flagsRes: { ...FLAG12, abbrev: "tcp.flags.res", name: "Reserved", bitmask: TH_RES },
    flagsAe: { ...FLAG12, abbrev: "tcp.flags.ae", name: "Accurate ECN", bitmask: TH_AE },
    flagsCwr: { ...FLAG12, abbrev: "tcp.flags.cwr", name: "Congestion Window Reduced", bitmask: TH_CWR },
    flagsEce: { ...FLAG12, abbrev: "tcp.flags.ece", name: "ECN-Echo", bitmask: TH_ECE },
    flagsAce: { abbrev: "tcp.flags.ace", name: "ACE", type: "uint8" },
    flagsUrg: { ...FLAG12, abbrev: "tcp.flags.urg", name: "Urgent", bitmask: TH_URG },
    flagsAck: { ...FLAG12, abbrev: "tcp.flags.ack", name: "Acknowledgment", bitmask: TH_ACK },
    flagsPush: { ...FLAG12, abbrev: "tcp.flags.push", name: "Push", bitmask: TH_PUSH },
    flagsReset: { ...FLAG12, abbrev: "tcp.flags.reset", name: "Reset", bitmask: TH_RST },
    flagsSyn: { ...FLAG12, abbrev: "tcp.flags.syn", name: "Syn", bitmask: TH_SYN },
    flagsFin: { ...FLAG12, abbrev: "tcp.flags.fin", name: "Fin", bitmask: TH_FIN },
    flagsStr: { abbrev: "tcp.flags.str", name: "TCP Flags", type: "string" },
    windowSizeValue: { abbrev: "tcp.window_size_value", name: "Window", type: "uint16" },
    windowSize: { abbrev: "tcp.window_size", name: "Calculated window size", type: "uint32" },
    windowScale: { abbrev: "tcp.window_size_scalefactor", name: "Window size scaling factor", type: "int32" },
    checksum: { abbrev: "tcp.checksum", name: "Checksum", type: "uint16", base: "hex" },
    checksumStatus: { abbrev: "tcp.checksum.status", name: "Checksum Status", type: "uint8", base: "none", strings: CHECKSUM_STATUS },
    urgentPointer: { abbrev: "tcp.urgent_pointer", name: "Urgent Pointer", type: "uint16" },
    options: { abbrev: "tcp.options", name: "TCP Options", type: "bytes" },
    optionKind: { abbrev: "tcp.option_kind", name: "Kind", type: "uint8", strings: OPTION_KINDS },
    optionLen: { abbrev: "tcp.option_len", name: "Length", type: "uint8" },
    optNop: OPT("tcp.options.nop", "TCP Option - No-Operation (NOP)"),
    optEol: OPT("tcp.options.eol", "TCP Option - End of Option List (EOL)"),
    optMss: OPT("tcp.options.mss", "TCP Option - Maximum segment size"),
    mssVal: { abbrev: "tcp.options.mss_val", name: "MSS Value", type: "uint16" },
    optWscale: OPT("tcp.options.wscale", "TCP Option - Window scale"),
    wscaleShift: { abbrev: "tcp.options.wscale.shift", name: "Shift count", type: "uint8" },
    wscaleMultiplier: { abbrev: "tcp.options.wscale.multiplier", name: "Multiplier", type: "uint16" },
    optSackPerm: OPT("tcp.options.sack_perm", "TCP Option - SACK permitted"),
    optSack: OPT("tcp.options.sack", "TCP Option - SACK"),
    sackLe: { abbrev: "tcp.options.sack_le", name: "TCP SACK Left Edge", type: "uint32" },
    sackRe: { abbrev: "tcp.options.sack_re", name: "TCP SACK Right Edge", type: "uint32" },
    sackCount: { abbrev: "tcp.options.sack.count", name: "TCP SACK Count", type: "uint8" },
    dsackLe: { abbrev: "tcp.options.sack.dsack_le", name: "TCP D-SACK Left Edge", type: "uint32" },
    dsackRe: { abbrev: "tcp.options.sack.dsack_re", name: "TCP D-SACK Right Edge", type: "uint32" },
    optTimestamp: OPT("tcp.options.timestamp", "TCP Option - Timestamps"),
    tsval: { abbrev: "tcp.options.timestamp.tsval", name: "Timestamp value", type: "uint32" },
    tsecr: { abbrev: "tcp.options.timestamp.tsecr", name: "Timestamp echo reply", type: "uint32" },
    optEcho: OPT("tcp.options.echo", "TCP Option - Echo"),
    echoValue: { abbrev: "tcp.options.echo_value", name: "TCP Echo Option", type: "uint32" },
    optCc: OPT("tcp.options.cc", "TCP Option - CC"),
    ccValue: { abbrev: "tcp.options.cc_value", name: "TCP CC Option", type: "uint32" },
    optAccEcn: OPT("tcp.options.acc_ecn", "TCP Option - Accurate ECN"),
    optMd5: OPT("tcp.options.md5", "TCP Option - TCP MD5 signature"),
    md5Digest: { abbrev: "tcp.options.md5.digest", name: "MD5 digest", type: "bytes" },
    optUserTo: OPT("tcp.options.user_to", "TCP Option - User Timeout"),
    userToGranularity: { abbrev: "tcp.options.user_to_granularity", name: "Granularity", type: "bool", bits: 16, bitmask: 0x8000, tfs: ["Minutes", "Seconds"] },
    userToVal: { abbrev: "tcp.options.user_to_val", name: "User Timeout", type: "uint16", bits: 16, bitmask: 0x7fff },
    optTfo: OPT("tcp.options.tfo", "TCP Option - TCP Fast Open"),
    tfoRequest: { abbrev: "tcp.options.tfo.request", name: "Fast Open Cookie Request", type: "none" },
    tfoCookie: { abbrev: "tcp.options.tfo.cookie", name: "Fast Open Cookie", type: "bytes" },
    optExp: OPT("tcp.options.experimental", "TCP Option - Experimental"),
    expExid: { abbrev: "tcp.options.experimental.exid", name: "Experiment Identifier", type: "uint16", base: "hex", strings: EXIDS },
    expData: { abbrev: "tcp.options.experimental.data", name: "Data", type: "bytes" },
    accEcnEe0b: { abbrev: "tcp.options.acc_ecn.ee0b", name: "Accurate ECN Echo ECT(0) Byte Counter", type: "uint24" },
    accEcnEceb: { abbrev: "tcp.options.acc_ecn.eceb", name: "Accurate ECN Echo CE Byte Counter", type: "uint24" },
    accEcnEe1b: { abbrev: "tcp.options.acc_ecn.ee1b", name: "Accurate ECN Echo ECT(1) Byte Counter", type: "uint24" },
    optMptcp: OPT("tcp.options.mptcp", "Multipath Transmission Control Protocol"),
    optOther: OPT("tcp.options.other", "TCP Option"),
    optUnknown: OPT("tcp.options.unknown", "TCP Option - Unknown"),
    unknownPayload: { abbrev: "tcp.options.unknown.payload", name: "Payload", type: "bytes" },
    analysis: { abbrev: "tcp.analysis", name: "SEQ/ACK analysis", type: "none" },
    analysisFlags: { abbrev: "tcp.analysis.flags", name: "TCP Analysis Flags", type: "none" },
    acksFrame: { abbrev: "tcp.analysis.acks_frame", name: "This is an ACK to the segment in frame", type: "framenum" },
    ackRtt: { abbrev: "tcp.analysis.ack_rtt", name: "The RTT to ACK the segment was", type: "rel_time" },
    initialRtt: { abbrev: "tcp.analysis.initial_rtt", name: "iRTT", type: "rel_time" },
    bytesInFlight: { abbrev: "tcp.analysis.bytes_in_flight", name: "Bytes in flight", type: "uint32" },
    pushBytesSent: { abbrev: "tcp.analysis.push_bytes_sent", name: "Bytes sent since last PSH flag", type: "uint32" },
    rto: { abbrev: "tcp.analysis.rto", name: "The RTO for this segment was", type: "rel_time" },
    rtoFrame: { abbrev: "tcp.analysis.rto_frame", name: "RTO based on delta from frame", type: "framenum" },
    duplicateAck: { abbrev: "tcp.analysis.duplicate_ack", name: "Duplicate ACK", type: "none" },
    duplicateAckNum: { abbrev: "tcp.analysis.duplicate_ack_num", name: "Duplicate ACK #", type: "uint32" },
    duplicateAckFrame: { abbrev: "tcp.analysis.duplicate_ack_frame", name: "Duplicate to the ACK in frame", type: "framenum" },
    timeRelative: { abbrev: "tcp.time_relative", name: "Time since first frame in this TCP stream", type: "rel_time" },
    timeDelta: { abbrev: "tcp.time_delta", name: "Time since previous frame in this TCP stream", type: "rel_time" },
    payload: { abbrev: "tcp.payload", name: "TCP payload", type: "bytes" },
    resetCause: { abbrev: "tcp.reset_cause", name: "Reset cause", type: "string" },
    // stream reassembly (src/analysis/reassembly.ts)
    segmentData: { abbrev: "tcp.segment_data", name: "TCP segment data", type: "bytes" },
    reassembledIn: { abbrev: "tcp.reassembled_in", name: "Reassembled PDU in frame", type: "framenum" },
    segments: { abbrev: "tcp.segments", name: "Reassembled TCP Segments", type: "none" },
    segment: { abbrev: "tcp.segment", name: "TCP Segment", type: "framenum" },
    segmentOverlap: { abbrev: "tcp.segment.overlap", name: "Segment overlap", type: "bool" },
    segmentOverlapConflict: { abbrev: "tcp.segment.overlap.conflict", name: "Conflicting data in segment overlap", type: "bool" },
    segmentMultipleTails: { abbrev: "tcp.segment.multipletails", name: "Multiple tail segments found", type: "bool" },
    segmentTooLong: { abbrev: "tcp.segment.toolongfragment", name: "Segment too long", type: "bool" },
    segmentError: { abbrev: "tcp.segment.error", name: "Reassembling error", type: "framenum" },
    segmentCount: { abbrev: "tcp.segment.count", name: "Segment count", type: "uint32" },
    reassembledLength: { abbrev: "tcp.reassembled.length", name: "Reassembled TCP length", type: "uint32" },
    reassembledData: { abbrev: "tcp.reassembled.data", name: "Reassembled TCP Data", type: "bytes" },
    pduSize: { abbrev: "tcp.pdu.size", name: "PDU Size", type: "uint32" },
    finRetransmission: { abbrev: "tcp.fin_retransmission", name: "Retransmission of FIN from frame", type: "framenum" },
    // expert infos (FT_NONE fields in tshark: -e prints 1 when present)
    eRetransmission: EXPERT("tcp.analysis.retransmission", "This frame is a (suspected) retransmission"),
    eFastRetransmission: EXPERT("tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission"),
    eSpuriousRetransmission: EXPERT("tcp.analysis.spurious_retransmission", "This frame is a (suspected) spurious retransmission"),
    eOutOfOrder: EXPERT("tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment"),
    eReusedPorts: EXPERT("tcp.analysis.reused_ports", "A new tcp session is started with the same ports as an earlier session in this trace"),
    eLostSegment: EXPERT("tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)"),
    eAckLostSegment: EXPERT("tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured (common at capture start)"),
    eWindowUpdate: EXPERT("tcp.analysis.window_update", "TCP window update"),
    eWindowFull: EXPERT("tcp.analysis.window_full", "TCP window specified by the receiver is now completely full"),
    eKeepAlive: EXPERT("tcp.analysis.keep_alive", "TCP keep-alive segment"),
    eKeepAliveAck: EXPERT("tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment"),
    eZeroWindowProbe: EXPERT("tcp.analysis.zero_window_probe", "TCP Zero Window Probe"),
    eZeroWindow: EXPERT("tcp.analysis.zero_window", "TCP Zero Window segment"),
    eZeroWindowProbeAck: EXPERT("tcp.analysis.zero_window_probe_ack", "ACK to a TCP Zero Window Probe"),
    eTfoSyn: EXPERT("tcp.analysis.tfo_syn", "TCP SYN with TFO Cookie"),
    eTfoAck: EXPERT("tcp.analysis.tfo_ack", "TCP SYN-ACK accepting TFO data"),
    eTfoIgnored: EXPERT("tcp.analysis.tfo_ignored", "TCP SYN-ACK ignoring TFO data"),
    eFinActive: EXPERT("tcp.connection.fin_active", "This frame initiates the connection closing"),
    eFinPassive: EXPERT("tcp.connection.fin_passive", "This frame undergoes the connection closing"),
    eSynAck: EXPERT("tcp.connection.synack", "Connection establish acknowledge (SYN+ACK)"),
    eSyn: EXPERT("tcp.connection.syn", "Connection establish request (SYN)"),
    eFin: EXPERT("tcp.connection.fin", "Connection finish (FIN)"),
    eRst: EXPERT("tcp.connection.rst", "Connection reset (RST)"),
    eOptLenInvalid: EXPERT("tcp.option.len.invalid", "Invalid length for option"),
    eDsack: EXPERT("tcp.options.sack.dsack", "D-SACK Sequence"),
    eWscaleInvalid: EXPERT("tcp.options.wscale.shift.invalid", "Window scale shift exceeds 14"),
    eMssAbsent: EXPERT("tcp.options.mss.absent", "The SYN packet does not contain a MSS option"),
    eMssPresent: EXPERT("tcp.options.mss.present", "The non-SYN packet does contain a MSS option"),
    eShortSegment: EXPERT("tcp.short_segment", "Short segment"),
    eAckNonzero: EXPERT("tcp.ack.nonzero", "The acknowledgment number field is nonzero while the ACK flag is not set"),
    eUrgNonzero: EXPERT("tcp.urgent_pointer.non_zero", "The urgent pointer field is nonzero while the URG flag is not set"),
    eSuboptionMalformed: EXPERT("tcp.suboption_malformed", "suboption would go past end of option"),
    eNop: EXPERT("tcp.nop", "4 NOP in a row - a router may have removed some options"),
    eNonZeroAfterEol: EXPERT("tcp.non_zero_bytes_after_eol", "Non zero bytes in option space after EOL option"),
    eBogusHeaderLength: EXPERT("tcp.bogus_header_length", "Bogus TCP Header length"),
  },
  registers: [["ip.proto", 6]],
  dissect: dissectTcp,
});

const f = tcp.f;

/** Per-packet header facts the option dissectors need (a slice of Wireshark's struct tcpheader). */
interface Hdr {
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

const makeState = (): TcpState => new TcpState();

/** Is the value of this field needed (full tree, or asked for by -e / a filter)? */
function want(t: Tree, fld: Field): boolean {
  return t.full || (t.wanted !== null && fld.id < t.wanted.length && t.wanted[fld.id] === 1);
}

const NO_BYTES = new Uint8Array(0);

function tcpState(pinfo: PacketInfo): TcpState {
  return pinfo.session.get("tcp", makeState);
}

/** Attach an expert and record its FT_NONE field for -e / filters. */
function expert(it: Item, fld: Field, sev: Severity, group: ExpertGroup, msg: string): void {
  const t = it.tree;
  if (t.wanted !== null && fld.id < t.wanted.length && t.wanted[fld.id] === 1) t.record(fld, null);
  it.expert(sev, group, msg, "tcp");
}

/** An expert that is its own (text) item in the tree (proto_tree_add_expert). */
function expertItem(parent: Item, tvb: Tvb, o: number, len: number, fld: Field, sev: Severity, group: ExpertGroup, msg: string): void {
  tvb.ensure(o, len); // like any item, its bytes must be there (else: packet cut short)
  expert(parent.addText(tvb, o, len, msg), fld, sev, group, msg);
}

function time(s: number, ns: number): Time {
  return { s, ns };
}

const MIDDLE_DOT = "\u00b7";
const FLAG_NAMES = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];

/** "SYN, ACK" / "<None>" (tcp_flags_to_str); with AccECN the AE/CWR/ECE bits are the ACE counter. */
function flagsToStr(flags: number, useAce: boolean): string {
  let s = "";
  const n = useAce ? 6 : 9;
  for (let i = 0; i < n; i++) {
    if (flags & (1 << i)) s = s === "" ? FLAG_NAMES[i] : s + ", " + FLAG_NAMES[i];
  }
  if (useAce) {
    const ace = "ACE=" + ((flags >> 6) & 7);
    s = s === "" ? ace : s + ", " + ace;
  }
  if (flags & TH_RES) s = s === "" ? "Reserved" : s + ", Reserved";
  return s === "" ? "<None>" : s;
}

/** "·······A··S·" (tcp_flags_to_str_first_letter). */
function flagsToLetters(flags: number, useAce: boolean): string {
  const letters = "RRRACEUAPRSF";
  let s = "";
  for (let i = 0; i < 12; i++) {
    if (useAce && i >= 3 && i <= 5) {
      if (i === 3) s += "-" + ((flags >> 6) & 7) + "-";
      continue;
    }
    s += (flags >> (11 - i)) & 1 ? letters[i] : MIDDLE_DOT;
  }
  return s;
}

function completenessText(v: number): string {
  const base = COMPLETENESS_SYNSENT | COMPLETENESS_SYNACK | COMPLETENESS_ACK;
  switch (v) {
    case COMPLETENESS_SYNSENT: return `Incomplete, SYN_SENT (${v})`;
    case COMPLETENESS_SYNSENT | COMPLETENESS_SYNACK: return `Incomplete, CLIENT_ESTABLISHED (${v})`;
    case base: return `Incomplete, ESTABLISHED (${v})`;
    case base | COMPLETENESS_DATA: return `Incomplete, DATA (${v})`;
    case base | COMPLETENESS_DATA | COMPLETENESS_FIN:
    case base | COMPLETENESS_DATA | COMPLETENESS_RST:
    case base | COMPLETENESS_DATA | COMPLETENESS_FIN | COMPLETENESS_RST:
      return `Complete, WITH_DATA (${v})`;
    case base | COMPLETENESS_FIN:
    case base | COMPLETENESS_RST:
    case base | COMPLETENESS_FIN | COMPLETENESS_RST:
      return `Complete, NO_DATA (${v})`;
    default: return `Incomplete (${v})`;
  }
}

function dissectTcp(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  const full = tree.tree.full;
  const cols = pinfo.cols !== null;
  const sport = tvb.u16(0);
  const dport = tvb.u16(2);
  pinfo.setProtocol("TCP");
  if (cols) pinfo.setInfo(`${sport} \u2192 ${dport}`);

  const ti = tree.add(tcp.hf, tvb, 0, tvb.length, null);
  let summary = full ? `, Src Port: ${sport}, Dst Port: ${dport}` : "";
  ti.add(f.srcport, tvb, 0, 2, sport);
  ti.add(f.dstport, tvb, 2, 2, dport);
  ti.add(f.port, tvb, 0, 2, sport).hidden = true;
  ti.add(f.port, tvb, 2, 2, dport).hidden = true;

  // TCP header quoted in an ICMP error (ip inside icmp): the seq goes in now, raw.
  const L = pinfo.layers;
  const icmpIp = L.length >= 3 && L[L.length - 2] === "ip" && L[L.length - 3] === "icmp";
  if (icmpIp) ti.add(f.seq, tvb, 4, 4, tvb.u32(4));

  pinfo.ptype = "tcp";
  pinfo.srcport = sport;
  pinfo.dstport = dport;

  const rawSeq = tvb.u32(4);
  const rawAck = tvb.u32(8);
  const offX2 = tvb.u8(12);
  const flags = tvb.u16(12) & TH_MASK;
  const rawWin = tvb.u16(14);
  const hlen = (offX2 >> 4) * 4;

  // Conversation (stream) and its per-packet bookkeeping.
  const fr = pinfo.frame;
  const tsS = fr.tsSec;
  const tsNs = fr.tsNsec;
  const state = tcpState(pinfo);
  const st = tcpStreamFor(state, pinfo.netSrc, pinfo.netDst, sport, dport, rawSeq, rawAck, flags, tsS, tsNs);
  const isNew = state.isNew;
  // AccECN: a SYN with AE+CWR+ECE answered by a SYN/ACK with ACE 2, 3, 4 or 6 makes the
  // three bits a counter (ACE) on the later segments of the stream.
  const ace3 = (flags >> 6) & 7;
  if ((flags & (TH_SYN | TH_ACK)) === TH_SYN && ace3 === 7) st.accEcnSyn = true;
  if ((flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK) && st.accEcnSyn && (ace3 === 2 || ace3 === 3 || ace3 === 4 || ace3 === 6)) st.accEcn = true;
  const useAce = st.accEcn && (flags & TH_SYN) === 0;

  ti.addGenerated(f.stream, tvb, 0, 0, st.stream);
  ti.addGenerated(f.completeness, tvb, 0, 0, st.completeness, full ? completenessText(st.completeness) : undefined);
  st.fwd.numSackRanges = 0;

  // Conversation timestamps.
  const t = tree.tree;
  const tsDelta = want(t, f.timeDelta) ? time(tsS - st.tsPrevS, tsNs - st.tsPrevNs) : null;
  if (tsDelta !== null) normalize(tsDelta);
  st.tsPrevS = tsS;
  st.tsPrevNs = tsNs;

  // Segment length, analysis, relative numbers, scaled window.
  const reportedLen = tvb.reportedLength;
  const inError = pinfo.inErrorPkt;
  let haveSeglen = false;
  let seglen = 0;
  let seq = rawSeq;
  let ack = rawAck;
  let win = rawWin;
  let nxtseq = 0;
  if (!pinfo.fragmented && !inError) {
    if (reportedLen < hlen) {
      const msg = "Short segment. Segment/fragment does not contain a full TCP header (might be NMAP or someone else deliberately sending unusual packets)";
      expertItem(ti, tvb, 0, 0, f.eShortSegment, "warn", "malformed", msg);
    } else {
      seglen = reportedLen - hlen;
      haveSeglen = true;
      ti.addGenerated(f.len, tvb, 12, 1, seglen);
      analyzeSequenceNumber(st, fr.num, tsS, tsNs, rawSeq, rawAck, seglen, flags, rawWin, pinfo.session.pref("tcp.fastrt_supersedes_ooo", true));
      seq = (seq - st.fwd.baseSeq) >>> 0;
      if (flags & TH_ACK) ack = (ack - st.rev.baseSeq) >>> 0;
      if (!(flags & TH_SYN) && st.fwd.winScale >= 0) win = (win << st.fwd.winScale) >>> 0;
      nxtseq = (seq + seglen) >>> 0;
    }
  }

  const flagsStr = cols || full ? flagsToStr(flags, useAce) : "";
  if (cols) {
    let s = ` [${flagsStr}] Seq=${seq}`;
    if (flags & TH_ACK) s += ` Ack=${ack}`;
    s += ` Win=${win}`;
    pinfo.appendInfo(s);
  }
  if (full) summary += `, Seq: ${seq}`;

  if (!icmpIp) {
    ti.add(f.seq, tvb, 4, 4, seq, full ? `${seq}    (relative sequence number)` : undefined);
    ti.add(f.seqRaw, tvb, 4, 4, rawSeq);
  }

  if (hlen < 20) {
    if (cols) pinfo.appendInfo(`, bogus TCP header length (${hlen}, must be at least 20)`);
    const h = ti.add(f.hdrLen, tvb, 12, 1, hlen, full ? `${hlen} bytes (${hlen >> 2})` : undefined);
    if (full) h.setText(`${bitString(0xf0, 8, offX2)} = Header Length: ${hlen} bytes (${hlen >> 2})`);
    expert(h, f.eBogusHeaderLength, "error", "protocol", `Bogus TCP header length (${hlen}, must be at least 20)`);
    if (full) ti.setText(tcp.name + summary);
    return 12;
  }

  // Conversation completeness moves forward.
  let comp = 0;
  if (isNew) {
    if ((flags & (TH_SYN | TH_ACK)) === TH_SYN) {
      comp |= COMPLETENESS_SYNSENT;
      if (seglen > 0) comp |= COMPLETENESS_DATA;
    }
  } else {
    comp = st.completeness;
    if ((flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) comp |= COMPLETENESS_SYNACK;
    if ((flags & (TH_SYN | TH_ACK)) === TH_ACK) comp |= seglen > 0 ? COMPLETENESS_DATA : COMPLETENESS_ACK;
    if ((flags & (TH_FIN | TH_ACK)) === (TH_FIN | TH_ACK)) comp |= COMPLETENESS_FIN;
    if (flags & TH_RST) comp |= COMPLETENESS_RST;
  }
  st.completeness = comp;

  // the TCP item covers the header (what len(tcp) and tcp[…] read, in sparse trees too)
  ti.setLen(hlen);
  if (full) {
    if (flags & TH_ACK) summary += `, Ack: ${ack}`;
    if (haveSeglen) summary += `, Len: ${seglen}`;
    ti.setText(tcp.name + summary);
  }
  if (haveSeglen) {
    const n = flags & (TH_SYN | TH_FIN) ? (nxtseq + 1) >>> 0 : nxtseq;
    ti.addGenerated(f.nxtseq, tvb, 0, 0, n, full ? `${n}    (relative sequence number)` : undefined);
  }

  const ackItem = ti.add(f.ack, tvb, 8, 4, ack, full && flags & TH_ACK ? `${ack}    (relative ack number)` : undefined);
  ti.add(f.ackRaw, tvb, 8, 4, rawAck);
  if (flags & TH_ACK) {
    if (flags & TH_SYN) {
      if (ack > 1) expert(ackItem, f.eTfoAck, "note", "sequence", "TCP SYN-ACK accepting TFO data");
      else if (st.tfoSynData) expert(ackItem, f.eTfoIgnored, "note", "sequence", "TCP SYN-ACK ignoring TFO data");
    }
  } else if (rawAck !== 0) {
    expert(ackItem, f.eAckNonzero, "note", "protocol", "The acknowledgment number field is nonzero while the ACK flag is not set");
  }

  const hl = ti.add(f.hdrLen, tvb, 12, 1, hlen, full ? `${hlen} bytes (${hlen >> 2})` : undefined);
  if (full) hl.setText(`${bitString(0xf0, 8, offX2)} = Header Length: ${hlen} bytes (${hlen >> 2})`);
  const ft = ti.add(f.flags, tvb, 12, 2, flags, full ? `0x${hex(flags, 3)} (${flagsStr})` : undefined);
  if (full) ft.setText(`Flags: 0x${hex(flags, 3)} (${flagsStr})`);
  ft.add(f.flagsRes, tvb, 12, 1, (flags & TH_RES) !== 0);
  if (useAce) {
    const ace = (flags >> 6) & 7;
    const a = ft.add(f.flagsAce, tvb, 12, 2, ace);
    if (full) a.setText(`${bitString(0x1c0, 12, flags)} = ACE: ${ace}`);
  } else {
    ft.add(f.flagsAe, tvb, 12, 1, (flags & TH_AE) !== 0);
    ft.add(f.flagsCwr, tvb, 13, 1, (flags & TH_CWR) !== 0);
    ft.add(f.flagsEce, tvb, 13, 1, (flags & TH_ECE) !== 0);
  }
  ft.add(f.flagsUrg, tvb, 13, 1, (flags & TH_URG) !== 0);
  ft.add(f.flagsAck, tvb, 13, 1, (flags & TH_ACK) !== 0);
  ft.add(f.flagsPush, tvb, 13, 1, (flags & TH_PUSH) !== 0);
  const rstItem = ft.add(f.flagsReset, tvb, 13, 1, (flags & TH_RST) !== 0);
  const synItem = ft.add(f.flagsSyn, tvb, 13, 1, (flags & TH_SYN) !== 0);
  const finItem = ft.add(f.flagsFin, tvb, 13, 1, (flags & TH_FIN) !== 0);
  const strItem = ft.addGenerated(f.flagsStr, tvb, 12, 2, want(t, f.flagsStr) ? flagsToLetters(flags, useAce) : "");
  ti.add(f.windowSizeValue, tvb, 14, 2, rawWin);
  ti.addGenerated(f.windowSize, tvb, 14, 2, win);
  if (!(flags & TH_SYN)) {
    const ws = st.fwd.winScale;
    const v = ws === -1 || ws === -2 ? ws : 1 << ws;
    const disp = full ? (ws === -1 ? "-1 (unknown)" : ws === -2 ? "-2 (no window scaling used)" : String(v)) : undefined;
    ti.addGenerated(f.windowScale, tvb, 14, 2, v, disp);
  }

  if (flags & TH_SYN) {
    if (flags & TH_ACK) {
      expert(synItem, f.eSynAck, "chat", "sequence", `Connection establish acknowledge (SYN+ACK): server port ${sport}`);
      st.serverPort = sport;
    } else {
      expert(synItem, f.eSyn, "chat", "sequence", `Connection establish request (SYN): server port ${dport}`);
      st.serverPort = dport;
      st.tsMruSynS = tsS;
      st.tsMruSynNs = tsNs;
    }
    st.fwd.isFirstAck = true;
  }
  if (flags & TH_FIN) {
    expert(finItem, f.eFin, "chat", "sequence", "Connection finish (FIN)");
    if (!st.rev.closingInitiator) {
      st.fwd.closingInitiator = true;
      expert(strItem, f.eFinActive, "note", "sequence", "This frame initiates the connection closing");
    } else {
      expert(strItem, f.eFinPassive, "note", "sequence", "This frame undergoes the connection closing");
    }
  }
  if (flags & TH_RST) expert(rstItem, f.eRst, "warn", "sequence", "Connection reset (RST)");

  if ((flags & (TH_SYN | TH_ACK)) === TH_ACK) {
    if ((st.tsMruSynS !== 0 || st.tsMruSynNs !== 0) && st.tsFirstRttS === 0 && st.tsFirstRttNs === 0) {
      const d = time(tsS - st.tsMruSynS, tsNs - st.tsMruSynNs);
      normalize(d);
      st.tsFirstRttS = d.s;
      st.tsFirstRttNs = d.ns;
    }
    st.fwd.isFirstAck = false;
  }

  const sum = tvb.u16(16);
  ti.add(f.checksum, tvb, 16, 2, sum, full ? `0x${hex(sum, 4)} [unverified]` : undefined);
  ti.addGenerated(f.checksumStatus, tvb, 16, 0, 2, "Unverified");

  const urp = tvb.u16(18);
  const urgItem = ti.add(f.urgentPointer, tvb, 18, 2, urp);
  if (flags & TH_URG) {
    if (cols) pinfo.appendInfo(` Urg=${urp}`);
  } else if (urp !== 0) {
    expert(urgItem, f.eUrgNonzero, "note", "protocol", "The urgent pointer field is nonzero while the URG flag is not set");
  }
  if (haveSeglen && cols) pinfo.appendInfo(` Len=${seglen}`);

  const optlen = hlen - 20;
  let optItem: Item | null = null;
  if (optlen !== 0) {
    const bc = tvb.remaining(20);
    const n = bc < optlen ? bc : optlen;
    optItem = ti.add(f.options, tvb, 20, n, want(t, f.options) ? tvb.bytes(20, n) : NO_BYTES);
    if (full) optItem.setText(`Options: (${optlen} bytes)`);
  }

  const tsg = full ? ti.addText(null, 0, 0, "Timestamps") : ti;
  if (full) tsg.generated = true;
  if (want(t, f.timeRelative)) {
    const rel = time(tsS - st.tsFirstS, tsNs - st.tsFirstNs);
    normalize(rel);
    tsg.addGenerated(f.timeRelative, tvb, 0, 0, rel);
  }
  if (tsDelta !== null) tsg.addGenerated(f.timeDelta, tvb, 0, 0, tsDelta);

  let hdr: Hdr | null = null;
  if (optItem !== null) {
    hdr = { flags, ack, haveSeglen, seglen, numSack: 0, sackLE: [0, 0, 0, 0], sackRE: [0, 0, 0, 0], mptcp: 0, hasMptcp: false };
    dissectOptions(tvb, 20, optlen, pinfo, optItem, hdr, st);
  }

  printAnalysis(tvb, pinfo, ti, st);

  if (flags & TH_SYN) verifyWindowScaling((flags & TH_ACK) !== 0, st);
  if (hdr !== null && hdr.hasMptcp) {
    if (st.mpOperations === null) st.mpOperations = 0;
    st.mpOperations |= hdr.mptcp;
  }

  // "Reassemble until FIN": this direction's first FIN ends the PDU a dissector is waiting for.
  const desegment = haveSeglen && !pinfo.fragmented && !inError && tvb.length >= reportedLen &&
    pinfo.session.pref("tcp.desegment_tcp_streams", DESEGMENT_DEFAULT);
  if (haveSeglen && flags & TH_FIN && st.fwd.reassembly !== null && (st.fwd.reassembly as FlowReassembly).untilFin) {
    const fr = st.fwd.reassembly as FlowReassembly;
    if (fr.fin === 0 || fr.fin === pinfo.num) {
      fr.fin = pinfo.num;
      const msp = finishAtFin(fr, tvb, hlen, seq, seglen, pinfo.num);
      if (msp !== null) {
        const h = new Hooks(pinfo, tree, ti, sport, dport, st, newSegment(st, seq, nxtseq, ack, flags, 0, ti));
        const rtvb = h.reassembledTvb(msp);
        h.showSegments(msp, rtvb);
        handPayload(rtvb, pinfo, tree, sport, dport, st, h.seg);
        return tvb.length;
      }
    } else {
      ti.addGenerated(f.finRetransmission, tvb, 0, 0, fr.fin);
    }
  }

  // The payload.
  const remaining = tvb.remaining(hlen);
  if (remaining !== 0) {
    if (flags & TH_RST) {
      ti.add(f.resetCause, tvb, hlen, remaining, tvb.ascii(hlen, remaining));
    } else {
      const nbytes = tvb.reportedRemainingFrom(hlen);
      const pl = ti.add(f.payload, tvb, hlen, remaining, want(t, f.payload) ? tvb.bytes(hlen, remaining) : NO_BYTES);
      if (full) pl.setText(`TCP payload (${nbytes} byte${nbytes === 1 ? "" : "s"})`);
      const segment = newSegment(st, flags & TH_SYN ? (seq + 1) >>> 0 : seq, flags & TH_SYN ? (nxtseq + 1) >>> 0 : nxtseq,
        ack, flags, flags & TH_URG ? urp : 0, ti);
      if (desegment) {
        segment.canDesegment = true;
        desegmentPayload(tvb, hlen, pinfo, tree, ti, sport, dport, st, segment);
      } else {
        handPayload(tvb.sub(hlen), pinfo, tree, sport, dport, st, segment);
      }
    }
  }
  return tvb.length;
}

function newSegment(st: TcpStream, seq: number, nxtseq: number, ack: number, flags: number, urp: number, ti: Item): TcpSegment {
  return {
    tcpTree: ti,
    stream: st,
    flow: st.fwd,
    seq,
    nxtseq,
    lastackseq: ack,
    flags,
    urgentPointer: urp,
    isReassembled: false,
    desegmentOffset: 0,
    desegmentLen: 0,
    canDesegment: false,
  };
}

function normalize(t: Time): void {
  if (t.s > 0 && t.ns < 0) {
    t.s -= 1;
    t.ns += 1e9;
  } else if (t.s < 0 && t.ns > 0) {
    t.s += 1;
    t.ns -= 1e9;
  }
}

/**
 * decode_tcp_ports: keep-alives go to data, retransmitted/out-of-order segments to
 * nobody; otherwise the server port, the low port, the high port, the heuristics, data.
 * (The place where reassembly will intercept: see analysis/tcp.ts.)
 */
function handPayload(payload: Tvb, pinfo: PacketInfo, tree: Item, sport: number, dport: number, st: TcpStream, seg: TcpSegment): void {
  const ta = st.ta;
  if (ta !== null) {
    if (ta.flags & TA_KEEP_ALIVE) {
      callData(payload, pinfo, tree);
      return;
    }
    // (tshark 4.0 also leaves spurious retransmissions undissected)
    if (ta.flags & (TA_RETRANSMISSION | TA_OUT_OF_ORDER | TA_SPURIOUS_RETRANSMISSION) && pinfo.session.pref("tcp.no_subdissector_on_error", true)) return;
  }
  const low = sport > dport ? dport : sport;
  const high = sport > dport ? sport : dport;
  const server = st.serverPort;
  if (server !== 0 && tryPort(server, payload, pinfo, tree, seg)) return;
  if (low !== 0 && tryPort(low, payload, pinfo, tree, seg)) return;
  if (high !== 0 && tryPort(high, payload, pinfo, tree, seg)) return;
  if (tryHeuristics("tcp", payload, pinfo, tree, seg)) return;
  callData(payload, pinfo, tree);
}

/* ── stream reassembly (Wireshark's desegment_tcp; the logic is in analysis/reassembly.ts) ── */

/** tcp.desegment_tcp_streams default. */
const DESEGMENT_DEFAULT = true;

function flowReassembly(st: TcpStream): FlowReassembly {
  const fl = st.fwd;
  if (fl.reassembly === null) fl.reassembly = new FlowReassembly();
  return fl.reassembly as FlowReassembly;
}

function desegmentPayload(tvb: Tvb, hlen: number, pinfo: PacketInfo, tree: Item, ti: Item, sport: number, dport: number, st: TcpStream, seg: TcpSegment): void {
  const fr = flowReassembly(st);
  const h = new Hooks(pinfo, tree, ti, sport, dport, st, seg);
  desegment(fr, tvb, hlen, seg.seq, seg.nxtseq, pinfo.num, h);
  if (fr.overflowed) {
    fr.overflowed = false;
    ti.expert("note", "reassemble", `TCP reassembly buffer limit (${MAX_PENDING} bytes) reached: pending PDU data of this direction dropped`, "tcp");
  }
}

class Hooks implements DesegmentHooks {
  private proto: string | null = null;
  constructor(
    readonly pinfo: PacketInfo, readonly tree: Item, readonly ti: Item,
    readonly sport: number, readonly dport: number, readonly st: TcpStream, readonly seg: TcpSegment,
  ) {}

  process(tvb: Tvb, offset: number, seq: number, nxtseq: number, reassembled: boolean): void {
    const seg = this.seg;
    const pinfo = this.pinfo;
    seg.seq = seq;
    seg.nxtseq = nxtseq >>> 0;
    seg.isReassembled = reassembled;
    seg.desegmentOffset = 0;
    seg.desegmentLen = 0;
    const depth = pinfo.layers.length;
    handPayload(tvb.sub(offset), pinfo, this.tree, this.sport, this.dport, this.st, seg);
    // a dissector that could not use any of it is not a layer of this frame (as tshark)
    if (seg.desegmentLen !== 0 && seg.desegmentOffset === 0) pinfo.layers.length = depth;
    if (this.proto !== null && pinfo.cols !== null) pinfo.cols.protocol = this.proto;
  }
  desegOffset(): number {
    return this.seg.desegmentOffset;
  }
  desegLen(): number {
    return this.seg.desegmentLen;
  }
  segmentData(tvb: Tvb, offset: number, len: number, retransmitted: boolean): void {
    const cap = Math.min(len, tvb.remaining(offset));
    const it = this.ti.add(f.segmentData, tvb, offset, cap, want(this.ti.tree, f.segmentData) ? tvb.bytes(offset, cap) : NO_BYTES);
    if (this.ti.tree.full) it.setText(`${retransmitted ? "Retransmitted " : ""}TCP segment data (${len} byte${len === 1 ? "" : "s"})`);
  }
  reassembledIn(frame: number): void {
    this.ti.addGenerated(f.reassembledIn, NO_TVB, 0, 0, frame);
  }
  reassembledTvb(msp: Msp): Tvb {
    const data = msp.data ?? new Uint8Array(0);
    const rtvb = new TvbCtor({ name: `Reassembled TCP (${data.length} bytes)`, data });
    this.pinfo.addSource(rtvb.ds);
    return rtvb;
  }
  showSegments(msp: Msp, rtvb: Tvb): void {
    const root = this.tree;
    const full = root.tree.full;
    const data = rtvb.ds.data;
    const n = data.length;
    const before = full && root.children !== null ? root.children.length : 0;
    const top = root.addGenerated(f.segments, rtvb, 0, n, null);
    let text = "";
    let count = 0;
    for (const sg of msp.frags) {
      count++;
      if (full) text += (count === 1 ? "" : ", ") + `#${sg.frame}(${sg.len})`;
      const err = (sg.flags & (FD_OVERLAPCONFLICT | FD_MULTIPLETAILS | FD_TOOLONGFRAGMENT)) !== 0;
      const clip = Math.min(sg.len, Math.max(0, n - sg.offset));
      const it = top.addGenerated(err ? f.segmentError : f.segment, rtvb, Math.min(sg.offset, n), clip, sg.frame);
      if (full) {
        it.setText(sg.len === 0 ? `Frame: ${sg.frame} (no data)`
          : `Frame: ${sg.frame}, payload: ${sg.offset}-${sg.offset + sg.len - 1} (${sg.len} byte${sg.len === 1 ? "" : "s"})`);
      }
      if (sg.flags & FD_OVERLAP) it.addGenerated(f.segmentOverlap, rtvb, 0, 0, true);
      if (sg.flags & FD_OVERLAPCONFLICT) it.addGenerated(f.segmentOverlapConflict, rtvb, 0, 0, true);
      if (sg.flags & FD_MULTIPLETAILS) it.addGenerated(f.segmentMultipleTails, rtvb, 0, 0, true);
      if (sg.flags & FD_TOOLONGFRAGMENT) it.addGenerated(f.segmentTooLong, rtvb, 0, 0, true);
    }
    if (full) top.setText(`${count} Reassembled TCP Segments (${n} byte${n === 1 ? "" : "s"}): ${text}`);
    top.addGenerated(f.segmentCount, rtvb, 0, 0, count);
    top.addGenerated(f.reassembledLength, rtvb, 0, 0, n);
    top.addGenerated(f.reassembledData, rtvb, 0, n, data);
    // Wireshark moves the segment list right after the TCP item (print_tcp_fragment_tree)
    const ch = root.children;
    if (full && ch !== null && ch.length === before + 1) {
      const i = ch.indexOf(this.ti);
      if (i >= 0 && i + 1 < before) {
        ch.pop();
        ch.splice(i + 1, 0, top);
      }
    }
  }
  isRetransmission(): boolean {
    // (with tcp.no_subdissector_on_error off, a retransmission may still fill a PDU's gap)
    const ta = this.st.ta;
    return ta !== null && (ta.flags & TA_RETRANSMISSION) !== 0 && this.pinfo.session.pref("tcp.no_subdissector_on_error", true);
  }
  markSegment(): void {
    const pinfo = this.pinfo;
    if (pinfo.cols === null) return;
    if (this.proto === null) pinfo.setProtocol("TCP");
    pinfo.appendInfoSep(" ", "[TCP segment of a reassembled PDU]");
  }
  fence(): void {
    const c = this.pinfo.cols;
    if (c === null) return;
    this.pinfo.infoFence = c.info.length;
    this.proto = c.protocol;
  }
  unfence(): void {
    this.proto = null;
  }
}

/** A zero-length view for generated items that point at no bytes. */
const NO_TVB = TvbCtor.of(new Uint8Array(0));

function tryPort(port: number, payload: Tvb, pinfo: PacketInfo, tree: Item, seg: TcpSegment): boolean {
  const p = lookupTable("tcp.port", port);
  return p !== undefined && callDissector(p, payload, pinfo, tree, seg) !== 0;
}

/** verify_tcp_window_scaling: scaling is used only when both SYNs carried the option. */
function verifyWindowScaling(isSynAck: boolean, st: TcpStream): void {
  if (st.fwd.winScale === -1) {
    st.fwd.winScale = -2;
    st.rev.winScale = -2;
  } else if (isSynAck && st.rev.winScale === -2) {
    st.fwd.winScale = -2;
  }
}

function printAnalysis(tvb: Tvb, pinfo: PacketInfo, ti: Item, st: TcpStream): void {
  const ta = st.ta;
  if (ta === null) return;
  const full = ti.tree.full;
  const at = ti.addGenerated(f.analysis, tvb, 0, 0, null);
  if (ta.frameAcked !== 0) {
    at.addGenerated(f.acksFrame, tvb, 0, 0, ta.frameAcked);
    if (ta.rttS !== 0 || ta.rttNs !== 0) at.addGenerated(f.ackRtt, tvb, 0, 0, time(ta.rttS, ta.rttNs));
  }
  if (st.tsFirstRttS !== 0 || st.tsFirstRttNs !== 0) at.addGenerated(f.initialRtt, tvb, 0, 0, time(st.tsFirstRttS, st.tsFirstRttNs));
  if (ta.bytesInFlight !== 0) {
    at.addGenerated(f.bytesInFlight, tvb, 0, 0, ta.bytesInFlight);
    at.addGenerated(f.pushBytesSent, tvb, 0, 0, ta.pushBytesSent);
  }
  const fl = ta.flags;
  if (fl === 0) return;
  const fi = at.addGenerated(f.analysisFlags, tvb, 0, 0, null);
  const prefix: string[] = [];
  if (fl & TA_REUSED_PORTS) {
    expert(fi, f.eReusedPorts, "note", "sequence", "A new tcp session is started with the same ports as an earlier session in this trace");
    prefix.push("[TCP Port numbers reused] ");
  }
  if (fl & TA_RETRANSMISSION) {
    expert(fi, f.eRetransmission, "note", "sequence", "This frame is a (suspected) retransmission");
    prefix.push("[TCP Retransmission] ");
    if (ta.rtoS !== 0 || ta.rtoNs !== 0) {
      fi.addGenerated(f.rto, tvb, 0, 0, time(ta.rtoS, ta.rtoNs));
      fi.addGenerated(f.rtoFrame, tvb, 0, 0, ta.rtoFrame);
    }
  }
  if (fl & TA_FAST_RETRANSMISSION) {
    expert(fi, f.eFastRetransmission, "note", "sequence", "This frame is a (suspected) fast retransmission");
    expert(fi, f.eRetransmission, "note", "sequence", "This frame is a (suspected) retransmission");
    prefix.push("[TCP Fast Retransmission] ");
  }
  if (fl & TA_SPURIOUS_RETRANSMISSION) {
    expert(fi, f.eSpuriousRetransmission, "note", "sequence", "This frame is a (suspected) spurious retransmission");
    expert(fi, f.eRetransmission, "note", "sequence", "This frame is a (suspected) retransmission");
    prefix.push("[TCP Spurious Retransmission] ");
  }
  if (fl & TA_OUT_OF_ORDER) {
    expert(fi, f.eOutOfOrder, "warn", "sequence", "This frame is a (suspected) out-of-order segment");
    prefix.push("[TCP Out-Of-Order] ");
  }
  if (fl & TA_LOST_PACKET) {
    expert(fi, f.eLostSegment, "warn", "sequence", "Previous segment(s) not captured (common at capture start)");
    prefix.push("[TCP Previous segment not captured] ");
  }
  if (fl & TA_ACK_LOST_PACKET) {
    expert(fi, f.eAckLostSegment, "warn", "sequence", "ACKed segment that wasn't captured (common at capture start)");
    prefix.push("[TCP ACKed unseen segment] ");
  }
  if (fl & TA_WINDOW_UPDATE) {
    expert(fi, f.eWindowUpdate, "chat", "sequence", "TCP window update");
    prefix.push("[TCP Window Update] ");
  }
  if (fl & TA_WINDOW_FULL) {
    expert(fi, f.eWindowFull, "warn", "sequence", "TCP window specified by the receiver is now completely full");
    prefix.push("[TCP Window Full] ");
  }
  if (fl & TA_KEEP_ALIVE) {
    expert(fi, f.eKeepAlive, "note", "sequence", "TCP keep-alive segment");
    prefix.push("[TCP Keep-Alive] ");
  }
  if (fl & TA_KEEP_ALIVE_ACK) {
    expert(fi, f.eKeepAliveAck, "note", "sequence", "ACK to a TCP keep-alive segment");
    prefix.push("[TCP Keep-Alive ACK] ");
  }
  if (ta.dupackNum !== 0) {
    if (fl & TA_DUPLICATE_ACK) {
      const d = fi.addGenerated(f.duplicateAck, tvb, 0, 0, null);
      if (full) d.setText("This is a TCP duplicate ack");
      prefix.push(`[TCP Dup ACK ${ta.dupackFrame}#${ta.dupackNum}] `);
    }
    at.addGenerated(f.duplicateAckNum, tvb, 0, 0, ta.dupackNum);
    const df = at.addGenerated(f.duplicateAckFrame, tvb, 0, 0, ta.dupackFrame);
    expert(df, f.duplicateAck, "note", "sequence", `Duplicate ACK (#${ta.dupackNum})`);
  }
  if (fl & TA_ZERO_WINDOW_PROBE) {
    expert(fi, f.eZeroWindowProbe, "note", "sequence", "TCP Zero Window Probe");
    prefix.push("[TCP ZeroWindowProbe] ");
  }
  if (fl & TA_ZERO_WINDOW) {
    expert(fi, f.eZeroWindow, "warn", "sequence", "TCP Zero Window segment");
    prefix.push("[TCP ZeroWindow] ");
  }
  if (fl & TA_ZERO_WINDOW_PROBE_ACK) {
    expert(fi, f.eZeroWindowProbeAck, "note", "sequence", "ACK to a TCP Zero Window Probe");
    prefix.push("[TCP ZeroWindowProbeAck] ");
  }
  // Each col_prepend_fence_fstr goes in front of the previous ones.
  if (pinfo.cols !== null) for (const p of prefix) pinfo.prependInfoFence(p);
}

/* ── options ─────────────────────────────────────────────────────────────── */

/** The Length item of the last optionHead() (kept here: no object per option on the hot path). */
let lenItem: Item | null = null;

/** An option's item with its Kind (and Length) children. */
function optionHead(parent: Item, fld: Field, otvb: Tvb, withLen: boolean): Item {
  const item = parent.add(fld, otvb, 0, otvb.length, want(parent.tree, fld) ? otvb.bytes(0, otvb.length) : NO_BYTES);
  if (parent.tree.full) item.setText(fld.name); // a protocol-like item: its name, then what the option appends
  item.add(f.optionKind, otvb, 0, 1, otvb.u8(0));
  lenItem = withLen ? item.add(f.optionLen, otvb, 1, 1, otvb.u8(1)) : null;
  return item;
}

/** tcp_option_len_check */
function lenOk(lenItem: Item | null, optlen: number, want: number): boolean {
  if (optlen === want) return true;
  if (lenItem !== null) expert(lenItem, f.eOptLenInvalid, "note", "sequence", `option length should be ${want}`);
  return false;
}

function dissectOptions(tvb: Tvb, start: number, total: number, pinfo: PacketInfo, optItem: Item, hdr: Hdr, st: TcpStream): void {
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
        // 4.0: only zero padding may follow an EOL
        expertItem(optItem, tvb, offset, length + 1, f.eNonZeroAfterEol, "error", "protocol", "Non-zero header padding");
        return;
      }
      if (opt === 0 || opt === 1) {
        const otvb = tvb.sub(offset, 1);
        if (opt === 1) {
          if (nopCount === 0 || offset % 4 !== 0) {
            nopCount++;
            if (nopCount === 4) expert(optItem, f.eNop, "warn", "protocol", "4 NOP in a row - a router may have removed some options");
          } else {
            nopCount = 0;
          }
        }
        optionHead(optItem, opt === 0 ? f.optEol : f.optNop, otvb, false);
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
      const item = optionHead(parent, f.optMss, o, true);
      if (!(hdr.flags & TH_SYN)) expert(item, f.eMssPresent, "warn", "protocol", "The non-SYN packet does contain a MSS option");
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
    case 7: { // echo reply
      const item = optionHead(parent, f.optEcho, o, true);
      if (kind === 7 && full) item.setText("TCP Option - Echo reply");
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

function dissectSack(o: Tvb, optlen0: number, pinfo: PacketInfo, parent: Item, hdr: Hdr, st: TcpStream, cols: boolean): void {
  const full = parent.tree.full;
  const base = st.rev.baseSeq;
  st.fwd.numSackRanges = 0;
  const item = optionHead(parent, f.optSack, o, true);
  let off = 2;
  let optlen = optlen0 - 2;
  const sackoffset = off;
  let n = 0;
  let edges = "";
  while (optlen > 0) {
    if (optlen < 4) {
      expertItem(item, o, off, optlen, f.eSuboptionMalformed, "error", "malformed", "suboption would go past end of option");
      break;
    }
    const le = (o.u32(off) - base) >>> 0;
    const li = item.add(f.sackLe, o, off, 4, le);
    if (full) li.setText(`left edge = ${le} (relative)`);
    optlen -= 4;
    if (optlen < 4) {
      expertItem(item, o, off, optlen, f.eSuboptionMalformed, "error", "malformed", "suboption would go past end of option");
      break;
    }
    const re = (o.u32(off + 4) - base) >>> 0;
    optlen -= 4;
    const ri = item.add(f.sackRe, o, off + 4, 4, re);
    if (full) ri.setText(`right edge = ${re} (relative)`);
    if (cols) pinfo.appendInfo(` SLE=${le} SRE=${re}`);
    n++;
    if (n < MAX_SACK_RANGES) {
      st.fwd.numSackRanges = n;
      st.fwd.sackLE[n] = le;
      st.fwd.sackRE[n] = re;
    }
    if (hdr.numSack < MAX_SACK_RANGES) {
      hdr.sackLE[hdr.numSack] = le;
      hdr.sackRE[hdr.numSack] = re;
      hdr.numSack++;
    }
    if (full) edges += ` ${le}-${re}`;
    off += 8;
  }
  if (full && edges !== "") item.appendText(edges);
  item.addGenerated(f.sackCount, o, 0, 0, n);
  if (
    LE_SEQ(hdr.sackRE[0], hdr.ack) ||
    (hdr.numSack > 1 && LT_SEQ(hdr.sackLE[1], hdr.sackRE[0]) && GE_SEQ(hdr.sackRE[1], hdr.sackRE[0]))
  ) {
    const le = (o.u32(sackoffset) - base) >>> 0;
    const li = item.addGenerated(f.dsackLe, o, sackoffset, 4, le);
    if (full) li.setText(`D-SACK Left Edge = ${le} (relative)`);
    const re = (o.u32(sackoffset + 4) - base) >>> 0;
    const ri = item.addGenerated(f.dsackRe, o, sackoffset + 4, 4, re);
    if (full) ri.setText(`D-SACK Right Edge = ${re} (relative)`);
    expertItem(item, o, sackoffset, 8, f.eDsack, "warn", "sequence", "D-SACK Sequence");
  }
}
