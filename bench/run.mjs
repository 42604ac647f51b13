#!/usr/bin/env node
// npm run bench: builds a ~1M-packet capture from the fixtures, then times nestcap,
// tshark and tcpdump on it in the same run, and prints packets/s, peak RSS and ratios.
// Not a test: nothing here asserts timings.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "bench", "out");
const TARGET = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const BIG = join(OUT, `bench-${TARGET}.pcapng`);
const NESTCAP = join(ROOT, "dist", "src", "cli", "nestcap.js");

mkdirSync(OUT, { recursive: true });
const { writeFixtureRounds } = await import(join(ROOT, "scripts", "fixture-rounds.mjs"));

// Ethernet fixtures only (one interface), repeated with shifted timestamps until TARGET packets.
if (!existsSync(BIG)) await writeFixtureRounds(BIG, TARGET);
const size = statSync(BIG).size;
const packets = TARGET;
console.log(`bench capture: ${BIG} — ${packets} packets, ${(size / 1e6).toFixed(0)} MB\n`);

function run(label, cmd, args) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], {
    stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, TZ: "UTC", NO_COLOR: "1" },
  });
  const last = r.stderr.trim().split("\n").pop() ?? "";
  const [secs, kb] = last.split(" ").map(Number);
  if (r.status !== 0) console.log(`  (${label} exited ${r.status}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")})`);
  return { label, secs, rssMB: kb / 1024, pps: packets / secs };
}

const fields = ["frame.number", "frame.time_relative", "ip.src", "ip.dst", "ip.proto", "tcp.srcport", "tcp.dstport", "frame.len"];
const fieldArgs = fields.flatMap((f) => ["-e", f]);
const have = (c) => spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0;
const modes = [
  ["summary", ["-n", "-r", BIG], ["-r", BIG, "--no-progress"]],
  ["-T fields (8)", ["-n", "-r", BIG, "-T", "fields", ...fieldArgs], ["-r", BIG, "--no-progress", "-T", "fields", ...fieldArgs]],
  ["-V", ["-n", "-r", BIG, "-V"], ["-r", BIG, "--no-progress", "-V"]],
];
const rows = [];
// --threads N (opt-in): the same modes split by flow over N worker threads, against the same tshark run
const THREADS = Math.min(availableParallelism(), 4);
for (const [mode, targs, nargs] of modes) {
  const n = run(`nestcap ${mode}`, process.execPath, [NESTCAP, ...nargs]);
  const t = have("tshark") ? run(`tshark ${mode}`, "tshark", targs) : null;
  rows.push({ mode, n, t });
  if (mode !== "-V" && THREADS > 1) {
    const p = run(`nestcap ${mode} --threads ${THREADS}`, process.execPath, [NESTCAP, ...nargs, "--threads", String(THREADS)]);
    rows.push({ mode: `  --threads ${THREADS}`, n: p, t });
  }
}
const td = have("tcpdump") ? run("tcpdump -nr", "tcpdump", ["-nr", BIG]) : null;
// the floor: a bare JavaScript loop over the same records (bench/floor.mjs), summary-like lines that are wrong for most packets
const floor = run("floor", process.execPath, [join(ROOT, "bench", "floor.mjs"), BIG]);

const fmt = (x) => (x ? `${Math.round(x.pps / 1000)}k pkt/s, ${x.secs.toFixed(1)} s, RSS ${x.rssMB.toFixed(0)} MB` : "n/a");
console.log("mode            nestcap                                 tshark                                  ratio");
for (const { mode, n, t } of rows) {
  console.log(`${mode.padEnd(15)} ${fmt(n).padEnd(40)}${fmt(t).padEnd(40)}${t ? (t.secs / n.secs).toFixed(2) + "×" : ""}`);
}
if (td) {
  const n = rows[0].n;
  console.log(`tcpdump -nr     ${fmt(td)}   nestcap summary vs tcpdump: ${(td.secs / n.secs).toFixed(2)}×`);
}
if (floor.secs > 0) {
  const n = rows[0].n;
  const t = rows[0].t;
  console.log(`bare JS floor   ${fmt(floor)}   ${t ? `vs tshark summary: ${(t.secs / floor.secs).toFixed(2)}×, ` : ""}nestcap summary takes ${(n.secs / floor.secs).toFixed(2)}× the floor's time`);
}
