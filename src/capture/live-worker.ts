/**
 * The capture loop of one interface, in its own worker thread (blocking here is fine): opens
 * the libpcap handle, then reads packets with pcap_next_ex (non-blocking) and copies each, with
 * its kernel timestamp, into one batch buffer (its address is taken once), and posts the used
 * part of it (an exact-size copy, transferred) to the main thread when it is full, when the
 * kernel ring is empty (after a 2 ms grace for more), or after 20 ms.
 *
 * Batch record layout (little-endian, 4-byte aligned): u32 ts_sec, u32 ts_nsec, u32 caplen,
 * u32 len, caplen bytes, padding to 4.
 *
 * When the main thread falls behind by `maxInflight` bytes of packets, the loop stops reading:
 * the kernel ring fills and the kernel counts the drops (ps_drop) instead of memory growing.
 *
 * Stop: the main thread sets ctl[0] and writes a byte to the wake pipe this loop polls.
 */
import { parentPort, workerData } from "node:worker_threads";
import { handleStats, loadPcap, openHandle, OpenFailure, PCAP_ERROR_BREAK, type OpenOptions } from "./libpcap.js";

export interface WorkerInit {
  open: OpenOptions;
  /** Int32Array: [0] stop flag, [1] bytes in flight (the main thread subtracts what it handled). */
  ctl: SharedArrayBuffer;
  /** Read end of the wake pipe (-1: none; then stops are seen within the 100 ms poll). */
  wakeFd: number;
  batchBytes: number;
  maxInflight: number;
}

export type WorkerMessage =
  | { t: "ready"; linkType: number; tsresol: number }
  | { t: "error"; kind: OpenFailure["kind"]; message: string }
  | { t: "batch"; buf: ArrayBuffer; n: number; used: number }
  | { t: "fail"; message: string }
  | { t: "end"; stats: { received: number; dropped: number; ifDropped: number } | null };

const TWO32 = 4294967296;

function run(init: WorkerInit): void {
  const port = parentPort!;
  let h;
  try {
    h = openHandle(init.open);
  } catch (e) {
    const kind = e instanceof OpenFailure ? e.kind : "other";
    port.postMessage({ t: "error", kind, message: (e as Error).message } satisfies WorkerMessage);
    return;
  }
  port.postMessage({ t: "ready", linkType: h.linkType, tsresol: h.tsresol } satisfies WorkerMessage);
  const pc = loadPcap();
  const p = h.p;
  const ctl = new Int32Array(init.ctl);
  const nsMul = h.tsresol === 1e9 ? 1 : 1000;
  const batchBytes = init.batchBytes;
  // pcap_next_ex's out-pointers, as 32-bit halves
  const hp = new Uint32Array(2);
  const dp = new Uint32Array(2);
  // struct pollfd[2] { int fd; short events; short revents; }: the pcap fd, the wake pipe
  const pfd = new Uint8Array(16);
  const pv = new DataView(pfd.buffer);
  pv.setInt32(0, h.fd, true);
  pv.setInt16(4, 1, true); // POLLIN
  pv.setInt32(8, init.wakeFd, true);
  pv.setInt16(12, 1, true);
  const nfds = init.wakeFd >= 0 ? 2 : 1;

  // pcap_next_ex hands out a pointer to the handle's own pcap_pkthdr (the same every time):
  // a view over it is made once. struct pcap_pkthdr { timeval ts (2 × 8); u32 caplen; u32 len; }
  let hdrAddr = -1;
  let hv = new Uint32Array(6);

  // Off-heap (an ArrayBuffer's backing store never moves) and referenced until the end.
  const buf = new ArrayBuffer(batchBytes);
  const u32 = new Uint32Array(buf);
  const base = pc.addressOf(new Uint8Array(buf), 0, 0);
  let off = 0;
  let n = 0;
  let t0 = 0;
  const flush = (): void => {
    if (n === 0) return;
    const copy = buf.slice(0, off);
    Atomics.add(ctl, 1, off);
    port.postMessage({ t: "batch", buf: copy, n, used: off } satisfies WorkerMessage, [copy]);
    off = 0;
    n = 0;
  };

  let failure: string | null = null;
  for (;;) {
    if (Atomics.load(ctl, 0) !== 0) break;
    const inflight = Atomics.load(ctl, 1);
    if (inflight >= init.maxInflight) {
      // The main thread is behind: leave packets in the kernel ring (which drops and counts when full).
      Atomics.wait(ctl, 1, inflight, 50);
      continue;
    }
    const r = pc.nextEx(p, hp, dp);
    if (r === 1) {
      const ha = hp[0] + hp[1] * TWO32;
      if (ha !== hdrAddr) {
        hdrAddr = ha;
        hv = new Uint32Array(pc.view(BigInt(ha), 24));
      }
      const caplen = hv[4];
      const need = 16 + ((caplen + 3) & ~3);
      if (off + need > batchBytes) flush();
      if (n === 0) t0 = performance.now();
      const w = off >> 2;
      u32[w] = hv[0];
      u32[w + 1] = hv[2] * nsMul;
      u32[w + 2] = caplen;
      u32[w + 3] = hv[5];
      if (caplen > 0) pc.memcpy(base + off + 16, dp[0] + dp[1] * TWO32, caplen);
      off += need;
      n++;
      if ((n & 63) === 0 && performance.now() - t0 > 20) flush();
    } else if (r === 0) {
      // The ring is empty: give a burst 2 ms to continue, then hand over what we have and wait.
      if (n > 0) {
        if (pc.poll(pfd, nfds, 2) > 0 && performance.now() - t0 < 20) continue;
        flush();
      }
      pc.poll(pfd, nfds, 100);
    } else {
      if (r !== PCAP_ERROR_BREAK) failure = pc.geterr(p);
      break;
    }
  }
  flush();
  void buf.byteLength; // keeps buf (whose address the loop used) alive to here
  if (failure !== null) port.postMessage({ t: "fail", message: failure } satisfies WorkerMessage);
  const stats = handleStats(p);
  pc.close(p);
  port.postMessage({ t: "end", stats } satisfies WorkerMessage);
}

if (parentPort && workerData) run(workerData as WorkerInit);
