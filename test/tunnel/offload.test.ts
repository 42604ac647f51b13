/**
 * The tun offload (src/tunnel/offload.ts): large TCP segments from the kernel cut into
 * MTU-sized packets whose checksums tshark validates, and segments joined back into one
 * large packet that cuts into exactly the same packets again.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Coalescer, PLAIN_VNET_HDR, segment, VNET_HDR_LEN } from "../../src/tunnel/offload.js";
import { pcap } from "../helpers/build.js";
import { haveTshark } from "../helpers/tshark.js";

const ACK = 0x10, PSH = 0x08, FIN = 0x01, SYN = 0x02, CWR = 0x80;

/** Internet checksum, written independently of offload.ts (Buffer reads, fold at the end). */
function csum(parts: Uint8Array[]): number {
  let s = 0;
  const all = Buffer.concat(parts);
  for (let i = 0; i + 1 < all.length; i += 2) s += all.readUInt16BE(i);
  if (all.length % 2 === 1) s += all[all.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function tcpValid(p: Buffer): boolean {
  const v6 = p[0] >> 4 === 6;
  const l4 = v6 ? 40 : (p[0] & 15) * 4;
  const len = p.length - l4;
  const pseudo = v6
    ? Buffer.concat([p.subarray(8, 40), Buffer.from([0, 0, len >> 8, len & 0xff, 0, 0, 0, 6])])
    : Buffer.concat([p.subarray(12, 20), Buffer.from([0, 6, len >> 8, len & 0xff])]);
  return csum([pseudo, p.subarray(l4)]) === 0xffff && (v6 || csum([p.subarray(0, l4)]) === 0xffff);
}

function payloadBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}

/** A TCP packet (IPv4 or IPv6) with correct checksums; `opts` = TCP options bytes. */
function tcpPacket(o: { v6?: boolean; id?: number; seq: number; flags: number; payload: Uint8Array; opts?: Uint8Array; sport?: number }): Buffer {
  const opts = o.opts ?? new Uint8Array(0);
  const thl = 20 + opts.length;
  const l4 = o.v6 ? 40 : 20;
  const p = Buffer.alloc(l4 + thl + o.payload.length);
  if (o.v6) {
    p[0] = 0x60;
    p.writeUInt16BE(thl + o.payload.length, 4);
    p[6] = 6;
    p[7] = 64;
    p.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 8);
    p.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 24);
  } else {
    p[0] = 0x45;
    p.writeUInt16BE(p.length, 2);
    p.writeUInt16BE(o.id ?? 100, 4);
    p[6] = 0x40; // DF
    p[8] = 64;
    p[9] = 6;
    p.set([10, 8, 0, 2, 10, 8, 0, 1], 12);
    p.writeUInt16BE(~csum([p.subarray(0, 20)]) & 0xffff, 10);
  }
  p.writeUInt16BE(o.sport ?? 40000, l4);
  p.writeUInt16BE(5201, l4 + 2);
  p.writeUInt32BE(o.seq >>> 0, l4 + 4);
  p.writeUInt32BE(777, l4 + 8);
  p[l4 + 12] = (thl / 4) << 4;
  p[l4 + 13] = o.flags;
  p.writeUInt16BE(501, l4 + 14);
  p.set(opts, l4 + 20);
  p.set(o.payload, l4 + thl);
  const len = thl + o.payload.length;
  const pseudo = o.v6
    ? Buffer.concat([p.subarray(8, 40), Buffer.from([0, 0, len >> 8, len & 0xff, 0, 0, 0, 6])])
    : Buffer.concat([p.subarray(12, 20), Buffer.from([0, 6, len >> 8, len & 0xff])]);
  p.writeUInt16BE(~csum([pseudo, p.subarray(l4)]) & 0xffff, l4 + 16);
  return p;
}

/** What the kernel hands over with TSO: vnet header ‖ large packet, TCP checksum left partial. */
function tsoRead(big: Buffer, mss: number): Buffer {
  const v6 = big[0] >> 4 === 6;
  const l4 = v6 ? 40 : 20;
  const hl = l4 + (big[l4 + 12] >> 4) * 4;
  const p = Buffer.from(big);
  const len = p.length - l4;
  const pseudo = v6
    ? Buffer.concat([p.subarray(8, 40), Buffer.from([0, 0, len >> 8, len & 0xff, 0, 0, 0, 6])])
    : Buffer.concat([p.subarray(12, 20), Buffer.from([0, 6, len >> 8, len & 0xff])]);
  p.writeUInt16BE(csum([pseudo]), l4 + 16);
  const h = Buffer.alloc(VNET_HDR_LEN);
  h[0] = 1; // NEEDS_CSUM
  h[1] = v6 ? 4 : 1;
  h.writeUInt16LE(hl, 2);
  h.writeUInt16LE(mss, 4);
  h.writeUInt16LE(l4, 6);
  h.writeUInt16LE(16, 8);
  return Buffer.concat([h, p]);
}

function cut(read: Buffer): Buffer[] {
  const out: Buffer[] = [];
  segment(read, read.length, (p) => out.push(p));
  return out;
}

const TS_OPTS = new Uint8Array([1, 1, 8, 10, 0, 0, 1, 0, 0, 0, 2, 0]);

describe("segment(): a TSO read becomes MTU-sized packets", () => {
  for (const v6 of [false, true]) {
    it(`IPv${v6 ? 6 : 4}: lengths, sequence numbers, ids, flags, checksums, payload`, () => {
      const data = payloadBytes(10000);
      const big = tcpPacket({ v6, id: 0xfffe, seq: 0xfffff000, flags: ACK | PSH | FIN | CWR, payload: data, opts: TS_OPTS });
      const segs = cut(tsoRead(big, 1436));
      expect(segs.length).toBe(Math.ceil(10000 / 1436));
      const l4 = v6 ? 40 : 20;
      const hl = l4 + 32;
      segs.forEach((p, i) => {
        const last = i === segs.length - 1;
        expect(p.length).toBe(hl + (last ? 10000 - 1436 * (segs.length - 1) : 1436));
        expect(p.readUInt32BE(l4 + 4)).toBe((0xfffff000 + i * 1436) >>> 0);
        if (!v6) expect(p.readUInt16BE(4)).toBe((0xfffe + i) & 0xffff);
        expect(p[l4 + 13]).toBe(ACK | (last ? PSH | FIN : 0) | (i === 0 ? CWR : 0));
        expect(tcpValid(p), `segment ${i} checksums`).toBe(true);
      });
      expect(Buffer.concat(segs.map((p) => p.subarray(hl)))).toEqual(data);
    });
  }

  it("a packet with a partial checksum (no GSO) comes out with a complete one", () => {
    const p = tcpPacket({ seq: 1, flags: ACK, payload: payloadBytes(300) });
    const read = tsoRead(p, 0);
    read[1] = 0; // GSO_NONE, still NEEDS_CSUM
    const [q] = cut(read);
    expect(tcpValid(q)).toBe(true);
    expect(q).toEqual(p);
  });

  it("malformed offload requests give nothing, never a throw", () => {
    const good = tsoRead(tcpPacket({ seq: 1, flags: ACK, payload: payloadBytes(5000) }), 1000);
    for (let n = 0; n < 80; n++) expect(() => cut(good.subarray(0, n))).not.toThrow();
    const bad = Buffer.from(good);
    bad[1] = 3; // UDP fragmentation offload: not enabled, dropped
    expect(cut(bad)).toEqual([]);
    const zero = Buffer.from(good);
    zero.writeUInt16LE(0, 4); // gso_size 0
    expect(cut(zero)).toEqual([]);
  });

  it.skipIf(!haveTshark())("tshark validates every checksum of the cut packets", () => {
    const pkts = [
      ...cut(tsoRead(tcpPacket({ id: 7, seq: 5, flags: ACK | PSH, payload: payloadBytes(20000), opts: TS_OPTS }), 1448)),
      ...cut(tsoRead(tcpPacket({ v6: true, seq: 9, flags: ACK, payload: payloadBytes(9001) }), 1428)),
    ];
    const f = join(mkdtempSync(join(tmpdir(), "nc-offload-")), "cut.pcap");
    writeFileSync(f, pcap(pkts.map((data, i) => ({ data, sec: i, frac: 0 })), { linkType: 101 }));
    const r = spawnSync("tshark", ["-n", "-r", f, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "tcp.len"], { encoding: "utf8" });
    const rows = r.stdout.trim().split("\n").map((l) => l.split("\t"));
    expect(rows.length).toBe(pkts.length);
    for (const [ipSt, tcpSt] of rows) {
      expect(tcpSt).toBe("1"); // good
      expect(ipSt === "" || ipSt === "1").toBe(true);
    }
    expect(rows.reduce((n, r) => n + Number(r[2]), 0)).toBe(29001);
  });
});

describe("Coalescer: one batch of segments becomes one large packet", () => {
  const written = (): { co: Coalescer; out: [Uint8Array, Uint8Array][] } => {
    const out: [Uint8Array, Uint8Array][] = [];
    return { co: new Coalescer((h, p) => out.push([Buffer.from(h), Buffer.from(p)])), out };
  };

  for (const v6 of [false, true]) {
    it(`IPv${v6 ? 6 : 4}: joined, and cut again into exactly the same packets`, () => {
      const data = payloadBytes(8000);
      const segs = cut(tsoRead(tcpPacket({ v6, id: 40, seq: 1000, flags: ACK | PSH, payload: data, opts: TS_OPTS }), 1400));
      const { co, out } = written();
      for (const s of segs) co.add(s);
      co.flush();
      expect(out.length).toBe(1);
      expect(co.coalesced).toBe(segs.length);
      const [h, big] = out[0];
      expect(h[1]).toBe(v6 ? 4 : 1);
      expect(h[4] | (h[5] << 8)).toBe(1400);
      expect(cut(Buffer.concat([h, big]))).toEqual(segs);
    });
  }

  it("keeps order; does not join across a gap, another flow, SYN, non-TCP, or after PSH", () => {
    let id = 200;
    const mk = (seq: number, flags = ACK, n = 1000, sport = 40000) => tcpPacket({ id: id++, seq, flags, payload: payloadBytes(n), sport });
    const icmp = Buffer.from([0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 8, 0, 2, 10, 8, 0, 1, 8, 0, 0, 0, 0, 0, 0, 0]);
    const batch = [
      mk(1000), mk(2000), mk(3000), // joined
      mk(5000), // gap: new run
      mk(6000, ACK, 1000, 40001), // another flow
      mk(6000, ACK | SYN, 0),
      icmp,
      mk(7000, ACK | PSH), // PSH ends a run (here: a run of one)
      mk(8000), mk(9000, ACK, 500), // joined; the shorter segment ends the run
      mk(9500), mk(10500), // joined
      (id += 5, mk(11500)), // IP ids not consecutive: a new run
    ];
    const { co, out } = written();
    for (const p of batch) co.add(p);
    co.flush();
    const plain = (b: Uint8Array) => b.every((x) => x === 0);
    const cutAll = out.flatMap(([h, p]) => (plain(h) ? [Buffer.from(p)] : cut(Buffer.concat([h, p]))));
    expect(cutAll).toEqual(batch);
    expect(out.length).toBe(9);
    expect(co.coalesced).toBe(3 + 2 + 2);
    expect(out.map(([h]) => (plain(h) ? "." : "J")).join("")).toBe("J.....JJ.");
  });

  it("unjoinable packets are written unchanged behind a plain header", () => {
    const { co, out } = written();
    const p = tcpPacket({ seq: 1, flags: ACK | FIN, payload: payloadBytes(10) });
    co.add(p);
    co.flush();
    expect(out).toEqual([[Buffer.from(PLAIN_VNET_HDR), p]]);
  });
});
