/**
 * The control channel's reliability layer (OpenVPN reliable.c), one per key-id:
 * message packet-ids, ACKs (piggybacked or P_ACK_V1), retransmission with exponential
 * back-off, and in-order delivery with a receive window. Sans-IO: `send*` returns the
 * packets to transmit; `receive` returns the messages now deliverable in order.
 */
import { MAX_ACKS, P_ACK_V1, emitPacket } from "../openvpn/wire.js";

/** Outstanding messages at once (OpenVPN uses 6 send buffers; the peer accepts 8+). */
export const SEND_WINDOW = 6;
/** Messages accepted ahead of the next expected one (OpenVPN: 12 receive buffers). */
export const RECV_WINDOW = 12;

interface InFlight {
  mpid: number;
  opcode: number;
  payload: Uint8Array;
  due: number;
  rto: number;
  tries: number;
}

export interface Delivered {
  opcode: number;
  payload: Uint8Array;
}

export class Reliable {
  private nextSendId = 0;
  private queue: { opcode: number; payload: Uint8Array }[] = [];
  private inflight: InFlight[] = [];
  private nextRecvId = 0;
  private recvBuf = new Map<number, Delivered>();
  /** mpids to acknowledge (most recent last). */
  pendingAcks: number[] = [];
  remoteSession = 0n;
  retransmits = 0;

  constructor(
    readonly keyId: number,
    private readonly localSession: bigint,
    private readonly initialRto = 1000,
    private readonly maxRto = 8000,
  ) {}

  /** Queue one reliable message (sent when the window allows). */
  enqueue(opcode: number, payload: Uint8Array): void {
    this.queue.push({ opcode, payload });
  }

  /** Everything sent but not acknowledged (or queued). */
  get idle(): boolean {
    return this.queue.length === 0 && this.inflight.length === 0;
  }

  private build(opcode: number, mpid: number, payload: Uint8Array): Uint8Array {
    const acks = this.pendingAcks.length > 0 && this.remoteSession !== 0n ? this.takeAcks() : [];
    return emitPacket({
      opcode, keyId: this.keyId, sessionId: this.localSession, acks, remoteSessionId: acks.length > 0 ? this.remoteSession : null, mpid, payload,
    });
  }

  private takeAcks(): number[] {
    const n = Math.min(MAX_ACKS, this.pendingAcks.length);
    return this.pendingAcks.splice(0, n);
  }

  /** New packets allowed by the window (with piggybacked ACKs). */
  flush(now: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.queue.length > 0 && this.inflight.length < SEND_WINDOW) {
      const m = this.queue.shift()!;
      const f: InFlight = { mpid: this.nextSendId++, opcode: m.opcode, payload: m.payload, due: now + this.initialRto, rto: this.initialRto, tries: 1 };
      this.inflight.push(f);
      out.push(this.build(f.opcode, f.mpid, f.payload));
    }
    return out;
  }

  /** A standalone P_ACK_V1 for the pending ACKs, if any. */
  ackPacket(): Uint8Array | null {
    if (this.pendingAcks.length === 0 || this.remoteSession === 0n) return null;
    const acks = this.takeAcks();
    return emitPacket({ opcode: P_ACK_V1, keyId: this.keyId, sessionId: this.localSession, acks, remoteSessionId: this.remoteSession });
  }

  /** Retransmissions due at `now`. */
  retransmit(now: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const f of this.inflight) {
      if (f.due > now) continue;
      f.rto = Math.min(f.rto * 2, this.maxRto);
      f.due = now + f.rto;
      f.tries++;
      this.retransmits++;
      out.push(this.build(f.opcode, f.mpid, f.payload));
    }
    return out;
  }

  /** Earliest retransmission time (Infinity when nothing is outstanding). */
  nextDue(): number {
    let t = Infinity;
    for (const f of this.inflight) if (f.due < t) t = f.due;
    return t;
  }

  /** Process the ACKs a packet carries. */
  acked(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.inflight = this.inflight.filter((f) => !ids.includes(f.mpid));
  }

  /**
   * A reliable message arrived: acknowledge it (also duplicates) and return what is now
   * deliverable in order.
   */
  receive(mpid: number, opcode: number, payload: Uint8Array): Delivered[] {
    if (mpid < this.nextRecvId) {
      this.addAck(mpid); // a retransmission: our ACK was lost
      return [];
    }
    if (mpid >= this.nextRecvId + RECV_WINDOW) return []; // outside the window: the peer resends
    this.addAck(mpid);
    if (!this.recvBuf.has(mpid)) this.recvBuf.set(mpid, { opcode, payload: Uint8Array.from(payload) });
    const out: Delivered[] = [];
    for (;;) {
      const m = this.recvBuf.get(this.nextRecvId);
      if (m === undefined) break;
      this.recvBuf.delete(this.nextRecvId);
      this.nextRecvId++;
      out.push(m);
    }
    return out;
  }

  private addAck(mpid: number): void {
    if (!this.pendingAcks.includes(mpid)) this.pendingAcks.push(mpid);
  }

  /** Longest time a message has been waiting for its ACK (tries). */
  get maxTries(): number {
    let n = 0;
    for (const f of this.inflight) if (f.tries > n) n = f.tries;
    return n;
  }
}
