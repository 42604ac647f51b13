/**
 * IPv6 inside the tunnel (tun mode) against Debian's OpenVPN 2.6: --ifconfig-ipv6 in
 * static-key mode, a nestcap TLS client configuring the pushed ifconfig-ipv6/route-ipv6,
 * and a nestcap --server-ipv6 server (OpenVPN's pool addresses, routing by IPv6
 * destination, the source-address rule). Each: ping -6, an HTTP download and a 1 MB upload
 * over IPv6 (the tun's TCP offload in both directions), and IPv4 still working (ping -4).
 * The interop part needs root, openvpn, iproute2, curl (skips with the reason otherwise);
 * the option and address-pool tests run anywhere.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/tshark.js";
import { TunnelUsageError, parseTunnelArgs } from "../../src/tunnel/options.js";
import { addIp6, ip6Text, key6, parsePrefix6, same6, server6 } from "../../src/tunnel/ip6.js";
import { KEYS, NsPair, PYTHON, exited, fileHas, safeRead, skipReason, tcpUpload, waitFor } from "./netns.js";

const SKIP = skipReason();
const WORK = mkdtempSync(join(tmpdir(), "nctun6-"));
const PAYLOAD = join(ROOT, "fixtures", "http.pcapng");
const pairs: NsPair[] = [];

afterAll(async () => {
  await Promise.all(pairs.map((p) => p.cleanup()));
  if (process.env.NCTUN_KEEP === undefined) rmSync(WORK, { recursive: true, force: true });
});

interface Scenario {
  name: string;
  nestcap: "client" | "server";
  mode: "static" | "tls";
  /** The server's / the client's tunnel IPv6 address. */
  s6: string;
  c6: string;
}

const SCENARIOS: Scenario[] = [
  { name: "static-nc-client", nestcap: "client", mode: "static", s6: "fd00:7::1", c6: "fd00:7::2" },
  { name: "tls-nc-client", nestcap: "client", mode: "tls", s6: "fd00:8::1", c6: "fd00:8::1000" },
  { name: "tls-nc-server", nestcap: "server", mode: "tls", s6: "fd00:8::1", c6: "fd00:8::1000" },
];

function endArgs(sc: Scenario, role: "client" | "server", pair: NsPair): { ovpn: string[]; nc: string[] } {
  const ovpn = ["--dev", "tun0", "--dev-type", "tun", "--disable-dco", "--verb", "4", "--proto", "udp"];
  const nc = ["--dev", "tun0", "--proto", "udp", "--verb", "2"];
  if (role === "server") {
    ovpn.push("--local", pair.sAddr, "--port", "1194");
    nc.push("--local", pair.sAddr, "--port", "1194");
  } else {
    ovpn.push("--remote", pair.sAddr, "1194", "--nobind");
    nc.push("--remote", pair.sAddr, "1194");
  }
  if (sc.mode === "static") {
    const dir = role === "server" ? "0" : "1";
    const ifc = role === "server" ? ["10.8.0.1", "10.8.0.2"] : ["10.8.0.2", "10.8.0.1"];
    const ifc6 = role === "server" ? [`${sc.s6}/64`, sc.c6] : [`${sc.c6}/64`, sc.s6];
    const common = ["--secret", join(KEYS, "static.key"), dir, "--cipher", "AES-256-CBC", "--auth", "SHA256", "--ifconfig", ...ifc, "--ifconfig-ipv6", ...ifc6];
    return { ovpn: [...ovpn, ...common], nc: [...nc, ...common] };
  }
  const pki = ["--ca", join(KEYS, "ca.crt"), "--cert", join(KEYS, `${role}.crt`), "--key", join(KEYS, `${role}.key`)];
  if (role === "server") {
    const srv = ["--server-ipv6", "fd00:8::/64", "--push", "route-ipv6 fd00:9::/64"];
    ovpn.push(...pki, "--server", "10.8.0.0", "255.255.255.0", "--topology", "subnet", "--dh", "none", ...srv);
    nc.push(...pki, "--server", "10.8.0.0", "255.255.255.0", ...srv);
  } else {
    ovpn.push(...pki, "--client", "--remote-cert-tls", "server");
    nc.push(...pki);
  }
  return { ovpn, nc };
}

function has6(pair: NsPair, ns: string, addr: string): boolean {
  const r = spawnSync("ip", ["-n", ns, "-6", "-o", "addr", "show", "dev", "tun0"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes(`inet6 ${addr}/64`);
}

interface LinkStats {
  stats64: { rx: { packets: number; bytes: number }; tx: { packets: number; bytes: number } };
}

function tunStats(ns: string): LinkStats["stats64"] {
  const r = spawnSync("ip", ["-n", ns, "-s", "-j", "link", "show", "dev", "tun0"], { encoding: "utf8" });
  return (JSON.parse(r.stdout) as LinkStats[])[0].stats64;
}

/** Packets the kernel received on tun0 in `ns` (written by the tunnel). */
function tunRx(ns: string): number {
  return tunStats(ns).rx.packets;
}

/** What the kernel sent on tun0 in `ns` (read by the tunnel: with TSO, one packet may be a 64 KB segment). */
function tunTx(ns: string): { packets: number; bytes: number } {
  return tunStats(ns).tx;
}


const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

let nextNet = 60;

async function runScenario(sc: Scenario): Promise<void> {
  const pair = new NsPair(`v6${sc.name.slice(0, 10)}`, nextNet++, "nct6");
  pairs.push(pair);
  // NsPair turns IPv6 off in its namespaces: back on for the devices made from now on (the
  // tun), still off on the veth
  for (const ns of [pair.c, pair.s]) spawnSync("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=0"]);
  const log = (who: string) => join(WORK, `${sc.name}-${who}.log`);
  const srv = endArgs(sc, "server", pair);
  const cli = endArgs(sc, "client", pair);
  const ncLog = log(`nestcap-${sc.nestcap}`);
  const ovLog = log(`openvpn-${sc.nestcap === "client" ? "server" : "client"}`);
  const dump = () => `\n--- nestcap:\n${safeRead(ncLog)}\n--- openvpn (tail):\n${safeRead(ovLog).split("\n").filter((l) => !/^\S+ \S+ us=\d+ {3}/.test(l)).slice(-30).join("\n")}`;
  let nc;
  try {
    if (sc.nestcap === "server") {
      nc = pair.nestcap(pair.s, ["server", ...srv.nc], ncLog);
      await waitFor(() => fileHas(ncLog, "listening on") || nc!.exitCode !== null, 15000, "nestcap server");
      pair.spawn(pair.c, "openvpn", cli.ovpn, ovLog);
    } else {
      pair.spawn(pair.s, "openvpn", srv.ovpn, ovLog);
      await waitFor(() => fileHas(ovLog, /link local|Initialization Sequence Completed|Exiting/), 15000, "openvpn server");
      nc = pair.nestcap(pair.c, ["client", ...cli.nc], ncLog);
    }
    await waitFor(() => (has6(pair, pair.c, sc.c6) && has6(pair, pair.s, sc.s6) && pair.hasAddr(pair.c, "tun0", "10.8.0.2")) || nc!.exitCode !== null, 30000, "both tunnel IPv6 addresses").catch((e) => {
      throw new Error(`${(e as Error).message}${dump()}`);
    });
    if (sc.mode === "tls") await waitFor(() => (sc.nestcap === "client" ? fileHas(ncLog, "connected to") : fileHas(ovLog, "Initialization Sequence Completed")) || nc!.exitCode !== null, 30000, "connected");
    expect(nc.exitCode, dump()).toBeNull();
    if (sc.mode === "tls") {
      // what the server pushed (OpenVPN's own, or nestcap's, as OpenVPN's): the client's pool address, the server's, the route
      const pushLog = sc.nestcap === "client" ? ncLog : ovLog;
      if (sc.nestcap === "server") expect(safeRead(ovLog), dump()).toMatch(/PUSH_REPLY,tun-ipv6,.*ifconfig-ipv6 fd00:8::1000\/64 fd00:8::1,ifconfig 10\.8\.0\.2 255\.255\.255\.0/);
      else expect(safeRead(pushLog)).toContain("fd00:8::1000/64 fd00:8::1");
      const rt = spawnSync("ip", ["-n", pair.c, "-6", "route", "show", "fd00:9::/64"], { encoding: "utf8" });
      expect(rt.stdout, "pushed route-ipv6 on the client").toContain("dev tun0");
    }
    // IPv4 still works, and IPv6 (the first may be lost while the peer learns our address)
    const p4 = pair.exec(pair.c, "ping", ["-4", "-c", "3", "-i", "0.2", "-W", "3", "10.8.0.1"]);
    expect(p4.stdout + dump(), "ping -4").toMatch(/[1-3] received/);
    const p6 = pair.exec(pair.c, "ping", ["-6", "-c", "4", "-i", "0.2", "-W", "3", sc.s6]);
    expect(p6.stdout + dump(), "ping -6").toMatch(/[1-4] received/);
    // an HTTP download over IPv6 (server → client TCP)
    const http = pair.spawn(pair.s, PYTHON, ["-m", "http.server", "8080", "--bind", sc.s6, "--directory", join(ROOT, "fixtures")], log("httpd"));
    const got = join(WORK, `${sc.name}.got`);
    await waitFor(() => pair.exec(pair.c, "curl", ["-g", "-sS", "--max-time", "10", "-o", got, "-w", "%{http_code}", `http://[${sc.s6}]:8080/http.pcapng`]).stdout === "200", 30000, "HTTP GET over IPv6 through the tunnel");
    http.kill();
    expect(sha(readFileSync(got)), "downloaded file").toBe(sha(readFileSync(PAYLOAD)));
    const tx0 = tunTx(pair.c);
    await upload(pair, sc, log);
    if (sc.nestcap === "client") {
      // nestcap's tun has TCP offload (IPv6 TSO): the kernel handed it segments larger than the MTU
      const tx1 = tunTx(pair.c);
      const avg = Math.round((tx1.bytes - tx0.bytes) / (tx1.packets - tx0.packets));
      console.log(`tunnel ipv6 ${sc.name}: upload left the client's TCP stack in ${tx1.packets - tx0.packets} tun packets, ${avg} bytes on average`);
      expect(avg, "IPv6 TSO segments larger than the MTU").toBeGreaterThan(1500);
    }
    if (sc.nestcap === "server") {
      expect(safeRead(ncLog)).toMatch(/client \S+ connected .*: 10\.8\.0\.2 fd00:8::1000\/64, cipher/);
      // a client may only send from its own address: another source is dropped by the server
      // (the server's tun never sees the packets: its rx counter does not grow by the 3 pings)
      expect(pair.exec(pair.c, "ip", ["-6", "addr", "add", "fd00:8::99/64", "dev", "tun0"]).status).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      const rx0 = tunRx(pair.s);
      const spoof = pair.exec(pair.c, "ping", ["-6", "-c", "3", "-i", "0.2", "-W", "1", "-I", "fd00:8::99", sc.s6]);
      expect(spoof.stdout, "ping from a foreign source address").toMatch(/3 packets transmitted, 0 received/);
      const rx1 = tunRx(pair.s);
      console.log(`tunnel ipv6 ${sc.name}: spoofed source fd00:8::99, 3 pings sent, server tun rx grew by ${rx1 - rx0}`);
      expect(rx1 - rx0, "spoofed packets written to the server's tun").toBeLessThan(3);
    }
    nc.kill("SIGTERM");
    expect(await exited(nc), dump()).toBe(0);
    expect(safeRead(ncLog)).toMatch(/stats: link rx \d+ tx \d+/);
    console.log(`tunnel ipv6 ${sc.name}: ${safeRead(ncLog).match(/stats: .*/)?.[0]}`);
  } finally {
    await pair.cleanup();
  }
}

/** 1 MB from the client's tunnel IPv6 address to a receiver on the server's (client → server TCP): sha256. */
async function upload(pair: NsPair, sc: Scenario, log: (who: string) => string): Promise<void> {
  const r = await tcpUpload(pair, sc.s6, 1024 * 1024, join(WORK, `${sc.name}.upload`), log("upload-recv"));
  expect(r.got, "uploaded bytes").toBe(r.want);
}

describe.skipIf(SKIP !== null)(`IPv6 through the tunnel with openvpn 2.6${SKIP !== null ? ` (skipped: ${SKIP})` : ""}`, () => {
  for (const sc of SCENARIOS) {
    it.concurrent(`${sc.name}: ping -6, HTTP download and upload over IPv6, ping -4`, async () => {
      await runScenario(sc);
    }, 90_000);
  }
});

describe("IPv6 tunnel options and addresses (no root needed)", () => {
  const tls = ["--ca", "a", "--cert", "b", "--key", "c"];
  it("parses --ifconfig-ipv6, --server-ipv6, --route-ipv6 and --push as OpenVPN's", () => {
    const s = parseTunnelArgs(["client", "--remote", "h", "--secret", "k", "--ifconfig", "10.8.0.2", "10.8.0.1", "--ifconfig-ipv6", "FD00:7:0::2/64", "fd00:7::1", "--route-ipv6", "fd00:9::/48", "fd00:7::1", "5", "--verb", "3"]);
    expect(s.ifconfig6).toEqual(["fd00:7::2/64", "fd00:7::1"]);
    expect(s.routes6).toEqual(["fd00:9::/48"]);
    expect(s.verb).toBe(3);
    expect(parseTunnelArgs(["client", "--remote", "h", "--secret", "k", "--ifconfig", "a", "b", "--ifconfig-ipv6", "fd00::2", "fd00::1"]).ifconfig6).toEqual(["fd00::2/64", "fd00::1"]);
    const v = parseTunnelArgs(["--server-ipv6", "fd00:8::/64", "--push", "route-ipv6 fd00:9::/64", ...tls]);
    expect(v.role).toBe("server");
    expect(v.server6).toBe("fd00:8::/64");
    expect(v.push).toEqual(["route-ipv6 fd00:9::/64"]);
    const bad = (args: string[], msg: RegExp): void => {
      expect(() => parseTunnelArgs(args)).toThrow(TunnelUsageError);
      expect(() => parseTunnelArgs(args)).toThrow(msg);
    };
    bad(["server", "--server-ipv6", "fd00:8::/56", ...tls], /between \/64 and \/124/);
    bad(["server", "--server-ipv6", "fd00:8::/125", ...tls], /between \/64 and \/124/);
    bad(["server", "--server-ipv6", "10.8.0.0/24", ...tls], /not an IPv6 address/);
    bad(["server", "--server-ipv6", "fd00:8::/129", ...tls], /not an IPv6 address/);
    bad(["client", "--remote", "h", "--secret", "k", "--ifconfig", "a", "b", "--ifconfig-ipv6", "fd00::2/64", "fd00::1/64"], /not an IPv6 address/);
    bad(["client", "--remote", "h", "--secret", "k", "--ifconfig", "a", "b", "--ifconfig-ipv6", "fd00::2/64"], /needs an argument/);
    bad(["server", "--secret", "k", "--ifconfig", "a", "b", "--server-ipv6", "fd00:8::/64"], /--server-ipv6 is for TLS mode/);
    bad(["client", "--remote", "h", "--ifconfig-ipv6", "fd00::2/64", "fd00::1", ...tls], /--ifconfig-ipv6 is for static-key mode/);
  });

  it("hands out OpenVPN 2.6's addresses: server NET::1, clients from NET::1000 (NET+2 below /112)", () => {
    const n = parsePrefix6("fd00:8::/64")!;
    const { local, poolBase } = server6(n);
    expect(ip6Text(local)).toBe("fd00:8::1");
    expect(ip6Text(poolBase)).toBe("fd00:8::1000");
    expect(ip6Text(addIp6(poolBase, 1))).toBe("fd00:8::1001");
    expect(ip6Text(addIp6(poolBase, 0x1000))).toBe("fd00:8::2000");
    expect(ip6Text(server6(parsePrefix6("fd00:8::100/120")!).poolBase)).toBe("fd00:8::102");
    // carries across bytes and groups
    expect(ip6Text(addIp6(parsePrefix6("fd00::ffff:ffff")!.addr, 1))).toBe("fd00::1:0:0");
    expect(ip6Text(addIp6(parsePrefix6("fd00::ff")!.addr, 0x101))).toBe("fd00::200");
    expect(parsePrefix6("fd00::1")?.bits).toBe(128);
    expect(parsePrefix6("fd00::1/x")).toBeNull();
    expect(parsePrefix6("fd00:::1/64")).toBeNull();
  });

  it("routes by the 16 address bytes: key6 and same6 at a packet offset", () => {
    const a = parsePrefix6("fd00:8::1000")!.addr;
    const b = parsePrefix6("fd00:8::1001")!.addr;
    const pkt = new Uint8Array(40);
    pkt[0] = 0x60;
    pkt.set(b, 8);
    pkt.set(a, 24);
    expect(key6(pkt, 24)).toBe(key6(a, 0));
    expect(key6(pkt, 8)).not.toBe(key6(a, 0));
    expect(key6(pkt, 24)).toHaveLength(8);
    expect(same6(pkt, 8, b)).toBe(true);
    expect(same6(pkt, 8, a)).toBe(false);
    const m = new Map([[key6(a, 0), 1], [key6(b, 0), 2]]);
    expect(m.get(key6(pkt, 24))).toBe(1);
    expect(m.get(key6(pkt, 8))).toBe(2);
  });
});
