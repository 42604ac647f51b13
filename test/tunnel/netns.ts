/**
 * Helpers for the tunnel interop tests: two network namespaces (nctun-<pid>-<name>-c/-s)
 * joined by a veth pair, processes started inside them, polling, and cleanup that also
 * runs when a test fails.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/tshark.js";

export const KEYS = join(ROOT, "fixtures", "openvpn", "keys");
/** The built tunnel entry (imported directly, so the test does not depend on the rest of the CLI). */
export const TUNNEL_JS = join(ROOT, "dist", "src", "cli", "tunnel.js");
const RUNNER = `const m = await import(${JSON.stringify(TUNNEL_JS)}); process.exitCode = await m.run(process.argv.slice(1));`;

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
}

/** Why the interop tests cannot run here, or null. */
export function skipReason(needs: string[] = ["openvpn", "ip", "curl"]): string | null {
  if (process.platform !== "linux") return "Linux only";
  if (process.getuid?.() !== 0) return "needs root (network namespaces, tun devices)";
  if (!existsSync("/dev/net/tun")) return "no /dev/net/tun";
  for (const c of needs) if (!has(c)) return `needs ${c} (Debian package ${c === "ip" ? "iproute2" : c})`;
  if (!existsSync(TUNNEL_JS)) return `not built: ${TUNNEL_JS} (npm run build)`;
  if (spawnSync("ip", ["netns", "add", `nctun-${process.pid}-probe`]).status !== 0) return "cannot create network namespaces";
  spawnSync("ip", ["netns", "del", `nctun-${process.pid}-probe`]);
  return null;
}

export const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

export class NsPair {
  readonly c: string;
  readonly s: string;
  readonly cAddr: string;
  readonly sAddr: string;
  private procs: ChildProcess[] = [];

  /** `prefix` names the namespaces (each test file its own, so files running at once don't collide). */
  constructor(readonly name: string, n: number, prefix = "nctun") {
    this.c = `${prefix}-${process.pid}-${name}-c`;
    this.s = `${prefix}-${process.pid}-${name}-s`;
    this.cAddr = `10.97.${n}.1`;
    this.sAddr = `10.97.${n}.2`;
    for (const ns of [this.c, this.s]) {
      spawnSync("ip", ["netns", "del", ns]);
      execFileSync("ip", ["netns", "add", ns]);
      execFileSync("ip", ["-n", ns, "link", "set", "lo", "up"]);
      // no IPv6 chatter (router solicitations) on the veth and tun
      spawnSync("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
    }
    execFileSync("ip", ["link", "add", "eth0", "netns", this.c, "type", "veth", "peer", "name", "eth0", "netns", this.s]);
    execFileSync("ip", ["-n", this.c, "addr", "add", `${this.cAddr}/24`, "dev", "eth0"]);
    execFileSync("ip", ["-n", this.s, "addr", "add", `${this.sAddr}/24`, "dev", "eth0"]);
    execFileSync("ip", ["-n", this.c, "link", "set", "eth0", "up"]);
    execFileSync("ip", ["-n", this.s, "link", "set", "eth0", "up"]);
  }

  /** Start a background process in a namespace, output to `log` (standard error to `errLog` when given). */
  spawn(ns: string, cmd: string, args: string[], log: string, errLog = log): ChildProcess {
    const fd = openSync(log, "w");
    const fe = errLog === log ? fd : openSync(errLog, "w");
    const p = spawn("ip", ["netns", "exec", ns, cmd, ...args], { stdio: ["ignore", fd, fe], env: { ...process.env, NO_COLOR: "1", TZ: "UTC" } });
    closeSync(fd);
    if (fe !== fd) closeSync(fe);
    this.procs.push(p);
    return p;
  }

  /** nestcap tunnel in a namespace. */
  nestcap(ns: string, args: string[], log: string, errLog = log): ChildProcess {
    return this.spawn(ns, process.execPath, ["--input-type=module", "-e", RUNNER, ...args], log, errLog);
  }

  exec(ns: string, cmd: string, args: string[], timeoutMs = 15000): { status: number; stdout: string; stderr: string } {
    const r = spawnSync("ip", ["netns", "exec", ns, cmd, ...args], { encoding: "utf8", timeout: timeoutMs });
    return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  hasAddr(ns: string, dev: string, addr: string): boolean {
    const r = spawnSync("ip", ["-n", ns, "-4", "-o", "addr", "show", "dev", dev], { encoding: "utf8" });
    return r.status === 0 && r.stdout.includes(`inet ${addr}`);
  }

  linkExists(ns: string, dev: string): boolean {
    return spawnSync("ip", ["-n", ns, "link", "show", "dev", dev], { encoding: "utf8" }).status === 0;
  }

  /** Stop every process (SIGTERM, then SIGKILL) and delete the namespaces. */
  async cleanup(): Promise<void> {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
    await waitFor(() => this.procs.every((p) => p.exitCode !== null || p.signalCode !== null), 3000).catch(() => {});
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    for (const ns of [this.c, this.s]) {
      const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          /* gone */
        }
      }
      spawnSync("ip", ["netns", "del", ns]);
    }
  }
}

export async function waitFor(cond: () => boolean, ms: number, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function fileHas(path: string, text: string | RegExp): boolean {
  try {
    const s = readFileSync(path, "utf8");
    return typeof text === "string" ? s.includes(text) : text.test(s);
  } catch {
    return false;
  }
}

export function exited(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((r) => p.once("exit", (code) => r(code)));
}

/** A log file's text, or "(no log)" (for failure messages). */
export function safeRead(f: string): string {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "(no log)";
  }
}

/**
 * `bytes` bytes over TCP from the client namespace to a receiver on `addr`:5001 in the
 * server namespace (through the tunnel); returns what arrived ("LENGTH SHA256") and
 * what was sent, for the caller to compare. `out`: the receiver's result file.
 */
export async function tcpUpload(pair: NsPair, addr: string, bytes: number, out: string, recvLog: string): Promise<{ got: string; want: string }> {
  const fam = addr.includes(":") ? "socket.AF_INET6" : "socket.AF_INET";
  const recv = `import socket,hashlib,sys\ns=socket.socket(${fam});s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('${addr}',5001));s.listen(1)\n` +
    "c,_=s.accept();h=hashlib.sha256();n=0\nwhile True:\n d=c.recv(65536)\n if not d: break\n h.update(d);n+=len(d)\nopen(sys.argv[1],'w').write(f'{n} {h.hexdigest()}')";
  const rp = pair.spawn(pair.s, PYTHON, ["-c", recv, out], recvLog);
  await new Promise((r) => setTimeout(r, 500));
  const send = `import socket\nd=bytes((i*7+(i>>8))&255 for i in range(${bytes}))\nc=socket.create_connection(('${addr}',5001),timeout=20);c.sendall(d);c.close()`;
  const sr = pair.exec(pair.c, PYTHON, ["-c", send], 30000);
  if (sr.status !== 0) throw new Error(`upload sender failed: ${sr.stderr}`);
  await waitFor(() => existsSync(out) && readFileSync(out, "utf8").length > 0, 20000, "upload received");
  rp.kill();
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 7 + (i >> 8)) & 255;
  return { got: readFileSync(out, "utf8"), want: `${bytes} ${createHash("sha256").update(data).digest("hex")}` };
}
