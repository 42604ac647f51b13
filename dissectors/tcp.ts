/**
 * Transmission Control Protocol (RFC 9293), as tshark 4.0 shows it: header, options,
 * relative sequence numbers, window scaling, conversation timestamps and the one-pass
 * SEQ/ACK analysis (src/analysis/tcp.ts). The payload goes to the "tcp.port" table
 * (server port, then low port, then high port), then the "tcp" heuristics, then data.
 *
 * The payload dissector gets a TcpSegment as `data` (stream, direction, relative
 * seq): that is the seam where stream reassembly plugs in (see analysis/tcp.ts).
 *
 * Split over: tcp-fields.ts (field list, option tables), tcp-common.ts (shared helpers,
 * the bound fields), tcp-options.ts, tcp-analysis-print.ts, tcp-payload.ts (payload
 * hand-off and reassembly glue). Only this file calls defineProtocol.
 */
import {
  analyzeSequenceNumber, COMPLETENESS_ACK, COMPLETENESS_DATA, COMPLETENESS_FIN, COMPLETENESS_RST,
  COMPLETENESS_SYNACK, COMPLETENESS_SYNSENT, TcpState, tcpStreamFor, TH_ACK, TH_AE,
  TH_CWR, TH_ECE, TH_FIN, TH_MASK, TH_PUSH, TH_RES, TH_RST, TH_SYN, TH_URG,
} from "../src/analysis/tcp.js";
import { bitString, hex } from "../src/core/format.js";
import { asciiString, strayCheck } from "../src/core/strings.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { finishAtFin, noteSegments, type FlowReassembly } from "../src/analysis/reassembly.js";
import { completenessText, flagsToLetters, flagsToStr, printAnalysis, verifyWindowScaling } from "./tcp-analysis-print.js";
import { bindTcpFields, expert, expertItem, NO_BYTES, want, type Hdr } from "./tcp-common.js";
import { timeDelta } from "../src/core/time.js";
import { TCP_FIELDS } from "./tcp-fields.js";
import { dissectOptions } from "./tcp-options.js";
import { DESEGMENT_DEFAULT, desegmentPayload, handPayload, Hooks, newSegment } from "./tcp-payload.js";

export const tcp = defineProtocol({
  name: "Transmission Control Protocol",
  abbrev: "tcp",
  short: "TCP",
  fields: TCP_FIELDS,
  registers: [["ip.proto", 6]],
  dissect: dissectTcp,
});

const f = tcp.f;
bindTcpFields(f);

const makeState = (): TcpState => new TcpState();

/**
 * The one Hdr, reset per packet: it lives from dissectOptions() to the MPTCP update a few
 * lines later, and nothing in between dissects TCP again (no allocation per packet).
 */
const HDR: Hdr = { flags: 0, ack: 0, haveSeglen: false, seglen: 0, numSack: 0, sackLE: [0, 0, 0, 0], sackRE: [0, 0, 0, 0], mptcp: 0, hasMptcp: false };

function resetHdr(flags: number, ack: number, haveSeglen: boolean, seglen: number): Hdr {
  const h = HDR;
  h.flags = flags;
  h.ack = ack;
  h.haveSeglen = haveSeglen;
  h.seglen = seglen;
  h.numSack = 0;
  const le = h.sackLE;
  const re = h.sackRE;
  le[0] = le[1] = le[2] = le[3] = 0;
  re[0] = re[1] = re[2] = re[3] = 0;
  h.mptcp = 0;
  h.hasMptcp = false;
  return h;
}

/** What a frame of a stream seen before adds to its completeness. */
function laterCompleteness(flags: number, seglen: number): number {
  let comp = 0;
  if ((flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) comp |= COMPLETENESS_SYNACK;
  if ((flags & (TH_SYN | TH_ACK)) === TH_ACK) comp |= seglen > 0 ? COMPLETENESS_DATA : COMPLETENESS_ACK;
  if ((flags & (TH_FIN | TH_ACK)) === (TH_FIN | TH_ACK)) comp |= COMPLETENESS_FIN;
  if (flags & TH_RST) comp |= COMPLETENESS_RST;
  return comp;
}

function tcpState(pinfo: PacketInfo): TcpState {
  const s = pinfo.session.get("tcp", makeState);
  if (!s.prefsRead) {
    const ses = pinfo.session;
    s.prefsRead = true;
    s.fastRtSupersedesOoo = ses.pref("tcp.fastrt_supersedes_ooo", true);
    s.desegmentStreams = ses.pref("tcp.desegment_tcp_streams", DESEGMENT_DEFAULT);
  }
  return s;
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
  // labelled with the ports at once: a header cut short after them still shows them (tshark)
  if (full) ti.setText(tcp.name + summary);
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
  // the output reads nothing of TCP but its ports, nor anything above it (Session.tcpPortsOnly)
  if (pinfo.session.tcpPortsOnly) return tvb.length;

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
  // (-2: the stream's final completeness, as the first pass left it)
  const second = pinfo.session.secondPass;
  if (second && st.completeness2 < 0) st.completeness2 = pinfo.session.ahead<number>("tcp.completeness", st.stream) ?? 0;
  const shownComp = second ? st.completeness2 : st.completeness;
  ti.addGenerated(f.completeness, tvb, 0, 0, shownComp, full ? completenessText(shownComp) : undefined).detach();
  st.fwd.numSackRanges = 0;

  // Conversation timestamps.
  const t = tree.tree;
  const tsDelta = want(t, f.timeDelta) ? timeDelta(tsS, tsNs, st.tsPrevS, st.tsPrevNs) : null;
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
      ti.addGenerated(f.len, tvb, 0, 0, seglen);
      analyzeSequenceNumber(st, fr.num, tsS, tsNs, rawSeq, rawAck, seglen, flags, rawWin, state.fastRtSupersedesOoo);
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
  // tshark's second pass finds the conversation already there: even its first frame counts as a later one
  if (second) st.completeness2 |= laterCompleteness(flags, seglen);
  if (isNew) {
    if ((flags & (TH_SYN | TH_ACK)) === TH_SYN) {
      comp |= COMPLETENESS_SYNSENT;
      if (seglen > 0) comp |= COMPLETENESS_DATA;
    }
  } else {
    comp = st.completeness | laterCompleteness(flags, seglen);
  }
  st.completeness = comp;
  if (pinfo.session.twoPass !== null) pinfo.session.noteAhead("tcp.completeness", st.stream, comp);

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
  const res = ft.add(f.flagsRes, tvb, 12, 1, (flags & TH_RES) !== 0);
  // a boolean over three bits: the bits are drawn as they are, not all set (tshark)
  if (full) res.setText(`${bitString(TH_RES, 12, flags)} = Reserved: ${flags & TH_RES ? "Set" : "Not set"}`);
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
      const d = timeDelta(tsS, tsNs, st.tsMruSynS, st.tsMruSynNs);
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
    const rel = timeDelta(tsS, tsNs, st.tsFirstS, st.tsFirstNs);
    tsg.addGenerated(f.timeRelative, tvb, 0, 0, rel);
  }
  if (tsDelta !== null) tsg.addGenerated(f.timeDelta, tvb, 0, 0, tsDelta);

  let hdr: Hdr | null = null;
  if (optItem !== null) {
    hdr = resetHdr(flags, ack, haveSeglen, seglen);
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
    state.desegmentStreams;
  if (haveSeglen && flags & TH_FIN && st.fwd.reassembly !== null && (st.fwd.reassembly as FlowReassembly).untilFin) {
    const fr = st.fwd.reassembly as FlowReassembly;
    if (fr.fin === 0 || fr.fin === pinfo.num) {
      fr.fin = pinfo.num;
      const msp = finishAtFin(fr, tvb, hlen, seq, seglen, pinfo.num);
      if (msp !== null) {
        const h = new Hooks(pinfo, tree, ti, sport, dport, st, newSegment(st, seq, nxtseq, ack, flags, 0, ti));
        const rtvb = h.reassembledTvb(msp);
        if (h.pass() === 1) noteSegments(h, msp, pinfo.num, false);
        h.showSegments(msp, rtvb);
        handPayload(rtvb, pinfo, tree, sport, dport, st, h.seg);
        return tvb.length;
      }
    } else {
      // tshark adds it as a plain field (no brackets), unlike the other analysis items
      ti.add(f.finRetransmission, tvb, 0, 0, fr.fin);
    }
  }

  // The payload.
  const remaining = tvb.remaining(hlen);
  if (remaining !== 0) {
    if (flags & TH_RST) {
      const a = tvb.abs(hlen);
      strayCheck(ti.add(f.resetCause, tvb, hlen, remaining, asciiString(tvb, hlen, remaining)), tvb.ds.data, a, a + remaining);
    } else {
      const nbytes = tvb.reportedRemainingFrom(hlen);
      const pl = ti.add(f.payload, tvb, hlen, remaining, want(t, f.payload) ? tvb.bytes(hlen, remaining) : NO_BYTES);
      if (full) pl.setText(`TCP payload (${nbytes} byte${nbytes === 1 ? "" : "s"})`);
      const segment = newSegment(st, flags & TH_SYN ? (seq + 1) >>> 0 : seq, flags & TH_SYN ? (nxtseq + 1) >>> 0 : nxtseq,
        ack, flags, flags & TH_URG ? urp : 0, ti);
      if (pinfo.session.transportOnly) {
        // nothing above TCP is read by this output (Session.transportOnly)
      } else if (desegment) {
        segment.canDesegment = true;
        desegmentPayload(tvb, hlen, pinfo, tree, ti, sport, dport, st, segment);
      } else {
        handPayload(tvb.sub(hlen), pinfo, tree, sport, dport, st, segment);
      }
    }
  }
  return tvb.length;
}
