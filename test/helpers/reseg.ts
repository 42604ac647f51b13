/**
 * Re-cut a real capture's TCP streams into smaller segments, so that the PDUs the
 * stream carries (OpenVPN packets, DNS messages…) span segment boundaries as they do
 * in bulk transfers. Every IPv4/TCP segment with more than `max` payload bytes becomes
 * several segments with the same headers and time, consecutive sequence numbers, and
 * recomputed IP lengths and checksums; FIN/PSH stay on the last piece only.
 */
import { readCaptureSync } from "../../src/capture/reader.js";
import { cksum, concat, pcap, type PcapRecord } from "./build.js";

/** The capture at `file` (Ethernet) with its TCP payloads cut into pieces of at most `max` bytes, as a classic pcap. */
export function resegment(file: string, max: number): Uint8Array {
  const out: PcapRecord[] = [];
  for (const fr of readCaptureSync(file).frames) {
    const d = fr.data;
    const rec = (data: Uint8Array): PcapRecord => ({ sec: fr.tsSec, frac: Math.floor(fr.tsNsec / 1000), data });
    const isTcp4 = fr.linkType === 1 && d.length > 34 && d[12] === 0x08 && d[13] === 0x00 && d[23] === 6 && fr.caplen === fr.len;
    if (!isTcp4) {
      out.push(rec(d));
      continue;
    }
    const ihl = (d[14] & 15) * 4;
    const t = 14 + ihl;
    const thl = (d[t + 12] >> 4) * 4;
    const totalLen = (d[16] << 8) | d[17];
    const pay = d.subarray(t + thl, 14 + totalLen);
    if (pay.length <= max) {
      out.push(rec(d));
      continue;
    }
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const seq = dv.getUint32(t + 4);
    for (let i = 0; i < pay.length; i += max) {
      const piece = pay.subarray(i, i + max);
      const p = new Uint8Array(t + thl + piece.length);
      p.set(d.subarray(0, t + thl));
      p.set(piece, t + thl);
      const v = new DataView(p.buffer);
      v.setUint16(16, ihl + thl + piece.length);
      v.setUint16(24, 0);
      v.setUint16(24, cksum(p.subarray(14, t)));
      v.setUint32(t + 4, (seq + i) >>> 0);
      if (i + max < pay.length) p[t + 13] &= ~0x09; // FIN and PSH on the last piece only
      v.setUint16(t + 16, 0);
      const pseudo = new Uint8Array(12);
      pseudo.set(p.subarray(26, 34));
      pseudo[9] = 6;
      new DataView(pseudo.buffer).setUint16(10, thl + piece.length);
      v.setUint16(t + 16, cksum(concat(pseudo, p.subarray(t))));
      out.push(rec(p));
    }
  }
  return pcap(out);
}
