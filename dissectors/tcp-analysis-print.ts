/**
 * What the TCP dissector shows of the SEQ/ACK analysis (src/analysis/tcp.ts computes
 * it): the [SEQ/ACK analysis] subtree with its experts and Info prefixes, the flags
 * strings ("SYN, ACK", "·······A··S·"), conversation completeness text, and the
 * window-scaling check done on SYNs.
 */
import {
  COMPLETENESS_ACK, COMPLETENESS_DATA, COMPLETENESS_FIN, COMPLETENESS_RST, COMPLETENESS_SYNACK, COMPLETENESS_SYNSENT,
  TA_ACK_LOST_PACKET, TA_DUPLICATE_ACK, TA_FAST_RETRANSMISSION, TA_KEEP_ALIVE, TA_KEEP_ALIVE_ACK, TA_LOST_PACKET,
  TA_OUT_OF_ORDER, TA_RETRANSMISSION, TA_REUSED_PORTS, TA_SPURIOUS_RETRANSMISSION, TA_WINDOW_FULL, TA_WINDOW_UPDATE,
  TA_ZERO_WINDOW, TA_ZERO_WINDOW_PROBE, TA_ZERO_WINDOW_PROBE_ACK, TH_RES, type TcpStream,
} from "../src/analysis/tcp.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { expert, f, time } from "./tcp-common.js";

const MIDDLE_DOT = "\u00b7";
const FLAG_NAMES = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];

/** "SYN, ACK" / "<None>" (tcp_flags_to_str); with AccECN the AE/CWR/ECE bits are the ACE counter. */
export function flagsToStr(flags: number, useAce: boolean): string {
  const i = useAce ? flags | 0x1000 : flags;
  let s = FLAGS_STR[i];
  if (s === undefined) FLAGS_STR[i] = s = computeFlagsStr(flags, useAce);
  return s;
}

/** flagsToStr results by (useAce << 12 | flags): built once per combination, not per packet. */
const FLAGS_STR: (string | undefined)[] = new Array<string | undefined>(0x2000).fill(undefined);

function computeFlagsStr(flags: number, useAce: boolean): string {
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
export function flagsToLetters(flags: number, useAce: boolean): string {
  const i = useAce ? flags | 0x1000 : flags;
  let s = FLAGS_LETTERS[i];
  if (s === undefined) FLAGS_LETTERS[i] = s = computeFlagsLetters(flags, useAce);
  return s;
}

const FLAGS_LETTERS: (string | undefined)[] = new Array<string | undefined>(0x2000).fill(undefined);

function computeFlagsLetters(flags: number, useAce: boolean): string {
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

export function completenessText(v: number): string {
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

/** verify_tcp_window_scaling: scaling is used only when both SYNs carried the option. */
export function verifyWindowScaling(isSynAck: boolean, st: TcpStream): void {
  if (st.fwd.winScale === -1) {
    st.fwd.winScale = -2;
    st.rev.winScale = -2;
  } else if (isSynAck && st.rev.winScale === -2) {
    st.fwd.winScale = -2;
  }
}

export function printAnalysis(tvb: Tvb, pinfo: PacketInfo, ti: Item, st: TcpStream): void {
  const ta = st.ta;
  if (ta === null) return;
  const full = ti.tree.full;
  const at = ti.addGenerated(f.analysis, tvb, 0, 0, null);
  if (ta.frameAcked !== 0) {
    at.addGenerated(f.acksFrame, tvb, 0, 0, ta.frameAcked);
    if (ta.rttS !== 0 || ta.rttNs !== 0) at.addGenerated(f.ackRtt, tvb, 0, 0, time(ta.rttS, ta.rttNs));
  }
  let rttS = st.tsFirstRttS, rttNs = st.tsFirstRttNs;
  const ses = pinfo.session;
  if (ses.twoPass !== null && (rttS !== 0 || rttNs !== 0)) ses.noteAhead("tcp.irtt", st.stream, [rttS, rttNs]);
  else if (rttS === 0 && rttNs === 0 && ses.secondPass) {
    // -2: the handshake's round trip, measured by a later frame of the first pass
    const r = ses.ahead<[number, number]>("tcp.irtt", st.stream);
    if (r !== undefined) [rttS, rttNs] = r;
  }
  if (rttS !== 0 || rttNs !== 0) at.addGenerated(f.initialRtt, tvb, 0, 0, time(rttS, rttNs));
  if (ta.bytesInFlight !== 0) {
    at.addGenerated(f.bytesInFlight, tvb, 0, 0, ta.bytesInFlight);
    at.addGenerated(f.pushBytesSent, tvb, 0, 0, ta.pushBytesSent);
  }
  const fl = ta.flags;
  if (fl === 0) return;
  const fi = at.addGenerated(f.analysisFlags, tvb, 0, 0, null);
  // Each col_prepend_fence_fstr goes in front of the previous ones (prepended as found: no array).
  const cols = pinfo.cols !== null;
  if (fl & TA_REUSED_PORTS) {
    expert(fi, f.eReusedPorts, "note", "sequence", "A new tcp session is started with the same ports as an earlier session in this trace");
    if (cols) pinfo.prependInfoFence("[TCP Port numbers reused] ");
  }
  if (fl & TA_RETRANSMISSION) {
    expert(fi, f.eRetransmission, "note", "sequence", "This frame is a (suspected) retransmission");
    if (cols) pinfo.prependInfoFence("[TCP Retransmission] ");
    if (ta.rtoS !== 0 || ta.rtoNs !== 0) {
      fi.addGenerated(f.rto, tvb, 0, 0, time(ta.rtoS, ta.rtoNs));
      fi.addGenerated(f.rtoFrame, tvb, 0, 0, ta.rtoFrame);
    }
  }
  if (fl & TA_FAST_RETRANSMISSION) {
    expert(fi, f.eFastRetransmission, "note", "sequence", "This frame is a (suspected) fast retransmission");
    expert(fi, f.eRetransmission, "note", "sequence", "This frame is a (suspected) retransmission");
    if (cols) pinfo.prependInfoFence("[TCP Fast Retransmission] ");
  }
  if (fl & TA_SPURIOUS_RETRANSMISSION) {
    expert(fi, f.eSpuriousRetransmission, "note", "sequence", "This frame is a (suspected) spurious retransmission");
    expert(fi, f.eRetransmission, "note", "sequence", "This frame is a (suspected) retransmission");
    if (cols) pinfo.prependInfoFence("[TCP Spurious Retransmission] ");
  }
  if (fl & TA_OUT_OF_ORDER) {
    expert(fi, f.eOutOfOrder, "warn", "sequence", "This frame is a (suspected) out-of-order segment");
    if (cols) pinfo.prependInfoFence("[TCP Out-Of-Order] ");
  }
  if (fl & TA_LOST_PACKET) {
    expert(fi, f.eLostSegment, "warn", "sequence", "Previous segment(s) not captured (common at capture start)");
    if (cols) pinfo.prependInfoFence("[TCP Previous segment not captured] ");
  }
  if (fl & TA_ACK_LOST_PACKET) {
    expert(fi, f.eAckLostSegment, "warn", "sequence", "ACKed segment that wasn't captured (common at capture start)");
    if (cols) pinfo.prependInfoFence("[TCP ACKed unseen segment] ");
  }
  if (fl & TA_WINDOW_UPDATE) {
    expert(fi, f.eWindowUpdate, "chat", "sequence", "TCP window update");
    if (cols) pinfo.prependInfoFence("[TCP Window Update] ");
  }
  if (fl & TA_WINDOW_FULL) {
    expert(fi, f.eWindowFull, "warn", "sequence", "TCP window specified by the receiver is now completely full");
    if (cols) pinfo.prependInfoFence("[TCP Window Full] ");
  }
  if (fl & TA_KEEP_ALIVE) {
    expert(fi, f.eKeepAlive, "note", "sequence", "TCP keep-alive segment");
    if (cols) pinfo.prependInfoFence("[TCP Keep-Alive] ");
  }
  if (fl & TA_KEEP_ALIVE_ACK) {
    expert(fi, f.eKeepAliveAck, "note", "sequence", "ACK to a TCP keep-alive segment");
    if (cols) pinfo.prependInfoFence("[TCP Keep-Alive ACK] ");
  }
  if (ta.dupackNum !== 0) {
    if (fl & TA_DUPLICATE_ACK) {
      const d = fi.addGenerated(f.duplicateAck, tvb, 0, 0, null);
      if (full) d.setText("This is a TCP duplicate ack");
      if (cols) pinfo.prependInfoFence(`[TCP Dup ACK ${ta.dupackFrame}#${ta.dupackNum}] `);
    }
    at.addGenerated(f.duplicateAckNum, tvb, 0, 0, ta.dupackNum);
    const df = at.addGenerated(f.duplicateAckFrame, tvb, 0, 0, ta.dupackFrame);
    expert(df, f.duplicateAck, "note", "sequence", `Duplicate ACK (#${ta.dupackNum})`);
  }
  if (fl & TA_ZERO_WINDOW_PROBE) {
    expert(fi, f.eZeroWindowProbe, "note", "sequence", "TCP Zero Window Probe");
    if (cols) pinfo.prependInfoFence("[TCP ZeroWindowProbe] ");
  }
  if (fl & TA_ZERO_WINDOW) {
    expert(fi, f.eZeroWindow, "warn", "sequence", "TCP Zero Window segment");
    if (cols) pinfo.prependInfoFence("[TCP ZeroWindow] ");
  }
  if (fl & TA_ZERO_WINDOW_PROBE_ACK) {
    expert(fi, f.eZeroWindowProbeAck, "note", "sequence", "ACK to a TCP Zero Window Probe");
    if (cols) pinfo.prependInfoFence("[TCP ZeroWindowProbeAck] ");
  }
}

