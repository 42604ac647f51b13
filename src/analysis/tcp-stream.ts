/**
 * TCP per-stream state: the flag constants (Wireshark's TCP_A_* analysis flags, TH_*
 * header flags, tcp.completeness bits), the modulo-2^32 *_SEQ comparisons, and the
 * per-stream / per-direction records the SEQ/ACK analysis fills (TcpAcked, TcpFlow,
 * TcpStream). Re-exported by tcp.ts, which importers use.
 */

/* tcp_acked flags (Wireshark's TCP_A_*) */
export const TA_RETRANSMISSION = 0x0001;
export const TA_LOST_PACKET = 0x0002;
export const TA_ACK_LOST_PACKET = 0x0004;
export const TA_KEEP_ALIVE = 0x0008;
export const TA_DUPLICATE_ACK = 0x0010;
export const TA_ZERO_WINDOW = 0x0020;
export const TA_ZERO_WINDOW_PROBE = 0x0040;
export const TA_ZERO_WINDOW_PROBE_ACK = 0x0080;
export const TA_KEEP_ALIVE_ACK = 0x0100;
export const TA_OUT_OF_ORDER = 0x0200;
export const TA_FAST_RETRANSMISSION = 0x0400;
export const TA_WINDOW_UPDATE = 0x0800;
export const TA_WINDOW_FULL = 0x1000;
export const TA_REUSED_PORTS = 0x2000;
export const TA_SPURIOUS_RETRANSMISSION = 0x4000;

/* TCP header flags */
export const TH_FIN = 0x001;
export const TH_SYN = 0x002;
export const TH_RST = 0x004;
export const TH_PUSH = 0x008;
export const TH_ACK = 0x010;
export const TH_URG = 0x020;
export const TH_ECE = 0x040;
export const TH_CWR = 0x080;
export const TH_AE = 0x100;
export const TH_RES = 0xe00;
export const TH_MASK = 0xfff;

/* static flags of a flow */
export const S_BASE_SEQ_SET = 0x01;
export const S_SAW_SYN = 0x03;
export const S_SAW_SYNACK = 0x05;

/** SACK blocks kept for bytes-in-flight (MAX_TCP_SACK_RANGES). */
export const MAX_SACK_RANGES = 4;

/** Conversation completeness bits (tcp.completeness). */
export const COMPLETENESS_SYNSENT = 0x01;
export const COMPLETENESS_SYNACK = 0x02;
export const COMPLETENESS_ACK = 0x04;
export const COMPLETENESS_DATA = 0x08;
export const COMPLETENESS_FIN = 0x10;
export const COMPLETENESS_RST = 0x20;

// Sequence-space comparisons (modulo 2^32).
export const GT_SEQ = (x: number, y: number): boolean => ((y - x) | 0) < 0;
export const LT_SEQ = (x: number, y: number): boolean => ((x - y) | 0) < 0;
export const LE_SEQ = (x: number, y: number): boolean => ((x - y) | 0) <= 0;
export const GE_SEQ = (x: number, y: number): boolean => ((x - y) | 0) >= 0;

/** One segment sent but not yet acknowledged (tcp_unacked_t). */
export interface Unacked {
  next: Unacked | null;
  frame: number;
  seq: number;
  nextseq: number;
  s: number;
  ns: number;
}

/** Analysis results of one segment (Wireshark's tcp_acked). */
export class TcpAcked {
  flags = 0;
  frameAcked = 0;
  /** ACK RTT (when frameAcked). */
  rttS = 0;
  rttNs = 0;
  rtoS = 0;
  rtoNs = 0;
  rtoFrame = 0;
  dupackNum = 0;
  dupackFrame = 0;
  bytesInFlight = 0;
  pushBytesSent = 0;
}

/** One direction of a TCP stream (tcp_flow_t + tcp_analyze_seq_flow_info_t). */
export class TcpFlow {
  baseSeq = 0;
  staticFlags = 0;
  /** -1 unknown, -2 no scaling, else the shift. */
  winScale = -1;
  /** An SCPS capabilities option was seen in this direction (its extended options are legal then). */
  scpsCapable = false;
  /** Last raw window seen (G_MAXUINT32 before any). */
  window = 0xffffffff;
  segments: Unacked | null = null;
  segmentCount = 0;
  nextseq = 0;
  nextseqframe = 0;
  nextseqS = 0;
  nextseqNs = 0;
  lastack = 0;
  lastackS = 0;
  lastackNs = 0;
  lastnondupack = 0;
  dupacknum = 0;
  maxseqtobeacked = 0;
  numSackRanges = 0;
  readonly sackLE = new Array<number>(MAX_SACK_RANGES).fill(0);
  readonly sackRE = new Array<number>(MAX_SACK_RANGES).fill(0);
  lastsegmentflags = 0;
  validBif = true;
  pushBytesSent = 0;
  pushSetLast = false;
  closingInitiator = false;
  isFirstAck = false;
  /** MPTCP option kinds seen up to this flow's previous segment (dup-ACK tolerance). */
  mpOperations = 0;
  /** Stream reassembly state of this direction (a FlowReassembly, made on first use). */
  reassembly: unknown = null;
}

/** A TCP conversation ("stream"): both directions and what the analysis remembers. */
export class TcpStream {
  readonly flow1 = new TcpFlow();
  readonly flow2 = new TcpFlow();
  /** The direction of the packet being dissected, and the other one. */
  fwd: TcpFlow;
  rev: TcpFlow;
  /** Analysis of the current packet (null when nothing to say). */
  ta: TcpAcked | null = null;
  tsFirstS: number;
  tsFirstNs: number;
  tsPrevS: number;
  tsPrevNs: number;
  tsMruSynS = 0;
  tsMruSynNs = 0;
  tsFirstRttS = 0;
  tsFirstRttNs = 0;
  serverPort = 0;
  completeness = 0;
  /** -2, second pass: the completeness shown (the first pass's final one, grown as tshark's second pass grows it); -1 before the stream's first frame. */
  completeness2 = -1;
  tfoSynData = false;
  /** A SYN with AE+CWR+ECE was seen (AccECN setup). */
  accEcnSyn = false;
  /** ...and answered by an AccECN SYN/ACK: later segments carry the ACE counter. */
  accEcn = false;
  /** MPTCP seen on this stream (null = never). */
  mpOperations: number | null = null;

  constructor(readonly stream: number, tsS: number, tsNs: number) {
    this.fwd = this.flow1;
    this.rev = this.flow2;
    this.tsFirstS = this.tsPrevS = tsS;
    this.tsFirstNs = this.tsPrevNs = tsNs;
  }

  /** The analysis record of this packet, made on first use (tcp_analyze_get_acked_struct). */
  acked(): TcpAcked {
    if (this.ta === null) this.ta = new TcpAcked();
    return this.ta;
  }
}
