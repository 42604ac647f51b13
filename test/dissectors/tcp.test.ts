/**
 * TCP: differential tests against tshark 4.0 (one pass) on the fixtures, on public
 * corpus files and on synthetic captures that exercise every analysis rule
 * (retransmission, fast retransmission, out-of-order, spurious, dup ACK, lost
 * segment, ACKed unseen, window update/full, zero window and probes, keep-alive,
 * port reuse, seq wrap, SACK/bytes in flight), plus hand-built edge cases and a fuzz.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { dissect, Dissector } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { itemLabel } from "../../src/core/format.js";
import { PacketInfo } from "../../src/core/pinfo.js";
import { callDissector, protocolByAbbrev } from "../../src/core/proto.js";
import { Session } from "../../src/core/session.js";
import { Tree, walk, type Item } from "../../src/core/tree.js";
import { Tvb } from "../../src/core/tvb.js";
import { pcap } from "../helpers/build.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, resolveFields } from "../../src/output/fields.js";
import { corpus, fixtures, formatDisagreements, haveTshark, ROOT, tsharkFields, type Disagreement } from "../helpers/tshark.js";

// ───────────────────────────────────────────────────────── frame builders

function csum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i] << 8) | b[i + 1];
  if (b.length & 1) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function u16(v: number): number[] {
  return [(v >>> 8) & 255, v & 255];
}
function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

function ip4(src: number[], dst: number[], proto: number, payload: Uint8Array, totalLen?: number): Uint8Array {
  const h = new Uint8Array(20);
  h.set([0x45, 0, ...u16(totalLen ?? 20 + payload.length), 0, 1, 0x40, 0, 64, proto, 0, 0, ...src, ...dst]);
  h.set(u16(csum(h)), 10);
  const out = new Uint8Array(20 + payload.length);
  out.set(h);
  out.set(payload, 20);
  return out;
}

function eth(p: Uint8Array, type = 0x0800): Uint8Array {
  const out = new Uint8Array(14 + p.length);
  out.set([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, ...u16(type)]);
  out.set(p, 14);
  return out;
}

interface Seg {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  win?: number;
  opts?: number[];
  data?: Uint8Array | string;
  off?: number;
  urg?: number;
}

function tcpSeg(s: Seg): Uint8Array {
  const opts = s.opts ?? [];
  const data = typeof s.data === "string" ? new TextEncoder().encode(s.data) : s.data ?? new Uint8Array(0);
  const off = s.off ?? (20 + opts.length) >> 2;
  const out = new Uint8Array(20 + opts.length + data.length);
  out.set([...u16(s.sport), ...u16(s.dport), ...u32(s.seq), ...u32(s.ack ?? 0), ...u16((off << 12) | s.flags), ...u16(s.win ?? 8192), 0x12, 0x34, ...u16(s.urg ?? 0)]);
  out.set(opts, 20);
  out.set(data, 20 + opts.length);
  return out;
}

const SYN = 2, ACK = 16, PSH = 8, FIN = 1, RST = 4, URG = 32;
const C = [192, 168, 0, 1];
const S = [192, 168, 0, 2];
const ts = (a: number, b: number) => [1, 1, 8, 10, ...u32(a), ...u32(b)];
const SYNOPT = [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
const sackOpt = (l: number, r: number) => [1, 1, 5, 10, ...u32(l), ...u32(r)];

class Capture {
  t = 0;
  readonly records: { sec: number; frac: number; data: Uint8Array }[] = [];
  constructor(start: number) {
    this.t = start * 1e6;
  }
  add(frame: Uint8Array, dt = 0.001): void {
    this.t += Math.round(dt * 1e6);
    this.records.push({ sec: Math.floor(this.t / 1e6), frac: this.t % 1e6, data: frame });
  }
  c2s(s: Seg, dt?: number): void {
    this.add(eth(ip4(C, S, 6, tcpSeg(s))), dt);
  }
  s2c(s: Seg, dt?: number): void {
    this.add(eth(ip4(S, C, 6, tcpSeg(s))), dt);
  }
  write(dir: string, name: string): string {
    const p = join(dir, name);
    writeFileSync(p, pcap(this.records));
    return p;
  }
}

const A = (n: number, c = "A") => c.repeat(n);

/** A connection that goes through every analysis rule. */
function analysisCapture(): Capture {
  const k = new Capture(2000);
  const cs = 1000, ss = 5000, cp = 40000, sp = 9000;
  const c = (seq: number, ack: number, flags: number, win: number, opts: number[] = [], data = "", dt?: number) =>
    k.c2s({ sport: cp, dport: sp, seq, ack, flags, win, opts, data }, dt);
  const s = (seq: number, ack: number, flags: number, win: number, opts: number[] = [], data = "", dt?: number) =>
    k.s2c({ sport: sp, dport: cp, seq, ack, flags, win, opts, data }, dt);
  c(cs, 0, SYN, 64240, SYNOPT);
  s(ss, cs + 1, SYN | ACK, 65160, SYNOPT, "", 0.01);
  c(cs + 1, ss + 1, ACK, 502, ts(2, 1));
  c(cs + 1, ss + 1, PSH | ACK, 502, ts(3, 1), A(100));
  c(cs + 101, ss + 1, ACK, 502, ts(3, 1), A(100));
  c(cs + 201, ss + 1, PSH | ACK, 502, ts(3, 1), A(100));
  s(ss + 1, cs + 101, ACK, 509, ts(4, 3), "", 0.01);
  c(cs + 201, ss + 1, PSH | ACK, 502, ts(5, 4), A(100), 0.3); // retransmission
  s(ss + 1, cs + 301, ACK, 509, ts(6, 5), "", 0.01);
  c(cs + 401, ss + 1, ACK, 502, ts(7, 6), A(100)); // previous segment lost
  s(ss + 1, cs + 301, ACK, 509, ts(8, 7)); // dup acks
  s(ss + 1, cs + 301, ACK, 509, sackOpt(cs + 401, cs + 501));
  s(ss + 1, cs + 301, ACK, 509, sackOpt(cs + 401, cs + 501));
  c(cs + 301, ss + 1, ACK, 502, ts(9, 8), A(100), 0.002); // fast retransmission
  s(ss + 1, cs + 501, ACK, 509, ts(10, 9), "", 0.01);
  c(cs + 601, ss + 1, ACK, 502, ts(11, 10), A(100));
  c(cs + 501, ss + 1, ACK, 502, ts(11, 10), A(100), 0.0005); // out of order
  s(ss + 1, cs + 701, ACK, 509, ts(12, 11), "", 0.01);
  c(cs + 601, ss + 1, ACK, 502, ts(13, 12), A(100), 0.2); // spurious
  s(ss + 1, cs + 701, PSH | ACK, 509, ts(14, 13), A(50, "B"));
  c(cs + 701, ss + 51, ACK, 502, ts(15, 14));
  c(cs + 701, ss + 51, ACK, 600, ts(15, 14)); // window update
  c(cs + 700, ss + 51, ACK, 600, ts(16, 14), "", 5); // keep-alive
  s(ss + 51, cs + 701, ACK, 509, ts(17, 16));
  c(cs + 700, ss + 51, ACK, 600, ts(18, 17), "\0", 5);
  s(ss + 51, cs + 701, ACK, 509, ts(19, 18));
  s(ss + 51, cs + 701, ACK, 0, ts(20, 18)); // zero window
  c(cs + 701, ss + 51, ACK, 600, ts(21, 20), "Z", 0.5); // probe
  s(ss + 51, cs + 701, ACK, 0, ts(22, 21));
  s(ss + 51, cs + 701, ACK, 509, ts(23, 21), "", 0.5);
  s(ss + 51, cs + 701, ACK, 1, ts(24, 21));
  c(cs + 701, ss + 51, ACK, 600, ts(25, 24), A(128, "W")); // window full
  s(ss + 51, cs + 829, ACK, 509, ts(26, 25));
  c(cs + 829, ss + 51, ACK | URG | PSH, 600, ts(27, 26), "UUU");
  c(cs + 832, ss + 51, FIN | ACK, 600, ts(28, 26));
  s(ss + 51, cs + 833, FIN | ACK, 509, ts(29, 28));
  c(cs + 833, ss + 52, ACK, 600, ts(30, 29));
  // the same ports, a new ISN: a new stream
  c(77777, 0, SYN, 64240, SYNOPT, "", 1);
  s(88888, 77778, SYN | ACK, 65160, SYNOPT);
  c(77778, 88889, ACK, 502);
  // retransmitted SYN, then a SYN/ACK with a different ISN
  k.c2s({ sport: 40001, dport: sp, seq: 999, flags: SYN, win: 64240, opts: SYNOPT });
  k.c2s({ sport: 40001, dport: sp, seq: 999, flags: SYN, win: 64240, opts: SYNOPT }, 1);
  k.s2c({ sport: sp, dport: 40001, seq: 123, ack: 1000, flags: SYN | ACK, win: 65160, opts: [2, 4, 5, 0xb4] });
  k.s2c({ sport: sp, dport: 40001, seq: 456, ack: 1000, flags: SYN | ACK, win: 65160, opts: [2, 4, 5, 0xb4] });
  k.c2s({ sport: 40001, dport: sp, seq: 1000, ack: 457, flags: ACK, win: 502 });
  // mid-stream start across the 2^32 wrap, RST with a cause
  k.c2s({ sport: 40002, dport: 9001, seq: 0xffffff00, ack: 0x10, flags: ACK | PSH, win: 1000, data: A(0x200, "x") });
  k.s2c({ sport: 9001, dport: 40002, seq: 0x10, ack: 0x100, flags: ACK, win: 1000 });
  k.c2s({ sport: 40002, dport: 9001, seq: 0x100, ack: 0x10, flags: ACK | PSH, win: 1000, data: A(10, "y") });
  k.s2c({ sport: 9001, dport: 40002, seq: 0x10, ack: 0x10a, flags: RST | ACK, win: 0, data: "reset cause" });
  k.c2s({ sport: 40003, dport: 9002, seq: 1, flags: FIN, win: 100 });
  k.c2s({ sport: 40003, dport: 9002, seq: 1, flags: RST, win: 100 });
  k.c2s({ sport: 40004, dport: 9003, seq: 5, flags: 0, win: 100, data: "q" });
  // SYN, RST moving nextseq, the same SYN again (nextseq restored), data is not a retransmission
  k.c2s({ sport: 5000, dport: 6000, seq: 100, flags: SYN, win: 1000 });
  k.c2s({ sport: 5000, dport: 6000, seq: 200, flags: RST, win: 1000 });
  k.c2s({ sport: 5000, dport: 6000, seq: 100, flags: SYN, win: 1000 }, 1);
  k.s2c({ sport: 6000, dport: 5000, seq: 900, ack: 101, flags: SYN | ACK, win: 1000 });
  k.c2s({ sport: 5000, dport: 6000, seq: 101, ack: 901, flags: ACK | PSH, win: 1000, data: A(10, "d") });
  // window scale only on the SYN (-2 afterwards), shift > 14, TFO with data
  k.c2s({ sport: 5001, dport: 6001, seq: 1, flags: SYN, win: 1000, opts: [3, 3, 15, 1, 0x22, 6, 1, 2, 3, 4, 1, 1], data: "early" });
  k.s2c({ sport: 6001, dport: 5001, seq: 50, ack: 7, flags: SYN | ACK, win: 1000, opts: [2, 4, 5, 0xb4] });
  k.c2s({ sport: 5001, dport: 6001, seq: 7, ack: 51, flags: ACK, win: 1000 });
  k.s2c({ sport: 6001, dport: 5001, seq: 51, ack: 7, flags: ACK, win: 2000 });
  // SACK blocks reduce bytes in flight
  const b = 0x7000;
  k.c2s({ sport: 5002, dport: 6002, seq: b, flags: SYN, win: 1000, opts: [4, 2, 1, 1] });
  k.s2c({ sport: 6002, dport: 5002, seq: 0x9000, ack: b + 1, flags: SYN | ACK, win: 1000, opts: [4, 2, 1, 1] });
  for (let i = 0; i < 4; i++) k.c2s({ sport: 5002, dport: 6002, seq: b + 1 + i * 100, ack: 0x9001, flags: ACK, win: 1000, data: A(100) });
  k.s2c({ sport: 6002, dport: 5002, seq: 0x9001, ack: b + 101, flags: ACK, win: 1000, opts: [1, 1, 5, 18, ...u32(b + 201), ...u32(b + 301), ...u32(b + 301), ...u32(b + 401)] });
  k.c2s({ sport: 5002, dport: 6002, seq: b + 401, ack: 0x9001, flags: ACK | PSH, win: 1000, data: A(100) });
  k.s2c({ sport: 6002, dport: 5002, seq: 0x9001, ack: b + 101, flags: ACK, win: 1000, opts: [1, 1, 5, 10, ...u32(b + 1), ...u32(b + 101)] }); // D-SACK
  // ACKs beyond data not seen: flagged once per gap, again when the other side sent more,
  // not for a second ACK before it did (the reverse side's dup-ACK count is the latch)
  const g = 0x5000, h = 0x6000;
  k.c2s({ sport: 5003, dport: 7003, seq: g, flags: SYN, win: 1000 });
  k.s2c({ sport: 7003, dport: 5003, seq: h, ack: g + 1, flags: SYN | ACK, win: 1000 });
  k.c2s({ sport: 5003, dport: 7003, seq: g + 1, ack: h + 1, flags: ACK | PSH, win: 1000, data: A(40, "q") });
  k.s2c({ sport: 7003, dport: 5003, seq: h + 1, ack: g + 41, flags: ACK | PSH, win: 1000, data: A(100, "r") });
  k.c2s({ sport: 5003, dport: 7003, seq: g + 41, ack: h + 101, flags: ACK, win: 1000 });
  k.c2s({ sport: 5003, dport: 7003, seq: g + 41, ack: h + 115, flags: ACK, win: 1000 }); // unseen 101..115
  k.c2s({ sport: 5003, dport: 7003, seq: g + 41, ack: h + 129, flags: ACK, win: 1001 }); // latched
  k.s2c({ sport: 7003, dport: 5003, seq: h + 129, ack: g + 41, flags: ACK | PSH, win: 1000, data: A(14, "s") });
  k.c2s({ sport: 5003, dport: 7003, seq: g + 41, ack: h + 143, flags: ACK, win: 1001 }); // the other side moved on
  k.c2s({ sport: 5003, dport: 7003, seq: g + 41, ack: h + 157, flags: ACK, win: 1002 }); // latched again
  k.c2s({ sport: 5003, dport: 7003, seq: g + 41, ack: h + 157, flags: ACK | PSH, win: 1002, data: A(10, "t") });
  k.s2c({ sport: 7003, dport: 5003, seq: h + 157, ack: g + 51, flags: ACK, win: 1000 }); // new ACK: latch reset
  k.c2s({ sport: 5003, dport: 7003, seq: g + 51, ack: h + 171, flags: ACK, win: 1002 });
  k.s2c({ sport: 7003, dport: 5003, seq: h + 157, ack: g + 51, flags: ACK, win: 1000 }); // dup ACK after the latch
  return k;
}

/** Header and option edge cases. */
function optionsCapture(): Capture {
  const k = new Capture(1000);
  let port = 1000;
  const syn = (opts: number[], extra: Partial<Seg> = {}) => k.c2s({ sport: port++, dport: 9999, seq: 100, flags: SYN, opts, ...extra });
  syn([2, 4, 5, 0xb4, 0, 0, 0, 0]); // EOL then zero padding
  syn([2, 4, 5, 0xb4, 0, 1, 1, 0]); // non-zero after EOL
  syn([0, 0, 1, 1]); // EOLs then NOPs, no MSS
  syn([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xff, 0]); // several EOLs before the non-zero byte
  syn([2, 0, 5, 0xb4]); // option length 0
  syn([8, 1, 5, 0xb4]); // option length 1
  syn([1, 8, 10, 0]); // option past the end
  syn([1, 1, 1, 8]); // length byte past the end
  syn([2, 3, 5, 1]); // MSS of the wrong length
  syn([0x63, 4, 0xaa, 0xbb]); // unknown option
  syn([], { off: 4 }); // header length 16
  syn([], { off: 15 }); // header longer than the segment
  syn([3, 3, 15, 0]); // window shift > 14
  k.c2s({ sport: port++, dport: 9999, seq: 100, ack: 5, flags: ACK, opts: [1, 1, 5, 6, 0, 0, 0, 0x10, 0, 0] }); // SACK cut short
  k.c2s({ sport: port++, dport: 9999, seq: 100, ack: 5, flags: ACK, opts: [1, 1, 1, 1] }); // 4 NOPs
  syn([], { ack: 5, urg: 5 }); // ack and urgent pointer without their flags
  k.c2s({ sport: port++, dport: 9999, seq: 100, ack: 5, flags: 0xe10 }); // reserved bits
  k.c2s({ sport: port++, dport: 9999, seq: 100, ack: 5, flags: 0 }); // no flags
  syn([0x22, 6, 1, 2, 3, 4, 6, 6, 0, 0, 0, 7]); // TFO cookie, echo
  syn([8, 6, 0, 0, 0, 7, 1, 1]); // timestamps of the wrong length
  syn([0xfe, 6, 0xf9, 0x89, 1, 2, 0xfd, 4, 0x12, 0x34]); // experimental TFO, then past the end
  syn([0x22, 2, 0x13, 18, ...new Array(16).fill(7), 0x1c, 4, 0x80, 0x0a, 1, 1, 1, 1]); // TFO request, MD5, user timeout
  syn([0xfe, 13, 0xac, 0xc0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 0]); // AccECN order 0
  syn([0xfe, 10, 0xac, 0xc1, 0, 0, 1, 0, 0, 2, 0, 0]); // AccECN order 1, 2 counters
  syn([0xfe, 4, 0x12, 0x34, 0xfd, 2, 1, 1]); // unknown experiment id, bare experiment
  syn([0x1e, 4, 0x00, 0x81, 11, 3, 1, 1]); // MPTCP head, generic option (CC) 3 bytes
  syn([0x0b, 6, 0, 0, 0, 5, 0x0c, 6, 0, 0, 0, 6, 0x0d, 6, 0, 0, 0, 7, 1, 1]); // CC, CC.NEW, CC.ECHO
  syn([0x1d, 16, 7, 9, ...new Array(12).fill(0x5a)]); // TCP-AO: key ids and MAC ("TCP AO" in Info)
  syn([0x1d, 4, 1, 2, 0x1d, 3, 1, 0]); // TCP-AO without a MAC, then one too short
  k.c2s({ sport: port++, dport: 9999, seq: 100, ack: 5, flags: 0xc10 }); // two of the three reserved bits
  syn([7, 6, 0, 0, 0, 9, 1, 1]); // echo reply
  syn([0xfe, 4, 0x00, 0x12]); // experiment id only
  syn([0xac, 5, 0, 0, 1, 1, 1, 1]); // AccECN option kinds
  syn([0xae, 11, 0, 0, 1, 0, 0, 2, 0, 0, 3, 1]);
  // AccECN: SYN with AE+CWR+ECE; only an AccECN SYN/ACK (ACE 2,3,4,6) turns the bits into a counter
  for (const v of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const p = port++;
    k.c2s({ sport: p, dport: 9999, seq: 100, flags: 0x1c2 });
    k.s2c({ sport: 9999, dport: p, seq: 500, ack: 101, flags: 0x12 | (v << 6) });
    k.c2s({ sport: p, dport: 9999, seq: 101, ack: 501, flags: 0x150, data: "x" });
  }
  k.c2s({ sport: port++, dport: 9999, seq: 100, ack: 5, flags: 0x1c2 }); // AccECN SYN, no SYN/ACK seen
  k.c2s({ sport: port - 1, dport: 9999, seq: 101, ack: 5, flags: 0x150, data: "x" });
  // TCP headers quoted in ICMP errors: the first 8 bytes only, then a whole header
  for (const n of [8, 20]) {
    const inner = ip4(S, C, 6, tcpSeg({ sport: 9999, dport: 1000, seq: 0x01020304, ack: 7, flags: ACK, win: 100 }).subarray(0, n), 40);
    const icmp = new Uint8Array(8 + inner.length);
    icmp.set([3, 3, 0, 0, 0, 0, 0, 0]);
    icmp.set(inner, 8);
    icmp.set(u16(csum(icmp)), 2);
    k.add(eth(ip4(C, S, 1, icmp)));
  }
  return k;
}

// ───────────────────────────────────────────────────────── differential

const TCP_FIELDS = [
  "tcp.srcport", "tcp.dstport", "tcp.port", "tcp.stream", "tcp.completeness", "tcp.len", "tcp.seq", "tcp.seq_raw",
  "tcp.nxtseq", "tcp.ack", "tcp.ack_raw", "tcp.hdr_len", "tcp.flags", "tcp.flags.res", "tcp.flags.ae", "tcp.flags.cwr",
  "tcp.flags.ece", "tcp.flags.ace", "tcp.flags.urg", "tcp.flags.ack", "tcp.flags.push", "tcp.flags.reset", "tcp.flags.syn",
  "tcp.flags.fin", "tcp.flags.str", "tcp.window_size_value", "tcp.window_size", "tcp.window_size_scalefactor",
  "tcp.checksum", "tcp.checksum.status", "tcp.urgent_pointer", "tcp.options", "tcp.option_kind", "tcp.option_len",
  "tcp.options.mss", "tcp.options.mss_val", "tcp.options.wscale", "tcp.options.wscale.shift", "tcp.options.wscale.multiplier",
  "tcp.options.sack_perm", "tcp.options.sack", "tcp.options.sack_le", "tcp.options.sack_re", "tcp.options.sack.count",
  "tcp.options.sack.dsack_le", "tcp.options.sack.dsack_re", "tcp.options.timestamp", "tcp.options.timestamp.tsval",
  "tcp.options.timestamp.tsecr", "tcp.options.nop", "tcp.options.eol", "tcp.options.unknown.payload", "tcp.options.echo",
  "tcp.options.echo_value", "tcp.options.tfo", "tcp.options.tfo.cookie", "tcp.options.tfo.request", "tcp.options.experimental",
  "tcp.options.experimental.exid", "tcp.options.experimental.data", "tcp.options.acc_ecn.ee0b", "tcp.options.acc_ecn.eceb",
  "tcp.options.acc_ecn.ee1b", "tcp.options.md5.digest", "tcp.options.user_to_val",
  "tcp.options.ao.keyid", "tcp.options.ao.rnextkeyid", "tcp.options.ao.mac",
  "tcp.analysis", "tcp.analysis.flags", "tcp.analysis.acks_frame", "tcp.analysis.ack_rtt", "tcp.analysis.initial_rtt",
  "tcp.analysis.bytes_in_flight", "tcp.analysis.push_bytes_sent", "tcp.analysis.retransmission",
  "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission", "tcp.analysis.out_of_order",
  "tcp.analysis.reused_ports", "tcp.analysis.lost_segment", "tcp.analysis.ack_lost_segment", "tcp.analysis.window_update",
  "tcp.analysis.window_full", "tcp.analysis.keep_alive", "tcp.analysis.keep_alive_ack", "tcp.analysis.zero_window",
  "tcp.analysis.zero_window_probe", "tcp.analysis.zero_window_probe_ack", "tcp.analysis.duplicate_ack",
  "tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame", "tcp.analysis.rto", "tcp.analysis.rto_frame",
  "tcp.analysis.tfo_syn", "tcp.time_relative", "tcp.time_delta", "tcp.payload", "tcp.reset_cause",
  "tcp.connection.syn", "tcp.connection.synack", "tcp.connection.fin", "tcp.connection.rst", "tcp.connection.fin_active",
  "tcp.connection.fin_passive", "tcp.options.mss.absent", "tcp.options.mss.present", "tcp.option.len.invalid",
  "tcp.ack.nonzero", "tcp.urgent_pointer.non_zero", "tcp.options.sack.dsack", "tcp.options.wscale.shift.invalid",
  "tcp.short_segment", "tcp.bogus_header_length", "tcp.nop", "tcp.suboption_malformed",
];

/** Known, explained differences (file name, frame, field, why). None at the moment. */
const KNOWN: { file: string; frame: number; field: string; why: string }[] = [];

interface Judged {
  cells: number;
  agree: number;
  /** Frames tshark took to TCP/UDP that nestcap could not reach (a lower layer is missing). */
  unreached: number;
  bad: Disagreement[];
  /** Protocol+Info where the transport is the top layer: compared, agreeing, and the mismatches. */
  cols: { n: number; ok: number; bad: string[] };
}

/**
 * One tshark run per file (fields and the two columns together: tshark's start-up is
 * the expensive part), against nestcap's fields and columns from one pass.
 * Frames where nestcap did not reach the transport (`layer` not in its protocol list)
 * are counted, not judged: their lower layer (link type, IPv6…) has no dissector yet.
 */
function judge(file: string, fields: string[], layer: string, colProto: string): Judged {
  const t = tsharkFields(file, [...fields, "_ws.col.Protocol", "_ws.col.Info"]);
  const fs = resolveFields(fields);
  const { frames } = readCaptureSync(file);
  const d = new Dissector({ wanted: fs, columns: true });
  expect(frames.length).toBe(t.length);
  const name = file.split("/").pop()!;
  const res: Judged = { cells: 0, agree: 0, unreached: 0, bad: [], cols: { n: 0, ok: 0, bad: [] } };
  frames.forEach((fr, i) => {
    const r = d.dissect(fr);
    const row = t[i];
    const ours = fieldsLine(r.tree, fs, DEFAULT_FIELDS_OPTIONS).split("\t");
    const reached = r.pinfo.layers.includes(layer);
    if (!reached && row.slice(0, fields.length).some((c) => c !== "")) {
      res.unreached++;
      return;
    }
    fields.forEach((fld, j) => {
      res.cells++;
      const a = row[j] ?? "", b = ours[j] ?? "";
      if (a === b || KNOWN.some((k) => k.file === name && k.frame === i + 1 && k.field === fld)) res.agree++;
      else res.bad.push({ frame: i + 1, field: fld, tshark: a, nestcap: b });
    });
    const p = row[fields.length] ?? "", info = row[fields.length + 1] ?? "";
    // reassembly ("[TCP segment of a reassembled PDU]") is a later issue
    // (and only where nothing above the transport claimed the payload on our side)
    const top = r.pinfo.layers[r.pinfo.layers.length - 1];
    if (!reached || p !== colProto || info.includes("reassembled PDU") || (top !== layer && top !== "data")) return;
    res.cols.n++;
    // the dispatcher's malformed mark is its own business (tshark appends it with no space)
    const mine = r.pinfo.cols!.info.replace(" [Malformed Packet]", "[Malformed Packet]");
    if (r.pinfo.cols!.protocol === p && mine === info) res.cols.ok++;
    else res.cols.bad.push(`${name}#${i + 1}: tshark=${JSON.stringify(p + " " + info)} ours=${JSON.stringify(r.pinfo.cols!.protocol + " " + mine)}`);
  });
  return res;
}

const TCP_CORPUS = [
  ...corpus("suricata-verify", (n) =>
    [
      "http-all-headers__input.pcap", "http-body-inspect__http-aptget-ids-02-s2.pcap", "http-connect__http-connect-fragmented__input.pcap",
      "http-evader__http-evader-026__input.pcap", "http-async__input.pcap", "dns-tcp-ts-gap__input.pcap",
      "dns__dns-tcp-multirequest-buffer__dns-tcp-multirequest-buffer.pcap", "dns-over-http2-limit__input.pcap",
    ].includes(n),
  ),
  ...corpus("tcpdump", (n) =>
    [
      "dns_tcp.pcap", "tcp-handshake-nano.pcap", "accecn_handshake.pcap", "tcp_eight_lowest_weight_flags_set.pcap",
      "tfo-5c1fa7f9ae91.pcap", "tcp_rst_data.pcap", "mptcp-v1.pcap", "mptcp-fclose.pcap", "bgp-4byte-asn.pcap",
      "tcp_header_heapoverflow.pcap",
    ].includes(n),
  ),
];

const TCP_FIXTURES = fixtures((n) => ["sample.pcapng", "http.pcapng", "tcp-analysis.pcap", "dns.pcap", "ipv6.pcapng", "sll.pcap", "sll2.pcap"].includes(n));

describe.skipIf(!haveTshark())("tcp vs tshark", () => {
  const dir = mkdtempSync(join(tmpdir(), "nestcap-tcp-"));
  const synthetic = [analysisCapture().write(dir, "tcp-analysis-rules.pcap"), optionsCapture().write(dir, "tcp-options.pcap")];
  const files = [...TCP_FIXTURES, ...synthetic, ...TCP_CORPUS];
  const totals = { cells: 0, agree: 0, cols: 0, colsOk: 0, files: 0 };

  it.each(files.map((f) => [f.split("/").pop()!, f]))("%s: every TCP field and the columns agree", (_name, file) => {
    const r = judge(file, TCP_FIELDS, "tcp", "TCP");
    totals.cells += r.cells;
    totals.agree += r.agree;
    totals.cols += r.cols.n;
    totals.colsOk += r.cols.ok;
    totals.files++;
    console.log(
      `tcp ${file.split("/").pop()}: ${r.agree}/${r.cells} cells, Info ${r.cols.ok}/${r.cols.n}` +
        (r.unreached ? ` (${r.unreached} frames not reached: lower layer missing)` : ""),
    );
    expect(r.bad, formatDisagreements(r.bad, 20)).toEqual([]);
    expect(r.cols.bad.slice(0, 10)).toEqual([]);
  });

  // -V of headers cut short after the ports, reserved bits drawn as they are, a TCP-AO
  // option whose MAC runs past the capture, a reset cause with bytes after its NUL; an
  // IPv6 packet on a LINKTYPE_IPV4 link (the "ip" handle hands it to ipv6)
  const VERBOSE = new Set(["heapoverflow-tcp_print.pcap", "tcp-auth-heapoverflow.pcap", "tcp_header_heapoverflow.pcap",
    "tcp_rst_diag_payload-trunc.pcap", "LINKTYPE_IPV4_invalid.pcap"]);
  it.each(corpus("tcpdump", (n) => VERBOSE.has(n)))("-V of %s equals tshark's", (file) => {
    const env = { ...process.env, TZ: "UTC", NO_COLOR: "1" };
    const ours = spawnSync(process.execPath, [join(ROOT, "dist", "src", "cli", "nestcap.js"), "-r", file, "-V"], { env, encoding: "utf8" }).stdout;
    const theirs = spawnSync("tshark", ["-n", "-r", file, "-V"], { env, encoding: "utf8" }).stdout;
    expect(ours).toMatch(/Frame 1:/);
    expect(ours).toBe(theirs);
  });

  // the MPTCP option is a protocol of its own to tshark: "mptcp" follows "tcp" in frame.protocols
  it.each(corpus("tcpdump", (n) => n.startsWith("mptcp")))("frame.protocols of %s equals tshark's", (file) => {
    const ours = spawnSync(process.execPath, [join(ROOT, "dist", "src", "cli", "nestcap.js"), "-r", file, "-T", "fields", "-e", "frame.protocols"], { encoding: "utf8" }).stdout;
    const theirs = spawnSync("tshark", ["-n", "-r", file, "-T", "fields", "-e", "frame.protocols"], { encoding: "utf8" }).stdout;
    expect(ours).toMatch(/:tcp:mptcp/);
    expect(ours).toBe(theirs);
  });

  it("totals", () => {
    console.log(`tcp total: ${totals.agree}/${totals.cells} cells, Info ${totals.colsOk}/${totals.cols} over ${totals.files} files`);
    expect(totals.cells).toBeGreaterThan(50000);
    expect(totals.cols).toBeGreaterThan(300);
  });

  it("the synthetic capture really contains every analysis flag", () => {
    const flags = [
      "tcp.analysis.retransmission", "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission",
      "tcp.analysis.out_of_order", "tcp.analysis.reused_ports", "tcp.analysis.lost_segment", "tcp.analysis.ack_lost_segment",
      "tcp.analysis.window_update", "tcp.analysis.window_full", "tcp.analysis.keep_alive", "tcp.analysis.keep_alive_ack",
      "tcp.analysis.zero_window", "tcp.analysis.zero_window_probe", "tcp.analysis.zero_window_probe_ack",
      "tcp.analysis.duplicate_ack", "tcp.options.sack.dsack", "tcp.analysis.rto",
    ];
    const { frames } = readCaptureSync(synthetic[0]);
    const fs = resolveFields(flags);
    const d = new Dissector({ wanted: fs });
    const seen = new Set<string>();
    for (const fr of frames) {
      const r = d.dissect(fr);
      for (const f of fs) if (r.tree.get(f).length > 0) seen.add(f.abbrev);
    }
    expect([...seen].sort()).toEqual([...flags].sort());
  });
});

// ───────────────────────────────────────────────────────── unit tests

function values(r: { tree: Tree }, abbrev: string): unknown[] {
  const f = fieldByAbbrev(abbrev)!;
  const out: unknown[] = [];
  for (const it of walk(r.tree.root)) if (it.field === f) out.push(it.value);
  return out;
}

function labels(r: { tree: Tree }): string[] {
  return [...walk(r.tree.root)].map((it: Item) => itemLabel(it));
}

function experts(r: { tree: Tree }): string[] {
  return r.tree.experts.map((e) => `${e.severity}/${e.group}: ${e.message}`);
}

const one = (seg: Seg, totalLen?: number) => dissect(1, eth(ip4(C, S, 6, tcpSeg(seg), totalLen)));

describe("tcp hand-built", () => {
  it("a SYN: fields, tree labels and Info as tshark shows them", () => {
    const r = one({ sport: 46656, dport: 80, seq: 797190859, flags: SYN, win: 27200, opts: [2, 4, 5, 0x50, 4, 2, 8, 10, 0x43, 0x6a, 3, 0x62, 0, 0, 0, 0, 1, 3, 3, 7] });
    if (!r.pinfo.layers.includes("tcp")) return; // needs ip
    expect(r.pinfo.cols!.info).toBe("46656 \u2192 80 [SYN] Seq=0 Win=27200 Len=0 MSS=1360 SACK_PERM TSval=1131021154 TSecr=0 WS=128");
    const l = labels(r);
    expect(l).toContain("Transmission Control Protocol, Src Port: 46656, Dst Port: 80, Seq: 0, Len: 0");
    expect(l).toContain("Flags: 0x002 (SYN)");
    expect(l).toContain("[TCP Flags: \u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7S\u00b7]");
    expect(l).toContain("1010 .... = Header Length: 40 bytes (10)");
    expect(l).toContain("Options: (20 bytes), Maximum segment size, SACK permitted, Timestamps, No-Operation (NOP), Window scale");
    expect(l).toContain("TCP Option - Window scale: 7 (multiply by 128)");
    expect(l).toContain("Sequence Number: 0    (relative sequence number)");
    expect(l).toContain("[Conversation completeness: Incomplete (0)]");
    expect(experts(r)).toContain("chat/sequence: Connection establish request (SYN): server port 80");
    expect(values(r, "tcp.stream")).toEqual([0]);
  });

  it("data offset < 20: 'Bogus TCP header length' expert, no throw", () => {
    const r = one({ sport: 1, dport: 2, seq: 5, flags: SYN, off: 4 });
    if (!r.pinfo.layers.includes("tcp")) return;
    expect(experts(r)).toContain("error/protocol: Bogus TCP header length (16, must be at least 20)");
    expect(r.pinfo.cols!.info).toContain(", bogus TCP header length (16, must be at least 20)");
    expect(values(r, "tcp.len")).toEqual([4]);
    expect(values(r, "tcp.flags")).toEqual([]);
  });

  it("data offset beyond the packet: short segment, malformed, no throw", () => {
    const r = one({ sport: 1, dport: 2, seq: 5, flags: SYN, off: 15 });
    if (!r.pinfo.layers.includes("tcp")) return;
    expect(experts(r).some((e) => e.startsWith("warn/malformed: Short segment."))).toBe(true);
    expect(r.pinfo.malformed).toBe(true);
    expect(values(r, "tcp.seq")).toEqual([5]); // no analysis without a length: raw
  });

  it("option length 0 and 1 stop the option walk (no infinite loop)", () => {
    for (const opts of [[2, 0, 5, 0xb4], [8, 1, 0, 0], [1, 1, 0x63, 0]]) {
      const r = one({ sport: 1, dport: 2, seq: 5, flags: SYN, opts });
      if (!r.pinfo.layers.includes("tcp")) return;
      expect(experts(r).some((e) => e.includes("too-short option length"))).toBe(true);
    }
  });

  it("options cut short by the capture are marked, not thrown", () => {
    const frame = eth(ip4(C, S, 6, tcpSeg({ sport: 1, dport: 2, seq: 5, flags: SYN, opts: [2, 4, 5, 0xb4, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1] })));
    const cut = frame.subarray(0, frame.length - 10);
    const r = dissect(1, cut, { len: frame.length });
    if (!r.pinfo.layers.includes("tcp")) return;
    expect(values(r, "tcp.options.mss_val")).toEqual([1460]);
    expect(values(r, "tcp.options.timestamp.tsval")).toEqual([]);
  });

  it("called directly, without IP, from pinfo.netSrc/netDst", () => {
    const tcpProto = protocolByAbbrev("tcp")!;
    const session = new Session();
    const mk = (num: number, seg: Seg, src: number[], dst: number[]) => {
      const bytes = tcpSeg(seg);
      const frame = { num, tsSec: 10, tsNsec: num * 1000, caplen: bytes.length, len: bytes.length, data: bytes, linkType: 101, interfaceId: 0 };
      const pinfo = new PacketInfo(frame, session, true);
      pinfo.netSrc = Uint8Array.from(src);
      pinfo.netDst = Uint8Array.from(dst);
      const tree = new Tree(true);
      callDissector(tcpProto, Tvb.of(bytes), pinfo, tree.root);
      return { pinfo, tree };
    };
    const a = mk(1, { sport: 1234, dport: 9, seq: 1000, flags: SYN }, C, S);
    const b = mk(2, { sport: 9, dport: 1234, seq: 9000, ack: 1001, flags: SYN | ACK }, S, C);
    const c = mk(3, { sport: 1234, dport: 9, seq: 1001, ack: 9001, flags: ACK, data: "hello" }, C, S);
    const d = mk(4, { sport: 1234, dport: 81, seq: 1, flags: SYN }, C, S);
    expect(values(a, "tcp.stream")).toEqual([0]);
    expect(values(b, "tcp.stream")).toEqual([0]);
    expect(values(b, "tcp.ack")).toEqual([1]);
    expect(values(c, "tcp.seq")).toEqual([1]);
    expect(values(c, "tcp.analysis.acks_frame")).toEqual([2]);
    expect(values(c, "tcp.analysis.bytes_in_flight")).toEqual([5]);
    expect(values(d, "tcp.stream")).toEqual([1]);
    expect(c.pinfo.cols!.info).toBe("1234 \u2192 9 [ACK] Seq=1 Ack=1 Win=8192 Len=5");
    expect(c.pinfo.ptype).toBe("tcp");
    expect(c.pinfo.layers).toEqual(["tcp", "data"]);
  });

  it("a retransmission's Info is prefixed and fenced", () => {
    const d = new Dissector({ columns: true, tree: true });
    const data = { sport: 3000, dport: 4000, seq: 10, ack: 1, flags: ACK | PSH, data: "abc" };
    dissect(1, eth(ip4(C, S, 6, tcpSeg(data))), { dissector: d, tsSec: 1 });
    const r = dissect(1, eth(ip4(C, S, 6, tcpSeg(data))), { dissector: d, tsSec: 2 });
    if (!r.pinfo.layers.includes("tcp")) return;
    expect(r.pinfo.cols!.info.startsWith("[TCP Retransmission] 3000 \u2192 4000 [PSH, ACK]")).toBe(true);
    r.pinfo.setInfo("replaced by an application");
    expect(r.pinfo.cols!.info).toBe("[TCP Retransmission] replaced by an application");
    expect(r.pinfo.layers).not.toContain("data"); // retransmissions are not handed on
  });
});

// ───────────────────────────────────────────────────────── fuzz

describe("tcp fuzz", () => {
  const base = [
    tcpSeg({ sport: 1, dport: 80, seq: 1, flags: SYN, opts: SYNOPT }),
    tcpSeg({ sport: 80, dport: 1, seq: 7, ack: 2, flags: ACK, opts: [...ts(1, 2), ...sackOpt(5, 9)], data: "GET / HTTP/1.1\r\n" }),
    tcpSeg({ sport: 5, dport: 6, seq: 7, ack: 2, flags: 0xfff, opts: [0xfe, 13, 0xac, 0xc0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 0] }),
  ];

  it("random and mutated segments never throw (one session, tree and columns)", () => {
    const d = new Dissector({ tree: true, columns: true });
    const sparse = new Dissector({ wanted: [fieldByAbbrev("tcp.analysis.bytes_in_flight")!, fieldByAbbrev("tcp.options.sack_le")!] });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 80 }),
          fc.tuple(fc.constantFrom(...base), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(100)).map(([b, muts, cut]) => {
            const m = b.slice();
            for (const [i, v] of muts) m[i % m.length] = v;
            return m.subarray(0, Math.max(0, m.length - (cut % (m.length + 1))));
          }),
        ),
        fc.boolean(),
        (seg, lie) => {
          const frame = eth(ip4(C, S, 6, seg, lie ? 20 + seg.length + 7 : undefined));
          d.dissect({ num: 1, tsSec: 1, tsNsec: 0, caplen: frame.length, len: frame.length, data: frame, linkType: 1, interfaceId: 0 });
          sparse.dissect({ num: 1, tsSec: 1, tsNsec: 0, caplen: frame.length, len: frame.length, data: frame, linkType: 1, interfaceId: 0 });
          // and straight into the dissector, with odd reported lengths
          const session = new Session();
          const fr = { num: 1, tsSec: 0, tsNsec: 0, caplen: seg.length, len: seg.length, data: seg, linkType: 101, interfaceId: 0 };
          const pinfo = new PacketInfo(fr, session, true);
          pinfo.netSrc = Uint8Array.from(C);
          pinfo.netDst = Uint8Array.from(S);
          callDissector(protocolByAbbrev("tcp")!, new Tvb({ name: "x", data: seg }, 0, seg.length, lie ? seg.length + 9 : seg.length), pinfo, new Tree(true).root);
        },
      ),
      { numRuns: 3000, seed: 0x7cc },
    );
  });
});
