#!/usr/bin/env node
// The floor under the summary benchmark (run by bench/run.mjs, or: node bench/floor.mjs FILE):
// how fast plain JavaScript on this machine can turn a capture into summary-like lines when it
// does almost nothing right. It reads with nestcap's own reader (the same zero-copy record
// views), decodes Ethernet, IPv4/IPv6 addresses and TCP/UDP ports by hand, keeps one Map entry
// per TCP flow for a relative sequence number, and writes one line per packet into a reused
// buffer. No VLAN, no ARP or ICMP text, no DNS, no TCP analysis, no reassembly, no name of any
// protocol above the transport: a summary that is wrong for most packets, timed only to show
// what the whole dissector costs against it (see README "Benchmark").
import { openSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const { CaptureReader } = await import(join(ROOT, "dist", "src", "capture", "reader.js"));

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node bench/floor.mjs CAPTURE\n");
  process.exit(1);
}
const reader = await CaptureReader.open(file);
const out = Buffer.allocUnsafe(1 << 17);
let off = 0;
const fd = 1;
const flows = new Map();

const ip4 = (d, o) => `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
function ip6(d, o) {
  let s = "";
  for (let i = 0; i < 16; i += 2) s += (i ? ":" : "") + ((d[o + i] << 8) | d[o + i + 1]).toString(16);
  return s;
}

let n = 0;
let first = -1;
for await (const batch of reader.batches()) {
  for (const fr of batch) {
    n++;
    const d = fr.data;
    let src = "";
    let dst = "";
    let proto = "ETH";
    let info = "";
    if (d.length >= 14) {
      const type = (d[12] << 8) | d[13];
      let o = -1;
      let p = -1;
      let plen = 0;
      if (type === 0x0800 && d.length >= 34) {
        const ihl = (d[14] & 15) * 4;
        src = ip4(d, 26);
        dst = ip4(d, 30);
        p = d[23];
        o = 14 + ihl;
        plen = ((d[16] << 8) | d[17]) - ihl;
        proto = "IPv4";
      } else if (type === 0x86dd && d.length >= 54) {
        src = ip6(d, 22);
        dst = ip6(d, 38);
        p = d[20];
        o = 54;
        plen = (d[18] << 8) | d[19];
        proto = "IPv6";
      }
      if (p === 6 && o + 20 <= d.length) {
        const sp = (d[o] << 8) | d[o + 1];
        const dp = (d[o + 2] << 8) | d[o + 3];
        const seq = ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0;
        const key = `${src} ${sp} ${dst} ${dp}`;
        let base = flows.get(key);
        if (base === undefined) flows.set(key, (base = seq));
        const len = plen - (d[o + 12] >> 4) * 4;
        proto = "TCP";
        info = `${sp} \u2192 ${dp} Seq=${(seq - base) >>> 0} Win=${(d[o + 14] << 8) | d[o + 15]} Len=${len}`;
      } else if (p === 17 && o + 8 <= d.length) {
        proto = "UDP";
        info = `${(d[o] << 8) | d[o + 1]} \u2192 ${(d[o + 2] << 8) | d[o + 3]} Len=${((d[o + 4] << 8) | d[o + 5]) - 8}`;
      }
    }
    const t = fr.tsSec + fr.tsNsec / 1e9;
    if (first < 0) first = t;
    const line = `${String(n).padStart(7)} ${(t - first).toFixed(6)} ${src} \u2192 ${dst} ${proto} ${fr.len} ${info}\n`;
    if (off + line.length * 3 > out.length) {
      writeSync(fd, out, 0, off);
      off = 0;
    }
    off += out.write(line, off);
  }
}
writeSync(fd, out, 0, off);
await reader.close();
