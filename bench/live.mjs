#!/usr/bin/env node
// Live-capture benchmark (root): in a network namespace of its own (so nobody else's traffic
// counts), floods its `lo` with UDP datagrams at increasing rates and, for each rate, runs
// nestcap (summary lines to /dev/null; -w; -q -w) and dumpcap/tcpdump (-w) on it, one at a
// time, with the same BPF filter and kernel buffer (BENCH_BUFFER_MB, default 16). Prints sent,
// captured and kernel-dropped packets per tool and rate, and the highest rate each sustained
// without loss. Not a test: nothing here asserts.
//
//   node bench/live.mjs [RATES] [PACKETS_PER_RATE]      e.g. node bench/live.mjs 1000,10000,50000 20000
//   BENCH_TOOLS=nestcap,tshark,nestcap-fields,nestcap-w,nestcap-qw,dumpcap-w,tcpdump-w BENCH_BUFFER_MB=2 node bench/live.mjs
//   (default tools: nestcap,nestcap-w,nestcap-qw,dumpcap-w,tcpdump-w)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const NESTCAP = join(ROOT, "dist", "src", "cli", "nestcap.js");
const NS = `nclive-bench-${process.pid % 100000}`;
const PORT = 45678;
// Kernel buffer per interface for every tool (MiB): nestcap's default is 16, dumpcap's and tcpdump's 2.
const MB = Number(process.env.BENCH_BUFFER_MB ?? 16);
const FILTER = `udp dst port ${PORT}`;
const rates = (process.argv[2] === "--flood" ? "" : process.argv[2] ?? "1000,5000,10000,20000,50000,100000,0").split(",").map(Number);
const perRate = Number(process.argv[3] ?? 20000);
const TOOLS = {
  nestcap: { cmd: () => [process.execPath, NESTCAP, "-i", "lo", "-f", FILTER], out: "null", ready: /Capturing on/ },
  "nestcap-fields": { cmd: () => [process.execPath, NESTCAP, "-i", "lo", "-f", FILTER, "-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "udp.length"], out: "null", ready: /Capturing on/ },
  "nestcap-w": { cmd: (f) => [process.execPath, NESTCAP, "-i", "lo", "-f", FILTER, "-w", f], out: "null", ready: /Capturing on/ },
  "nestcap-qw": { cmd: (f) => [process.execPath, NESTCAP, "-i", "lo", "-f", FILTER, "-q", "-w", f], out: "null", ready: /Capturing on/ },
  "dumpcap-w": { cmd: (f) => ["dumpcap", "-i", "lo", "-f", FILTER, "-B", String(MB), "-w", f], out: "null", ready: /Capturing on/ },
  "tcpdump-w": { cmd: (f) => ["tcpdump", "-n", "-i", "lo", "-B", String(MB * 1024), "-w", f, FILTER], out: "null", ready: /listening on/ },
  tshark: { cmd: () => ["tshark", "-n", "-i", "lo", "-f", FILTER, "-B", String(MB)], out: "null", ready: /Capturing on/ },
};
const tools = (process.env.BENCH_TOOLS ?? "nestcap,nestcap-w,nestcap-qw,dumpcap-w,tcpdump-w").split(",");

// Paced sender (`node bench/live.mjs --flood N RATE`, run inside the namespace): sendmmsg()
// through koffi in slices of up to 256 datagrams, `rate` per second (0: as fast as it can).
// Prints the number sent and the seconds it took.
async function flood(n, rate) {
  const { createRequire } = await import("node:module");
  const koffi = createRequire(join(ROOT, "package.json"))("koffi");
  const libc = koffi.load("libc.so.6");
  const socket = libc.func("int socket(int domain, int type, int protocol)");
  const setsockopt = libc.func("int setsockopt(int fd, int level, int name, int32_t *val, uint32_t len)");
  const sendmmsg = libc.func("int sendmmsg(int fd, uint8_t *vec, uint32_t vlen, int flags)");
  const addr = libc.func("uint64_t memcpy(uint8_t *dst, uint64_t src, size_t n)");
  const fd = socket(2, 2, 0);
  setsockopt(fd, 1, 7, Int32Array.of(1 << 22), 4); // SO_SNDBUF
  // Off-heap memory (a small typed array may live in the V8 heap, which moves: its address must not change)
  const sa = new Uint8Array(new ArrayBuffer(16));
  sa[0] = 2;
  sa[2] = PORT >> 8;
  sa[3] = PORT & 255;
  sa.set([127, 0, 0, 1], 4);
  // Not connected: a connected UDP socket would fail every other send with ECONNREFUSED (no listener).
  const saAddr = BigInt(addr(sa, 0, 0));
  const payload = Buffer.from(new ArrayBuffer(64));
  payload.write("nestcap-bench-" + "x".repeat(50));
  const B = 256;
  const iov = Buffer.from(new ArrayBuffer(16));
  iov.writeBigUInt64LE(BigInt(addr(payload, 0, 0)), 0);
  iov.writeBigUInt64LE(BigInt(payload.length), 8);
  const iovAddr = BigInt(addr(iov, 0, 0));
  const vec = Buffer.from(new ArrayBuffer(64 * B)); // struct mmsghdr { struct msghdr (56); unsigned msg_len; }
  for (let i = 0; i < B; i++) {
    vec.writeBigUInt64LE(saAddr, i * 64); // msg_name
    vec.writeUInt32LE(16, i * 64 + 8); // msg_namelen
    vec.writeBigUInt64LE(iovAddr, i * 64 + 16); // msg_iov
    vec.writeBigUInt64LE(1n, i * 64 + 24); // msg_iovlen
  }
  let sent = 0;
  let errors = 0;
  const t0 = performance.now();
  while (sent < n) {
    const due = rate > 0 ? Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate) + 1) : n;
    if (due <= sent) {
      const wait = Date.now() + 1;
      while (Date.now() < wait);
      continue;
    }
    const k = sendmmsg(fd, vec, Math.min(B, due - sent), 0);
    if (k > 0) sent += k;
    else if (k < 0 && ++errors > 1000) throw new Error(`sendmmsg failed (errno ${koffi.errno()})`);
  }
  // The buffers whose addresses went into vec must stay alive until here.
  keep.push(sa, iov, payload, vec);
  console.log(sent, (performance.now() - t0) / 1000);
}
const keep = [];
if (process.argv[2] === "--flood") {
  await flood(Number(process.argv[3]), Number(process.argv[4]));
  process.exit(0);
}

function must(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function captured(tool, stderr, file) {
  // nestcap: "N packets captured, D dropped by kernel, I dropped by interface"
  let m = /(\d+) packets? captured, (\d+) dropped by kernel, (\d+) dropped by interface/.exec(stderr);
  if (m) return { got: +m[1], drop: +m[2] + +m[3] };
  // dumpcap/tshark: "Packets received/dropped on interface 'lo': N/D (pcap:D/dumpcap:0/flushed:0/ps_ifdrop:I)"
  m = /received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(stderr);
  if (m) return { got: +m[1], drop: +m[2] };
  // tcpdump: "N packets captured … D packets dropped by kernel"
  m = /(\d+) packets? captured[\s\S]*?(\d+) packets? dropped by kernel/.exec(stderr);
  if (m) return { got: +m[1], drop: +m[2] };
  m = /(\d+) packets? captured/.exec(stderr);
  if (m) {
    // tshark: "N packets dropped from IFACE" only when there were drops
    const d = /(\d+) packets? dropped from/.exec(stderr);
    return { got: +m[1], drop: d ? +d[1] : 0 };
  }
  if (file && existsSync(file)) return { got: Number(/Number of packets:\s+(\d+)/.exec(must("capinfos", ["-M", file]))?.[1] ?? NaN), drop: NaN };
  return { got: NaN, drop: NaN };
}

async function runOne(tool, rate, tmp) {
  const t = TOOLS[tool];
  const file = join(tmp, `${tool}.pcapng`);
  rmSync(file, { force: true });
  const [cmd, ...args] = t.cmd(file);
  const child = spawn("ip", ["netns", "exec", NS, cmd, ...args], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TZ: "UTC", NESTCAP_BUFFER_MB: String(MB) } });
  let stderr = "";
  const closed = new Promise((r) => child.on("close", r));
  await new Promise((res, rej) => {
    const to = setTimeout(() => rej(new Error(`${tool} did not start: ${stderr}`)), 30000);
    child.stderr.on("data", (d) => {
      stderr += d;
      if (t.ready.test(stderr)) {
        clearTimeout(to);
        res();
      }
    });
  });
  await new Promise((r) => setTimeout(r, 300));
  const gen = must("ip", ["netns", "exec", NS, process.execPath, import.meta.filename, "--flood", String(perRate), String(rate)]).trim().split(" ");
  await new Promise((r) => setTimeout(r, 1000));
  child.kill("SIGINT");
  await closed;
  const c = captured(tool, stderr, file);
  return { sent: +gen[0], secs: +gen[1], ...c, fileBytes: existsSync(file) ? statSync(file).size : 0 };
}

if (process.getuid?.() !== 0) {
  console.error("bench/live.mjs needs root (network namespace, capture)");
  process.exit(1);
}
if (!existsSync(NESTCAP)) {
  console.error("build first: bash scripts/setup.sh build");
  process.exit(1);
}
const tmp = mkdtempSync(join(tmpdir(), "nclive-bench-"));
must("ip", ["netns", "add", NS]);
must("ip", ["netns", "exec", NS, "ip", "link", "set", "lo", "up"]);
const best = {};
try {
  console.log(`${perRate} UDP datagrams (106 bytes on lo) per rate; filter "${FILTER}"; kernel buffer ${MB} MiB for every tool`);
  console.log(["rate/s", "actual/s", "tool", "sent", "captured", "dropped", "lost"].map((s) => s.padStart(10)).join(""));
  for (const rate of rates) {
    for (const tool of tools) {
      const r = await runOne(tool, rate, tmp);
      const lost = r.sent - r.got;
      const actual = Math.round(r.sent / r.secs);
      console.log([rate === 0 ? "max" : rate, actual, tool, r.sent, r.got, r.drop, lost].map((s) => String(s).padStart(10)).join(""));
      if (lost === 0 && (r.drop === 0 || Number.isNaN(r.drop))) best[tool] = Math.max(best[tool] ?? 0, actual);
    }
  }
  console.log("\nhighest rate without loss (packets/s):");
  for (const tool of tools) console.log(`  ${tool.padEnd(16)} ${best[tool] ?? "none"}`);
} finally {
  spawnSync("ip", ["netns", "del", NS]);
  rmSync(tmp, { recursive: true, force: true });
}
