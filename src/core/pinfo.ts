/** Per-packet information shared by the dissectors of one frame (Wireshark's packet_info). */
import type { Frame } from "../capture/frame.js";
import type { Time } from "./field.js";
import type { Session } from "./session.js";
import { etherToString } from "./format.js";
import type { DataSource, Tvb } from "./tvb.js";

/**
 * The summary columns. Source/Destination may be given as MAC addresses that are only
 * formatted when read: Ethernet fills them on every packet, and IP nearly always
 * replaces them.
 */
export class Columns {
  protocol = "";
  info = "";
  private s = "";
  private d = "";
  private macS: Uint8Array | null = null;
  private macD: Uint8Array | null = null;

  get src(): string {
    if (this.macS !== null) {
      this.s = etherToString(this.macS);
      this.macS = null;
    }
    return this.s;
  }
  set src(v: string) {
    this.s = v;
    this.macS = null;
  }
  get dst(): string {
    if (this.macD !== null) {
      this.d = etherToString(this.macD);
      this.macD = null;
    }
    return this.d;
  }
  set dst(v: string) {
    this.d = v;
    this.macD = null;
  }
  /** A MAC source address, formatted when (and if) the column is read. */
  setMacSrc(a: Uint8Array): void {
    this.macS = a;
  }
  setMacDst(a: Uint8Array): void {
    this.macD = a;
  }
}

export type PortType = "none" | "tcp" | "udp" | "sctp";

export class PacketInfo {
  /** Protocol abbrevs in order (frame.protocols = layers.join(":")). */
  readonly layers: string[] = [];
  /** Null when no summary columns are wanted (fields/JSON modes): skip building Info strings. */
  cols: Columns | null;
  /** The timestamps of the previous captured and previous displayed frames (set by the frame dissector; -t d, -t dd). */
  prevTs: Time | null = null;
  prevDisplayedTs: Time | null = null;
  /** Network-layer addresses (raw bytes: 4 or 16), set by ip/ipv6. */
  netSrc: Uint8Array | null = null;
  netDst: Uint8Array | null = null;
  /** Link-layer addresses (6 bytes), set by eth. */
  dlSrc: Uint8Array | null = null;
  dlDst: Uint8Array | null = null;
  ptype: PortType = "none";
  srcport = 0;
  dstport = 0;
  /** True while dissecting a fragment that is not reassembled here. */
  fragmented = false;
  /** Depth of IP-in-something nesting (0 = outermost IP). */
  ipDepth = 0;
  /** Dissecting the packet quoted inside an ICMP/ICMPv6 error (Wireshark's pinfo->flags.in_error_pkt). */
  inErrorPkt = false;
  /** Set by a dissector that decided the packet is malformed. */
  malformed = false;
  /**
   * A dissector ran past the captured bytes (snapshot length). In Wireshark that exception
   * ends the whole frame's dissection; callers that would go on (a trailer after the
   * payload) check this.
   */
  truncated = false;
  /**
   * The data where tshark would catch a dissector's exception (its show_exception tvb): the
   * payload "ethertype" handed on, or the PDU of a tcp_dissect_pdus loop (HTTP/2). The
   * "[Malformed Packet]" mark is placed at its start (-T pdml's pos); null: at the failing
   * dissector's own data.
   */
  catchTvb: Tvb | null = null;
  /** Info text before this offset survives setInfo (Wireshark's column fence, e.g. "[TCP Retransmission] "). */
  infoFence = 0;
  /** Byte sources of this frame: the frame itself first, then reassembled/decrypted buffers (for -x). */
  readonly sources: DataSource[] = [];
  /**
   * Earlier frames whose bytes this frame put together (IP fragments, TCP segments, an HTTP/2
   * body's DATA): Wireshark's dependent frames. -2 -w writes them beside a shown frame, so
   * the file still reassembles. Null until a reassembly adds one.
   */
  dependsOn: number[] | null = null;

  /** A frame this one's reassembly used (none twice, never this frame itself). */
  addDependency(frame: number): void {
    if (frame === this.frame.num) return;
    if (this.dependsOn === null) this.dependsOn = [frame];
    else if (!this.dependsOn.includes(frame)) this.dependsOn.push(frame);
  }
  private _data: Map<string, unknown> | null = null;
  /** Free-form per-packet data that dissectors hand to each other (e.g. "tcp" → segment info). Made on first use. */
  get data(): Map<string, unknown> {
    if (this._data === null) this._data = new Map();
    return this._data;
  }

  constructor(
    readonly frame: Frame,
    readonly session: Session,
    wantColumns: boolean,
  ) {
    this.cols = wantColumns ? new Columns() : null;
  }

  /** Register a new data source (reassembled or decrypted bytes) so hex dumps show it. */
  addSource(ds: DataSource): void {
    this.sources.push(ds);
  }

  get num(): number {
    return this.frame.num;
  }

  setProtocol(p: string): void {
    if (this.cols !== null) this.cols.protocol = p;
  }
  setInfo(s: string): void {
    if (this.cols !== null) this.cols.info = this.infoFence > 0 ? this.cols.info.slice(0, this.infoFence) + s : s;
  }
  /**
   * col_clear, then col_append_sep_str(sep, s): what is kept before a fence is followed by
   * `sep` and `s` (TLS after another PDU of the same segment: "MessageType: P_CONTROL_V1, Client Hello").
   */
  clearInfoAppendSep(sep: string, s: string): void {
    if (this.cols === null) return;
    const kept = this.infoFence > 0 ? this.cols.info.slice(0, this.infoFence) : "";
    this.cols.info = kept === "" ? s : s === "" ? kept : kept + sep + s;
  }
  /** Prepend text and fence it so later setInfo calls keep it (Wireshark col_prepend_fence_fstr). */
  prependInfoFence(s: string): void {
    if (this.cols === null) return;
    this.cols.info = s + this.cols.info;
    this.infoFence += s.length;
  }
  appendInfo(s: string): void {
    if (this.cols !== null) this.cols.info += s;
  }
  /** Append with a separator when info is not empty (Wireshark col_append_sep_str). */
  appendInfoSep(sep: string, s: string): void {
    if (this.cols !== null) this.cols.info = this.cols.info === "" ? s : this.cols.info + sep + s;
  }
  setSrcDst(src: string, dst: string): void {
    if (this.cols !== null) {
      this.cols.src = src;
      this.cols.dst = dst;
    }
  }
}
