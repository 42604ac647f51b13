/**
 * Control-channel wrapping: --tls-auth (HMAC) and --tls-crypt (AES-256-CTR + HMAC-SHA256).
 * The engine builds and parses plain control packets (op|session|acks|mpid|payload, as
 * wire.ts's mode "none"); `wrap` turns one into the on-wire form and `unwrap` back,
 * checking authenticity and the replay packet-id first. Nothing unauthenticated passes.
 *
 *   tls-auth:  op|sid|HMAC|pid|time|rest,  HMAC over pid|time|op|sid|rest (OpenVPN swaps
 *              the op/sid to the front after computing it)
 *   tls-crypt: op|sid|pid|time|tag(32)|AES-256-CTR(rest), tag = HMAC-SHA256 over
 *              op|sid|pid|time|rest, CTR IV = tag[0..16)
 */
import { createCipheriv, createHmac, timingSafeEqual } from "node:crypto";
import { keySlots } from "./keyfile.js";
import { ReplayWindow } from "./replay.js";

export type ControlWrapKind = "none" | "tls-auth" | "tls-crypt";

const HASH: Record<string, [string, number]> = {
  SHA1: ["sha1", 20], SHA256: ["sha256", 32], SHA384: ["sha384", 48], SHA512: ["sha512", 64],
};

export interface ControlWrapConfig {
  kind: ControlWrapKind;
  key2?: Uint8Array;
  /** tls-auth key direction (0/1, undefined = bidirectional). tls-crypt: server 0, client 1. */
  direction?: 0 | 1;
  /** tls-auth digest (--auth), default SHA1. */
  auth?: string;
}

export class ControlWrap {
  readonly kind: ControlWrapKind;
  private sendHmac = new Uint8Array(0);
  private recvHmac = new Uint8Array(0);
  private sendCipher = new Uint8Array(0);
  private recvCipher = new Uint8Array(0);
  private hash = "sha256";
  readonly hmacLen: number;
  private pid = 0;
  private readonly time = Math.floor(Date.now() / 1000);
  private replay = new ReplayWindow(64);
  private replayTime = 0;
  /** Packets dropped because they failed authentication / were replays. */
  authFailures = 0;
  replays = 0;

  constructor(cfg: ControlWrapConfig) {
    this.kind = cfg.kind;
    if (cfg.kind === "none") {
      this.hmacLen = 0;
      return;
    }
    if (cfg.key2 === undefined) throw new Error(`${cfg.kind} needs a key`);
    const { send, recv } = keySlots(cfg.key2, cfg.direction);
    if (cfg.kind === "tls-auth") {
      const h = HASH[(cfg.auth ?? "SHA1").toUpperCase().replace("SHA-", "SHA")];
      if (h === undefined) throw new Error(`unsupported --auth digest ${cfg.auth}`);
      this.hash = h[0];
      this.hmacLen = h[1];
      this.sendHmac = send.slice(64, 64 + h[1]);
      this.recvHmac = recv.slice(64, 64 + h[1]);
    } else {
      this.hmacLen = 32;
      this.sendCipher = send.slice(0, 32);
      this.recvCipher = recv.slice(0, 32);
      this.sendHmac = send.slice(64, 96);
      this.recvHmac = recv.slice(64, 96);
    }
  }

  /** Bytes the wrapping adds to a plain control packet. */
  get overhead(): number {
    return this.kind === "none" ? 0 : this.hmacLen + 8;
  }

  wrap(plain: Uint8Array): Uint8Array {
    if (this.kind === "none") return plain;
    const pid = ++this.pid;
    const rest = plain.subarray(9);
    const out = Buffer.allocUnsafe(plain.length + this.hmacLen + 8);
    out.set(plain.subarray(0, 9), 0);
    if (this.kind === "tls-auth") {
      const h = 9 + this.hmacLen;
      out.writeUInt32BE(pid, h);
      out.writeUInt32BE(this.time, h + 4);
      const mac = createHmac(this.hash, this.sendHmac).update(out.subarray(h, h + 8)).update(plain.subarray(0, 9)).update(rest).digest();
      out.set(mac, 9);
      out.set(rest, h + 8);
      return out;
    }
    out.writeUInt32BE(pid, 9);
    out.writeUInt32BE(this.time, 13);
    const tag = createHmac("sha256", this.sendHmac).update(out.subarray(0, 17)).update(rest).digest();
    out.set(tag, 17);
    const c = createCipheriv("aes-256-ctr", this.sendCipher, tag.subarray(0, 16));
    const ct = c.update(rest);
    out.set(ct, 49);
    c.final();
    return out;
  }

  /** The plain packet (op|sid|rest), or null when it is not authentic or is a replay. */
  unwrap(pkt: Uint8Array): Uint8Array | null {
    if (this.kind === "none") return pkt;
    if (pkt.length < 9 + this.hmacLen + 8) {
      this.authFailures++;
      return null;
    }
    const b = Buffer.from(pkt.buffer, pkt.byteOffset, pkt.length);
    let pid: number;
    let time: number;
    let rest: Uint8Array;
    if (this.kind === "tls-auth") {
      const h = 9 + this.hmacLen;
      pid = b.readUInt32BE(h);
      time = b.readUInt32BE(h + 4);
      const mac = createHmac(this.hash, this.recvHmac).update(b.subarray(h, h + 8)).update(b.subarray(0, 9)).update(b.subarray(h + 8)).digest();
      if (!timingSafeEqual(mac, b.subarray(9, h))) {
        this.authFailures++;
        return null;
      }
      rest = b.subarray(h + 8);
    } else {
      pid = b.readUInt32BE(9);
      time = b.readUInt32BE(13);
      const tag = b.subarray(17, 49);
      const d = createCipheriv("aes-256-ctr", this.recvCipher, tag.subarray(0, 16));
      rest = d.update(b.subarray(49));
      d.final();
      const mac = createHmac("sha256", this.recvHmac).update(b.subarray(0, 17)).update(rest).digest();
      if (!timingSafeEqual(mac, tag)) {
        this.authFailures++;
        return null;
      }
    }
    if (time !== this.replayTime) {
      if (time < this.replayTime) {
        this.replays++;
        return null;
      }
      this.replayTime = time;
      this.replay.reset();
    }
    if (!this.replay.check(pid)) {
      this.replays++;
      return null;
    }
    this.replay.accept(pid);
    const out = new Uint8Array(9 + rest.length);
    out.set(b.subarray(0, 9), 0);
    out.set(rest, 9);
    return out;
  }
}
