#!/usr/bin/env node
/**
 * `npm run bench:tunnel`: iperf3 through a nestcap tunnel and through an OpenVPN 2.6 tunnel
 * (--disable-dco: userspace crypto, like nestcap), in the same two-namespace setup, the same
 * cipher, in the same run. Prints Mbit/s and the CPU the two tunnel processes used, and
 * the ratio nestcap / openvpn. Not a test. Needs root, openvpn, iperf3, iproute2.
 *
 *   npm run bench:tunnel                    # AES-256-GCM (TLS mode) and static AES-256-CBC
 *   BENCH_SECONDS=10 npm run bench:tunnel
 *   BENCH_MODES=gcm npm run bench:tunnel    # gcm | static | chacha (comma-separated)
 *   BENCH_PINGS=0 npm run bench:tunnel      # skip the RTT measurement (default: 50 pings)
 *   BENCH_ROUNDS=3 npm run bench:tunnel     # repeat (alternating which goes first), print the median ratio
 *   BENCH_DIST=/tmp/build npm run bench:tunnel   # a build other than ./dist
 *
 * Besides iperf3's Mbit/s, each tunnel gets a ping RTT measurement (50 pings 20 ms apart,
 * 56-byte payload; average and minimum): the per-packet latency through both tunnel
 * processes, once on the fresh tunnel ("idle": node's JIT has not warmed up the data path
 * yet) and once right after iperf3 (warm).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const KEYS = join(ROOT, "fixtures", "openvpn", "keys");
const TUNNEL_JS = join(process.env.BENCH_DIST ?? join(ROOT, "dist"), "src", "cli", "tunnel.js");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MODES = (process.env.BENCH_MODES ?? "gcm,static").split(",");
const PINGS = Number(process.env.BENCH_PINGS ?? 50);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const NS = `nctun-bench-${process.pid}`;
const C = `${NS}-c`;
const S = `${NS}-s`;
const procs = [];

function need(cmd) {
  if (spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0) {
    console.error(`bench:tunnel: needs ${cmd} (apt-get install ${cmd === "ip" ? "iproute2" : cmd})`);
    process.exit(1);
  }
}
if (process.getuid?.() !== 0) {
  console.error("bench:tunnel: needs root (network namespaces, tun devices)");
  process.exit(1);
}
for (const c of ["openvpn", "iperf3", "ip"]) need(c);
if (!existsSync(TUNNEL_JS)) {
  console.error(`bench:tunnel: ${TUNNEL_JS} missing: npm run build first`);
  process.exit(1);
}

function setup() {
  for (const ns of [C, S]) {
    spawnSync("ip", ["netns", "del", ns]);
    execFileSync("ip", ["netns", "add", ns]);
    execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
  }
  execFileSync("ip", ["link", "add", "eth0", "netns", C, "type", "veth", "peer", "name", "eth0", "netns", S]);
  execFileSync("ip", ["-n", C, "addr", "add", "10.96.0.1/24", "dev", "eth0"]);
  execFileSync("ip", ["-n", S, "addr", "add", "10.96.0.2/24", "dev", "eth0"]);
  execFileSync("ip", ["-n", C, "link", "set", "eth0", "up"]);
  execFileSync("ip", ["-n", S, "link", "set", "eth0", "up"]);
}

function cleanup() {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  for (const ns of [C, S]) {
    const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean);
    for (const pid of pids) try { process.kill(Number(pid), "SIGKILL"); } catch { /* gone */ }
    spawnSync("ip", ["netns", "del", ns]);
  }
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));

function start(ns, cmd, args) {
  const p = spawn("ip", ["netns", "exec", ns, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  p.log = "";
  p.stdout.on("data", (d) => (p.log += d));
  p.stderr.on("data", (d) => (p.log += d));
  procs.push(p);
  return p;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitAddr(ns, addr, p, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const r = spawnSync("ip", ["-n", ns, "-4", "-o", "addr", "show", "dev", "tun0"], { encoding: "utf8" });
    if (r.stdout.includes(`inet ${addr}`)) return;
    if (p.exitCode !== null) throw new Error(`tunnel process exited: ${p.log.slice(-500)}`);
    await sleep(100);
  }
  throw new Error(`no ${addr} on tun0 in ${ns}`);
}

/** CPU seconds (user + system) of a process and its children that are in the namespace. */
function cpuOf(ns) {
  let t = 0;
  const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
      if (comm !== "node" && comm !== "openvpn") continue;
      const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
      t += (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* gone */ }
  }
  return t;
}

function argsFor(impl, mode, role) {
  const k = (f) => join(KEYS, f);
  if (mode === "static") {
    const ifc = role === "server" ? ["10.8.0.1", "10.8.0.2"] : ["10.8.0.2", "10.8.0.1"];
    const base = ["--secret", k("static.key"), role === "server" ? "0" : "1", "--cipher", "AES-256-CBC", "--auth", "SHA256", "--ifconfig", ...ifc];
    return role === "server" ? [...base, "--local", "10.96.0.2", "--port", "1194"] : [...base, "--remote", "10.96.0.2", "1194"];
  }
  const cipher = mode === "chacha" ? "CHACHA20-POLY1305" : "AES-256-GCM";
  const pki = ["--ca", k("ca.crt"), "--cert", k(`${role}.crt`), "--key", k(`${role}.key`), "--data-ciphers", cipher];
  if (role === "server") {
    return [...pki, "--local", "10.96.0.2", "--port", "1194", ...(impl === "openvpn" ? ["--server", "10.8.0.0", "255.255.255.0", "--topology", "subnet", "--dh", "none"] : [])];
  }
  return [...pki, "--remote", "10.96.0.2", "1194", ...(impl === "openvpn" ? ["--client", "--remote-cert-tls", "server", "--nobind"] : [])];
}

function launch(impl, mode, role, ns) {
  const args = argsFor(impl, mode, role);
  if (impl === "openvpn") return start(ns, "openvpn", ["--dev", "tun0", "--dev-type", "tun", "--disable-dco", "--verb", "1", "--sndbuf", "2097152", "--rcvbuf", "2097152", "--txqueuelen", "1000", ...args]);
  const runner = `const m = await import(${JSON.stringify(TUNNEL_JS)}); process.exitCode = await m.run(process.argv.slice(1));`;
  return start(ns, process.execPath, ["--input-type=module", "-e", runner, role, "--dev", "tun0", "--verb", "1", ...args]);
}

/** Ping through the tunnel (C → 10.8.0.1): { avg, min } RTT in ms, NaN when not measured. */
function pingRtt() {
  if (!(PINGS > 0)) return { avg: NaN, min: NaN };
  const pr = spawnSync("ip", ["netns", "exec", C, "ping", "-q", "-c", String(PINGS), "-i", "0.02", "-W", "1", "10.8.0.1"], { encoding: "utf8", timeout: 30000 });
  const m = /= ([\d.]+)\/([\d.]+)\//.exec(pr.stdout ?? "");
  return m === null ? { avg: NaN, min: NaN } : { avg: Number(m[2]), min: Number(m[1]) };
}
const fmtRtt = (r) => `${r.avg.toFixed(2)} ms (min ${r.min.toFixed(2)})`;

async function run(impl, mode) {
  setup();
  const srv = launch(impl, mode, "server", S);
  await sleep(impl === "openvpn" ? 500 : 800);
  const cli = launch(impl, mode, "client", C);
  await waitAddr(C, "10.8.0.2", cli);
  await waitAddr(S, "10.8.0.1", srv);
  await sleep(1500); // openvpn client: "Initialization Sequence Completed" after the push
  const cold = pingRtt();
  const iperfS = start(S, "iperf3", ["-s", "-1", "-B", "10.8.0.1"]);
  await sleep(500);
  const c0 = cpuOf(C) + cpuOf(S);
  const t0 = Date.now();
  const r = spawnSync("ip", ["netns", "exec", C, "iperf3", "-c", "10.8.0.1", "-t", String(SECONDS), "-J"], { encoding: "utf8", timeout: (SECONDS + 30) * 1000 });
  const wall = (Date.now() - t0) / 1000;
  const cpu = cpuOf(C) + cpuOf(S) - c0;
  iperfS.kill();
  const warm = pingRtt();
  let mbit = NaN;
  try {
    const j = JSON.parse(r.stdout);
    mbit = j.end.sum_received.bits_per_second / 1e6;
  } catch {
    console.error(`${impl} ${mode}: iperf3 failed: ${r.stdout.slice(0, 300)} ${r.stderr}`);
  }
  cleanup();
  procs.length = 0;
  return { mbit, cpuPct: (cpu / wall) * 100, cold, warm };
}

const names = { gcm: "AES-256-GCM (TLS mode)", static: "static key AES-256-CBC + HMAC-SHA256", chacha: "CHACHA20-POLY1305 (TLS mode)" };
console.log(`tunnel benchmark: iperf3 -t ${SECONDS} through each tunnel; both ends of the tunnel are the same program; CPU = both tunnel processes (100% = one core)`);
console.log(`openvpn: ${execFileSync("openvpn", ["--version"], { encoding: "utf8" }).split("\n")[0].split(" ").slice(0, 2).join(" ")}, node ${process.version}, ${(await import("node:os")).cpus().length} cores`);
const median = (a) => {
  const b = a.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
  return b.length === 0 ? NaN : b.length % 2 === 1 ? b[b.length >> 1] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2;
};
for (const mode of MODES) {
  console.log(`${names[mode] ?? mode}:`);
  const ratios = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // alternate which one goes first, so that a load change favours neither
    const first = round % 2 === 1 ? "openvpn" : "nestcap";
    const a = await run(first, mode);
    const b = await run(first === "openvpn" ? "nestcap" : "openvpn", mode);
    const [ov, nc] = first === "openvpn" ? [a, b] : [b, a];
    if (ROUNDS > 1) console.log(` round ${round}:`);
    console.log(`  openvpn  ${ov.mbit.toFixed(0).padStart(6)} Mbit/s   CPU ${ov.cpuPct.toFixed(0).padStart(3)}%${PINGS > 0 ? `   ping RTT idle ${fmtRtt(ov.cold)}, after iperf3 ${fmtRtt(ov.warm)}` : ""}`);
    console.log(`  nestcap  ${nc.mbit.toFixed(0).padStart(6)} Mbit/s   CPU ${nc.cpuPct.toFixed(0).padStart(3)}%${PINGS > 0 ? `   ping RTT idle ${fmtRtt(nc.cold)}, after iperf3 ${fmtRtt(nc.warm)}` : ""}`);
    console.log(`  ratio nestcap/openvpn: ${(nc.mbit / ov.mbit).toFixed(2)}x`);
    ratios.push(nc.mbit / ov.mbit);
  }
  if (ROUNDS > 1) console.log(`  median ratio over ${ROUNDS} rounds: ${median(ratios).toFixed(2)}x (${ratios.map((r) => r.toFixed(2)).join(", ")})`);
}
