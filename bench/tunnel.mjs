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
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const KEYS = join(ROOT, "fixtures", "openvpn", "keys");
const TUNNEL_JS = join(ROOT, "dist", "src", "cli", "tunnel.js");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MODES = (process.env.BENCH_MODES ?? "gcm,static").split(",");
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

async function run(impl, mode) {
  setup();
  const srv = launch(impl, mode, "server", S);
  await sleep(impl === "openvpn" ? 500 : 800);
  const cli = launch(impl, mode, "client", C);
  await waitAddr(C, "10.8.0.2", cli);
  await waitAddr(S, "10.8.0.1", srv);
  await sleep(1500); // openvpn client: "Initialization Sequence Completed" after the push
  const iperfS = start(S, "iperf3", ["-s", "-1", "-B", "10.8.0.1"]);
  await sleep(500);
  const c0 = cpuOf(C) + cpuOf(S);
  const t0 = Date.now();
  const r = spawnSync("ip", ["netns", "exec", C, "iperf3", "-c", "10.8.0.1", "-t", String(SECONDS), "-J"], { encoding: "utf8", timeout: (SECONDS + 30) * 1000 });
  const wall = (Date.now() - t0) / 1000;
  const cpu = cpuOf(C) + cpuOf(S) - c0;
  iperfS.kill();
  let mbit = NaN;
  try {
    const j = JSON.parse(r.stdout);
    mbit = j.end.sum_received.bits_per_second / 1e6;
  } catch {
    console.error(`${impl} ${mode}: iperf3 failed: ${r.stdout.slice(0, 300)} ${r.stderr}`);
  }
  cleanup();
  procs.length = 0;
  return { mbit, cpuPct: (cpu / wall) * 100 };
}

const names = { gcm: "AES-256-GCM (TLS mode)", static: "static key AES-256-CBC + HMAC-SHA256", chacha: "CHACHA20-POLY1305 (TLS mode)" };
console.log(`tunnel benchmark: iperf3 -t ${SECONDS} through each tunnel; both ends of the tunnel are the same program; CPU = both tunnel processes (100% = one core)`);
console.log(`openvpn: ${execFileSync("openvpn", ["--version"], { encoding: "utf8" }).split("\n")[0].split(" ").slice(0, 2).join(" ")}, node ${process.version}, ${(await import("node:os")).cpus().length} cores`);
for (const mode of MODES) {
  const ov = await run("openvpn", mode);
  const nc = await run("nestcap", mode);
  console.log(`${names[mode] ?? mode}:`);
  console.log(`  openvpn  ${ov.mbit.toFixed(0).padStart(6)} Mbit/s   CPU ${ov.cpuPct.toFixed(0)}%`);
  console.log(`  nestcap  ${nc.mbit.toFixed(0).padStart(6)} Mbit/s   CPU ${nc.cpuPct.toFixed(0)}%`);
  console.log(`  ratio nestcap/openvpn: ${(nc.mbit / ov.mbit).toFixed(2)}x`);
}
