/**
 * Live capture end to end: nestcap -i on one end of a veth pair between two network
 * namespaces made here, known traffic (UDP, ping, HTTP GET) from the other end; the
 * dissected fields, the -w file (read back by tshark), -i any, SIGINT, and the error paths.
 * Needs root, `ip netns`, tshark, koffi and libpcap: skipped with a message otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPcap } from "../../src/capture/libpcap.js";
import { haveTshark, ROOT } from "../helpers/tshark.js";

const MAIN = join(ROOT, "dist", "src", "cli", "nestcap.js");
const tag = `${process.pid % 100000}`;
const NS1 = `nclive-${tag}-a`;
const NS2 = `nclive-${tag}-b`;
const VA = `ncl${tag}a`;
const VB = `ncl${tag}b`;
// An address block of our own, only inside the namespaces made here.
const A1 = "10.213.77.1";
const A2 = "10.213.77.2";
// The system python starts in ~0.1 s; a pyenv shim can take seconds.
const PY = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/** Newest modification time under the source folders (to rebuild dist only when needed). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : e.name.endsWith(".ts") ? statSync(p).mtimeMs : 0);
  }
  return t;
}

function why(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root";
  if (spawnSync("ip", ["netns", "list"], { stdio: "ignore" }).status !== 0) return "`ip netns` is not available";
  try {
    loadPcap();
  } catch (e) {
    return (e as Error).message;
  }
  if (!haveTshark()) return "tshark is not installed";
  if (spawnSync(PY, ["--version"], { stdio: "ignore" }).status !== 0) return "python3 is not installed";
  return null;
}
const skipReason = why();
if (skipReason) console.log(`live capture tests skipped: ${skipReason}`);

function sh(cmd: string, args: string[], opts: { ns?: string; input?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const full = opts.ns ? ["ip", ["netns", "exec", opts.ns, cmd, ...args]] as const : ([cmd, args] as const);
  const r = spawnSync(full[0], full[1] as string[], { encoding: "utf8", input: opts.input, timeout: 20000, env: { ...process.env, TZ: "UTC" } });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function must(cmd: string, args: string[], ns?: string): string {
  const r = sh(cmd, args, { ns });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** nestcap in NS1; resolves once it printed "Capturing on". */
function startNestcap(args: string[]): Promise<{ child: ChildProcess; result: Promise<{ code: number | null; stdout: string; stderr: string }>; outLength: () => number }> {
  const child = spawn("ip", ["netns", "exec", NS1, process.execPath, MAIN, ...args], { env: { ...process.env, TZ: "UTC" } });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => child.on("close", (code) => res({ code, stdout, stderr })));
  const killer = setTimeout(() => child.kill("SIGKILL"), 20000);
  child.on("close", () => clearTimeout(killer));
  return new Promise((res, rej) => {
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("Capturing on")) res({ child, result, outLength: () => stdout.length });
    });
    void result.then((r) => rej(new Error(`nestcap exited early (${r.code}): ${r.stderr}`)));
  });
}

/** Sends argv[1] datagrams as fast as it can; prints the wall clock before and after. */
const BURST_SENDER = `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("${A2}", 40001))
n = int(sys.argv[1]); port = int(sys.argv[2]); sent = 0
t0 = time.time()
for i in range(n):
    while True:
        try:
            s.sendto(b"burst-%05d" % i, ("${A1}", port)); sent += 1; break
        except BlockingIOError:
            time.sleep(0.001)
print(sent, t0, time.time())
`;

const UDP_SENDER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("${A2}", 40000))
for i in range(int(sys.argv[1])):
    s.sendto(b"nestcap-%d" % i, ("${A1}", int(sys.argv[2])))
`;

function sendUdp(n: number, port: number): void {
  must(PY, ["-c", UDP_SENDER, String(n), String(port)], NS2);
}

function tsharkFields(file: string, fields: string[]): string {
  return must("tshark", ["-n", "-r", file, "-T", "fields", ...fields.flatMap((f) => ["-e", f])]);
}

let tmp = "";
let http: ChildProcess | undefined;

describe.skipIf(skipReason !== null)("live capture (nestcap -i)", () => {
  beforeAll(() => {
    // `npm test` builds first (scripts/setup.sh); build here only when the CLI is missing or
    // older than the CLI/capture sources (type errors elsewhere still emit).
    const src = Math.max(newest(join(ROOT, "src", "cli")), newest(join(ROOT, "src", "capture")));
    if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < src) spawnSync("npx", ["tsc", "-p", "."], { cwd: ROOT, stdio: "ignore", timeout: 120000 });
    if (!existsSync(MAIN)) throw new Error("the CLI did not build");
    tmp = mkdtempSync(join(tmpdir(), "nclive-"));
    must("ip", ["netns", "add", NS1]);
    must("ip", ["netns", "add", NS2]);
    must("ip", ["link", "add", VA, "netns", NS1, "type", "veth", "peer", "name", VB, "netns", NS2]);
    must("ip", ["addr", "add", `${A1}/24`, "dev", VA], NS1);
    must("ip", ["addr", "add", `${A2}/24`, "dev", VB], NS2);
    for (const [ns, v] of [[NS1, VA], [NS2, VB]]) {
      must("ip", ["link", "set", v, "up"], ns);
      must("ip", ["link", "set", "lo", "up"], ns);
    }
    // Resolve ARP both ways before any capture.
    must("ping", ["-c", "1", "-W", "2", A1], NS2);
    http = spawn("ip", ["netns", "exec", NS1, PY, "-m", "http.server", "8000", "--bind", A1, "--directory", tmp], { stdio: "ignore" });
  }, 150000);

  afterAll(() => {
    if (http) http.kill("SIGKILL");
    sh("ip", ["netns", "del", NS1]);
    sh("ip", ["netns", "del", NS2]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("dissects UDP and ICMP as they arrive (-f, -c, -T fields), and -w writes what tshark reads the same", async () => {
    const out = join(tmp, "a.pcapng");
    const fields = ["frame.len", "ip.src", "ip.dst", "udp.dstport", "icmp.type", "data.data"];
    const { result } = await startNestcap(["-i", VA, "-f", "udp port 5555 or icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply", "-c", "7", "-T", "fields", ...fields.flatMap((f) => ["-e", f]), "-w", out]);
    sendUdp(3, 5555);
    sendUdp(2, 5556); // filtered out by the BPF
    must("ping", ["-c", "2", "-i", "0.2", A1], NS2);
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Capturing on '${VA}'`);
    // slow traffic: everything the filter passed was captured, nothing dropped
    expect(r.stderr).toMatch(/^7 packets captured, 0 dropped by kernel, 0 dropped by interface$/m);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    const udp = lines.filter((l) => l.split("\t")[3] === "5555");
    expect(udp).toHaveLength(3);
    for (const [i, l] of udp.entries()) {
      const c = l.split("\t");
      expect(c[1]).toBe(A2);
      expect(c[2]).toBe(A1);
      expect(c[5]).toBe(Buffer.from(`nestcap-${i}`).toString("hex"));
    }
    const icmpTypes = lines.map((l) => l.split("\t")[4]).filter(Boolean);
    expect(icmpTypes).toEqual(["8", "0", "8", "0"]);
    // The -w file: tshark reads the same packets and fields, one IDB named after the interface, ns resolution.
    expect(tsharkFields(out, fields).trimEnd()).toBe(r.stdout.trimEnd());
    expect(tsharkFields(out, ["frame.interface_name"]).trim().split("\n")).toEqual(Array(7).fill(VA));
    const ci = must("capinfos", ["-M", out]);
    expect(ci).toMatch(/Number of packets:\s+7/);
    expect(ci).toMatch(/Time resolution = 0x09/);
  }, 30000);

  it("-i any (Linux cooked capture) and -s snaplen", async () => {
    const out = join(tmp, "any.pcapng");
    const { result } = await startNestcap(["-i", "any", "-f", "udp port 5557", "-c", "2", "-s", "40", "-T", "fields", "-e", "sll.pkttype", "-e", "ip.src", "-e", "frame.len", "-e", "frame.cap_len", "-w", out]);
    sendUdp(2, 5557);
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    // 16 (SLL) + 20 + 8 + 9 bytes of payload = 53 on the wire, 40 kept
    expect(r.stdout.trimEnd().split("\n")).toEqual([`0\t${A2}\t53\t40`, `0\t${A2}\t53\t40`]);
    expect(tsharkFields(out, ["frame.protocols", "frame.len", "frame.cap_len"]).trim().split("\n")).toEqual(Array(2).fill("sll:ethertype:ip:udp\t53\t40"));
  }, 30000);

  it("SIGINT: stops cleanly, the file is complete, the count is printed (HTTP GET)", async () => {
    const out = join(tmp, "http.pcapng");
    const { child, result } = await startNestcap(["-i", VA, "-f", "tcp port 8000", "-q", "-w", out]);
    must(PY, ["-c", `import urllib.request; print(urllib.request.urlopen("http://${A1}:8000/").status)`], NS2);
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    const m = /(\d+) packets captured/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const n = Number(m![1]);
    expect(n).toBeGreaterThanOrEqual(8); // handshake, GET, response, teardown
    expect(must("capinfos", ["-M", out])).toMatch(new RegExp(`Number of packets:\\s+${n}\\n`));
    const t = tsharkFields(out, ["tcp.dstport", "http.request.method"]);
    expect(t).toContain("8000\tGET");
    // nestcap reads its own file back the same way
    const back = must(process.execPath, [MAIN, "-r", out, "-T", "fields", "-e", "tcp.dstport", "-e", "tcp.srcport", "-e", "ip.src"]);
    expect(back).toBe(tsharkFields(out, ["tcp.dstport", "tcp.srcport", "ip.src"]));
  }, 30000);

  it("-a duration stops by itself; -b writes ring-buffer files named like tshark's", async () => {
    const base = join(tmp, "ring.pcapng");
    const { result } = await startNestcap(["-i", VA, "-f", "udp port 5558", "-q", "-a", "duration:3", "-b", "filesize:1", "-b", "files:2", "-w", base]);
    sendUdp(60, 5558); // 60 × 84 bytes: several 1 kB files (on a loaded machine the 3 s may end before all are read)
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    const m = /(\d+) packets captured/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const n = Number(m![1]);
    expect(n).toBeGreaterThan(0);
    const files = must("ls", [tmp]).split("\n").filter((f) => /^ring_\d{5}_\d{14}\.pcapng$/.test(f)).sort();
    expect(files.length).toBeGreaterThan(0);
    expect(files.length).toBeLessThanOrEqual(2);
    // 1 kB holds 11 of these packets: file numbers went past 2 once more than 22 were captured
    if (n > 22) expect(Number(/^ring_(\d{5})/.exec(files[files.length - 1])![1])).toBeGreaterThan(2);
    for (const f of files) {
      const p = join(tmp, f);
      expect(statSync(p).size).toBeGreaterThan(0);
      expect(tsharkFields(p, ["udp.dstport"]).trim().split("\n").every((l) => l === "5558")).toBe(true);
    }
  }, 30000);

  it("a burst of 5000 datagrams: every one captured, or the kernel's drop count explains the difference; kernel timestamps; -w equals the output", async () => {
    const out = join(tmp, "burst.pcapng");
    const fields = ["frame.time_epoch", "frame.len", "udp.srcport", "data.data"];
    const { child, result, outLength } = await startNestcap(["-i", VA, "-f", "udp port 5560", "-T", "fields", ...fields.flatMap((f) => ["-e", f]), "-w", out]);
    const [sent, t0, t1] = must(PY, ["-c", BURST_SENDER, "5000", "5560"], NS2).trim().split(" ").map(Number);
    expect(sent).toBe(5000);
    // nothing else passes the filter: stop once the output has stopped growing
    let last = -1;
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const got = outLength();
      if (got === last) break;
      last = got;
    }
    child.kill("SIGINT");
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    const m = /^(\d+) packets captured, (\d+) dropped by kernel, (\d+) dropped by interface$/m.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const [captured, dropped, ifDropped] = [Number(m![1]), Number(m![2]), Number(m![3])];
    console.log(`burst: sent ${sent}, captured ${captured}, dropped by kernel ${dropped}, by interface ${ifDropped}`);
    // Never hide loss: what was not captured was counted as dropped.
    expect(captured + dropped + ifDropped).toBe(sent);
    if (dropped === 0 && ifDropped === 0) expect(captured).toBe(sent);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(captured);
    // In order, nothing duplicated, the payloads sent
    let prev = -1;
    let prevTs = 0;
    for (const l of lines) {
      const c = l.split("\t");
      const seq = Number(Buffer.from(c[3], "hex").toString().slice(6));
      expect(seq).toBeGreaterThan(prev);
      prev = seq;
      // Kernel timestamps: never going back, and between the sender's first and last clock reading
      const ts = Number(c[0]);
      expect(ts).toBeGreaterThanOrEqual(prevTs);
      prevTs = ts;
      expect(ts).toBeGreaterThanOrEqual(t0 - 0.01);
      expect(ts).toBeLessThanOrEqual(t1 + 0.01);
      expect(c[1]).toBe("53"); // 14 + 20 + 8 + 11
      expect(c[2]).toBe("40001");
    }
    // tshark reads the -w file the same (nanosecond timestamps included)
    expect(tsharkFields(out, fields).trimEnd()).toBe(r.stdout.trimEnd());
  }, 60000);

  it("two interfaces (-i VETH -i lo): one IDB each with its name, packets from both", async () => {
    const out = join(tmp, "two.pcapng");
    const { result } = await startNestcap(["-i", VA, "-i", "lo", "-f", "udp port 5561 or icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply", "-c", "5", "-q", "-w", out]);
    sendUdp(1, 5561);
    must("ping", ["-c", "2", "-i", "0.2", "127.0.0.1"], NS1);
    const r = await result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Capturing on '${VA}' and 'lo'`);
    expect(r.stderr).toMatch(/^5 packets captured, 0 dropped by kernel, 0 dropped by interface$/m);
    expect(r.stderr).toMatch(new RegExp(`^  '${VA}': \\d+ received by filter, 0 dropped by kernel`, "m"));
    const t = tsharkFields(out, ["frame.interface_id", "frame.interface_name", "frame.protocols"]).trim().split("\n");
    expect(t).toHaveLength(5);
    expect(t.filter((l) => l === `0\t${VA}\teth:ethertype:ip:udp:data`)).toHaveLength(1);
    expect(t.filter((l) => l === "1\tlo\teth:ethertype:ip:icmp:data")).toHaveLength(4);
    const ci = must("capinfos", ["-M", out]);
    expect(ci).toMatch(/Number of interfaces in file: 2/);
  }, 30000);

  it("an interface that disappears mid-capture: one error line, exit 2, the file complete", async () => {
    const X = `ncg${tag}x`;
    must("ip", ["link", "add", X, "type", "veth", "peer", "name", `ncg${tag}y`], NS1);
    must("ip", ["link", "set", X, "up"], NS1);
    must("ip", ["link", "set", `ncg${tag}y`, "up"], NS1);
    must("ip", ["addr", "add", "10.213.78.1/24", "dev", X], NS1);
    const out = join(tmp, "gone.pcapng");
    const { result } = await startNestcap(["-i", X, "-f", "udp", "-q", "-w", out]);
    // a datagram out of X (to a static neighbour: no ARP), then X goes away
    must("ip", ["neigh", "add", "10.213.78.3", "lladdr", "02:00:00:00:00:03", "dev", X, "nud", "permanent"], NS1);
    must(PY, ["-c", `import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"gone", ("10.213.78.3", 5562))`], NS1);
    await new Promise((r) => setTimeout(r, 500));
    must("ip", ["link", "del", X], NS1);
    const r = await result;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`nestcap: capture on '${X}' failed: The interface disappeared`);
    const m = /^(\d+) packets? captured, 0 dropped by kernel, 0 dropped by interface$/m.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(1);
    expect(must("capinfos", ["-M", out])).toMatch(new RegExp(`Number of packets:\\s+${m![1]}\\n`));
    expect(tsharkFields(out, ["udp.dstport"])).toContain("5562");
  }, 30000);

  it("errors: no such interface, bad capture filter, not permitted", () => {
    const bad = sh(process.execPath, [MAIN, "-i", "nosuch-ncl0"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/^nestcap: there is no interface named 'nosuch-ncl0'; interfaces: .*\blo\b/);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);

    const bpf = sh(process.execPath, [MAIN, "-i", VA, "-f", "udp and and"], { ns: NS1 });
    expect(bpf.status).not.toBe(0);
    expect(bpf.stderr.trim()).toBe(`nestcap: invalid capture filter "udp and and" for interface '${VA}': can't parse filter expression: syntax error`);

    const perm = sh("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, MAIN, "-i", "lo"]);
    if (/EACCES|Cannot find module|permission denied, open/i.test(perm.stderr)) {
      console.log("permission test skipped: nobody can't read the build");
      return;
    }
    expect(perm.status).not.toBe(0);
    expect(perm.stderr).toContain("run as root or give node CAP_NET_RAW: sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))");
    expect(perm.stderr.trim().split("\n")).toHaveLength(1);
  }, 30000);
});
