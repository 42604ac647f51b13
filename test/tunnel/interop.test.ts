/**
 * Interoperability with Debian's OpenVPN 2.6: nestcap and `openvpn` in two network
 * namespaces joined by a veth pair; ping and an HTTP download through the tunnel, with
 * nestcap as the client and as the server, in static-key mode and TLS mode (UDP, TCP,
 * tls-crypt, tls-auth, several data ciphers). Also the faults: wrong CA, silent peer, wrong
 * tls-crypt key (dropped and counted), and the tun device never outlives the process.
 * Needs root, openvpn, iproute2, curl; skips with the reason otherwise.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/tshark.js";
import { KEYS, NsPair, PYTHON, exited, fileHas, safeRead, skipReason, tcpUpload, waitFor } from "./netns.js";

const SKIP = skipReason();
const HAVE_TCPDUMP = skipReason(["tcpdump"]) === null;
const WORK = mkdtempSync(join(tmpdir(), "nctun-"));
const PAYLOAD = join(ROOT, "fixtures", "http.pcapng"); // ~120 KB: many full-sized segments
const pairs: NsPair[] = [];

afterAll(async () => {
  await Promise.all(pairs.map((p) => p.cleanup()));
  if (process.env.NCTUN_KEEP === undefined) rmSync(WORK, { recursive: true, force: true });
});

interface Scenario {
  name: string;
  nestcap: "client" | "server";
  mode: "static" | "tls";
  proto?: "udp" | "tcp";
  wrap?: "tls-crypt" | "tls-auth";
  /** openvpn --data-ciphers / nestcap --data-ciphers (the cipher the tunnel must use). */
  cipher?: string;
  /** The openvpn peer renegotiates every 2 s (--reneg-sec): wait for key-id 2 before the traffic. */
  reneg?: boolean;
  /** Also --keylog, --pcap-out and --inspect, with tcpdump on the veth and the tun (nestcap client only). */
  observe?: boolean;
  /** false: --no-tun-offload (the tun capture then equals the decrypted tunnel packet for packet). */
  offload?: boolean;
  /** Also a 2 MB upload from the client (TSO on nestcap's tun: large segments cut into packets). */
  upload?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: "static-nc-client", nestcap: "client", mode: "static" },
  { name: "static-nc-server", nestcap: "server", mode: "static" },
  { name: "static-tcp-nc-client", nestcap: "client", mode: "static", proto: "tcp" },
  { name: "tls-udp-nc-client", nestcap: "client", mode: "tls", observe: HAVE_TCPDUMP, offload: false },
  { name: "tls-udp-tso-nc-client", nestcap: "client", mode: "tls", observe: HAVE_TCPDUMP, upload: true },
  { name: "tls-udp-nc-server", nestcap: "server", mode: "tls", reneg: true },
  { name: "tls-tcp-crypt-nc-client", nestcap: "client", mode: "tls", proto: "tcp", wrap: "tls-crypt" },
  { name: "tls-tcp-crypt-nc-server", nestcap: "server", mode: "tls", proto: "tcp", wrap: "tls-crypt" },
  { name: "tls-udp-crypt-nc-server", nestcap: "server", mode: "tls", wrap: "tls-crypt", cipher: "CHACHA20-POLY1305" },
  { name: "tls-auth-nc-client", nestcap: "client", mode: "tls", wrap: "tls-auth", cipher: "AES-128-GCM" },
  { name: "tls-auth-cbc-nc-server", nestcap: "server", mode: "tls", wrap: "tls-auth", cipher: "AES-256-CBC" },
];

/** Options for one end: [openvpn args, nestcap args]. */
function endArgs(sc: Scenario, role: "client" | "server", pair: NsPair): { ovpn: string[]; nc: string[] } {
  const proto = sc.proto ?? "udp";
  const ovpn = ["--dev", "tun0", "--dev-type", "tun", "--disable-dco", "--verb", "3", "--proto", proto === "udp" ? "udp" : `tcp-${role}`];
  const nc = ["--dev", "tun0", "--proto", proto, "--verb", "2", ...(sc.offload === false ? ["--no-tun-offload"] : [])];
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
    const common = ["--secret", join(KEYS, "static.key"), dir, "--cipher", "AES-256-CBC", "--auth", "SHA256", "--ifconfig", ...ifc];
    return { ovpn: [...ovpn, ...common], nc: [...nc, ...common] };
  }
  const pki = ["--ca", join(KEYS, "ca.crt"), "--cert", join(KEYS, `${role}.crt`), "--key", join(KEYS, `${role}.key`)];
  ovpn.push(...pki, ...(role === "server" ? ["--server", "10.8.0.0", "255.255.255.0", "--topology", "subnet", "--dh", "none"] : ["--client", "--remote-cert-tls", "server"]));
  nc.push(...pki);
  const extra: string[] = [];
  if (sc.wrap === "tls-crypt") extra.push("--tls-crypt", join(KEYS, "tls-crypt.key"));
  if (sc.wrap === "tls-auth") extra.push("--tls-auth", join(KEYS, "ta.key"), role === "server" ? "0" : "1", "--auth", "SHA256");
  if (sc.reneg === true) ovpn.push("--reneg-sec", "2");
  if (sc.cipher !== undefined) extra.push("--data-ciphers", sc.cipher, ...(sc.cipher.includes("CBC") && sc.wrap !== "tls-auth" ? ["--auth", "SHA256"] : []));
  return { ovpn: [...ovpn, ...extra], nc: [...nc, ...extra] };
}

let nextNet = 10;

async function runScenario(sc: Scenario): Promise<void> {
  const pair = new NsPair(sc.name.slice(0, 12) + (nextNet % 100), nextNet++);
  pairs.push(pair);
  const log = (who: string) => join(WORK, `${sc.name}-${who}.log`);
  const srv = endArgs(sc, "server", pair);
  const cli = endArgs(sc, "client", pair);
  const ncLog = log(`nestcap-${sc.nestcap}`);
  const ovLog = log(`openvpn-${sc.nestcap === "client" ? "server" : "client"}`);
  const dump = () => `\n--- nestcap:\n${safeRead(ncLog)}\n--- openvpn (tail):\n${safeRead(ovLog).split("\n").slice(-25).join("\n")}`;
  let nc;
  let vethDump: ReturnType<NsPair["spawn"]> | undefined;
  try {
    if (sc.nestcap === "server") {
      nc = pair.nestcap(pair.s, ["server", ...srv.nc], ncLog);
      await waitFor(() => fileHas(ncLog, "listening on") || nc!.exitCode !== null, 15000, "nestcap server");
      pair.spawn(pair.c, "openvpn", cli.ovpn, ovLog);
    } else {
      pair.spawn(pair.s, "openvpn", srv.ovpn, ovLog);
      await waitFor(() => fileHas(ovLog, /link local|Listening for incoming TCP|Initialization Sequence Completed|Exiting/), 15000, "openvpn server");
      if (sc.observe === true) {
        vethDump = pair.spawn(pair.c, "tcpdump", ["-i", "eth0", "-U", "-w", join(WORK, `${sc.name}-veth.pcap`)], log("tcpdump-veth"));
        await waitFor(() => fileHas(log("tcpdump-veth"), "listening on"), 10000, "tcpdump on eth0");
        cli.nc.push("--keylog", join(WORK, `${sc.name}.keylog`), "--pcap-out", join(WORK, `${sc.name}-out.pcapng`), "--inspect");
      }
      nc = pair.nestcap(pair.c, ["client", ...cli.nc], ncLog);
    }
    await waitFor(() => pair.hasAddr(pair.c, "tun0", "10.8.0.2") && pair.hasAddr(pair.s, "tun0", "10.8.0.1") || nc!.exitCode !== null, 30000, "both tunnel addresses");
    if (sc.mode === "tls") {
      await waitFor(() => (fileHas(ncLog, "connected") && (sc.nestcap === "server" || fileHas(ncLog, "connected to"))) || nc!.exitCode !== null, 30000, "connected");
      if (sc.nestcap === "server") await waitFor(() => fileHas(ovLog, "Initialization Sequence Completed"), 20000, "openvpn client");
    }
    if (sc.reneg === true) await waitFor(() => fileHas(ncLog, "keys installed: key-id 2") || nc!.exitCode !== null, 20000, "two renegotiations");
    expect(nc.exitCode, dump()).toBeNull();
    let tunDump: ReturnType<NsPair["spawn"]> | undefined;
    if (sc.observe === true) {
      tunDump = pair.spawn(pair.c, "tcpdump", ["-i", "tun0", "-U", "-w", join(WORK, `${sc.name}-tun.pcap`)], log("tcpdump-tun"));
      await waitFor(() => fileHas(log("tcpdump-tun"), "listening on"), 10000, "tcpdump on tun0");
    }
    // ping through the tunnel (the first may be lost while the peer learns our address)
    const ping = pair.exec(pair.c, "ping", ["-c", "4", "-i", "0.2", "-W", "3", "10.8.0.1"]);
    expect(ping.stdout + dump(), "ping").toMatch(/[1-4] received/);
    // an HTTP download from the server side's tunnel address
    const http = pair.spawn(pair.s, PYTHON, ["-m", "http.server", "8080", "--bind", "10.8.0.1", "--directory", join(ROOT, "fixtures")], log("httpd"));
    let body = "";
    await waitFor(() => {
      const r = pair.exec(pair.c, "curl", ["-sS", "--max-time", "10", "-o", join(WORK, `${sc.name}.got`), "-w", "%{http_code}", "http://10.8.0.1:8080/http.pcapng"]);
      body = r.stdout;
      return body === "200";
    }, 30000, "HTTP GET through the tunnel");
    http.kill();
    const want = createHash("sha256").update(readFileSync(PAYLOAD)).digest("hex");
    const got = createHash("sha256").update(readFileSync(join(WORK, `${sc.name}.got`))).digest("hex");
    expect(got, "downloaded file").toBe(want);
    if (sc.upload === true) await upload(pair, sc, log);
    if (sc.cipher !== undefined && sc.mode === "tls") expect(safeRead(ncLog)).toContain(`cipher ${sc.cipher}`);
    // SIGTERM: clean exit, stats line, and no tun left behind
    const ns = sc.nestcap === "server" ? pair.s : pair.c;
    // --inspect dissects and prints every packet: let the last ACKs of the download drain
    if (sc.observe === true) await new Promise((r) => setTimeout(r, 1500));
    nc.kill("SIGTERM");
    expect(await exited(nc), dump()).toBe(0);
    expect(safeRead(ncLog)).toMatch(/stats: link rx \d+ tx \d+/);
    expect(pair.linkExists(ns, "tun0"), "tun0 removed").toBe(false);
    if (sc.observe === true) await checkObservers(sc, ncLog, [vethDump!, tunDump!]);
  } finally {
    await pair.cleanup();
  }
}

/** 2 MB from the client's tunnel address to a receiver on the server's: every byte arrives (sha256). */
async function upload(pair: NsPair, sc: Scenario, log: (who: string) => string): Promise<void> {
  const r = await tcpUpload(pair, "10.8.0.1", 2 * 1024 * 1024, join(WORK, `${sc.name}.upload`), log("upload-recv"));
  expect(r.got, "uploaded bytes").toBe(r.want);
}

/**
 * The key log decrypts the tcpdump capture of the veth: the inner packets (IP id and
 * checksum, TCP/ICMP checksum: these cover every byte) are the tun capture's, in order;
 * the --pcap-out file's inner interface holds the same packets; --inspect printed both layers.
 */
async function checkObservers(sc: Scenario, ncLog: string, dumps: ReturnType<NsPair["spawn"]>[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  for (const p of dumps) p.kill("SIGINT");
  await Promise.all(dumps.map((p) => exited(p)));
  const kl = join(WORK, `${sc.name}.keylog`);
  expect(statSync(kl).mode & 0o777, "key log mode").toBe(0o600);
  expect(readFileSync(kl, "utf8")).toMatch(/^DATA src=10\.97\.\d+\.1:\d+ dst=10\.97\.\d+\.2:1194 key-id=0 .*cipher=AES-256-GCM key=[0-9a-f]{64} iv=[0-9a-f]{16}$/m);
  expect(safeRead(ncLog), "keys never in the log").not.toMatch(/[0-9a-f]{64}/);
  const fields = ["-T", "fields", "-e", "ip.src", "-e", "ip.id", "-e", "ip.checksum", "-e", "tcp.checksum", "-e", "icmp.checksum", "-E", "occurrence=l"];
  const rows = (file: string, extra: string[]): string[] => {
    const r = runCli(["-r", file, ...extra, ...fields]);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split("\n").filter((l) => l !== "");
  };
  // each direction in order (the two captures interleave the directions differently)
  const byDir = (rs: string[], src: string): string[] => rs.filter((l) => l.startsWith(`${src}\t`));
  const sameAs = (what: string, got: string[], want: string[]): number => {
    const at = got.indexOf(want[0]);
    expect(at, `${what}: first tun packet ${want[0]}`).toBeGreaterThanOrEqual(0);
    expect(got.slice(at, at + want.length), what).toEqual(want);
    return at;
  };
  const tunFile = join(WORK, `${sc.name}-tun.pcap`);
  const tunRows = rows(tunFile, ["-Y", "ip && (icmp || tcp)"]);
  const vethRows = rows(join(WORK, `${sc.name}-veth.pcap`), ["--keylog", kl, "-Y", "openvpn.data.length && (icmp || tcp)"]);
  const outRows = rows(join(WORK, `${sc.name}-out.pcapng`), ["-Y", "frame.interface_id == 1 && (icmp || tcp)"]);
  expect(tunRows.length, "packets on tun0").toBeGreaterThanOrEqual(10);
  // with offload, tcpdump on tun0 sees the kernel's large TCP segments, not the tunnel's
  // packets: the reference is then --pcap-out's inner interface (the packets the tunnel carried)
  const offload = sc.offload !== false;
  for (const src of ["10.8.0.1", "10.8.0.2"]) {
    const want = byDir(offload ? outRows : tunRows, src);
    expect(want.length).toBeGreaterThan(3);
    const at = sameAs(`decrypted veth capture, from ${src}`, byDir(vethRows, src), want);
    if (!offload) sameAs(`--pcap-out inner packets, from ${src}`, byDir(outRows, src), want);
    console.log(`tunnel keylog: ${want.length} ${offload ? "--pcap-out inner" : "tun"} packets from ${src} = decrypted veth packets ${at + 1}..${at + want.length} of ${byDir(vethRows, src).length} (IP id/checksum, TCP/ICMP checksum)`);
  }
  if (offload) {
    // TSO really was on: the upload left the client's TCP stack in segments larger than the MTU
    const big = runCli(["-r", tunFile, "-Y", "ip.src == 10.8.0.2 && frame.len > 1500", "-T", "fields", "-e", "frame.len"]);
    const n = big.stdout.split("\n").filter((l) => l !== "").length;
    console.log(`tunnel offload: ${n} segments larger than the MTU on tun0, cut into MTU-sized tunnel packets`);
    expect(n).toBeGreaterThan(0);
  }
  // The key log also holds the control channel's TLS secrets (SSLKEYLOGFILE lines): the TLS
  // inside the control packets decrypts, and what it carries is what openvpn itself logged
  // reading and sending: the client's peer info, PUSH_REQUEST, the PUSH_REPLY.
  expect(readFileSync(kl, "utf8")).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{64,96}$/m);
  const ctl = runCli(["-r", join(WORK, `${sc.name}-veth.pcap`), "--keylog", kl, "-Y", "openvpn.control_message or openvpn.key_method", "-T", "fields",
    "-e", "openvpn.key_method.options", "-e", "openvpn.key_method.peer_info.item", "-e", "openvpn.control_message", "-E", "aggregator=|"]);
  expect(ctl.status, ctl.stderr).toBe(0);
  const cells = ctl.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
  const ovpn = safeRead(join(WORK, `${sc.name}-openvpn-server.log`));
  const peerInfo = [...ovpn.matchAll(/ peer info: (\S+)/g)].map((m) => m[1]);
  const pushReply = /SENT CONTROL \[[^\]]*\]: '(PUSH_REPLY[^']*)'/.exec(ovpn)?.[1];
  expect(peerInfo.length, "openvpn logged the client's peer info").toBeGreaterThan(3);
  expect(pushReply, "openvpn logged its PUSH_REPLY").toBeDefined();
  expect(cells.map((c) => c[1]).filter(Boolean)).toEqual([peerInfo.join("|")]);
  expect(cells.map((c) => c[0]).filter(Boolean).map((o) => o.split(",").pop())).toEqual(["tls-client", "tls-server"]);
  const msgs = cells.map((c) => c[2]).filter(Boolean);
  expect(msgs).toContain("PUSH_REQUEST");
  expect(msgs).toContain(pushReply);
  console.log(`tunnel control channel: decrypted key method messages, ${msgs.length} control messages (${msgs.map((m) => m.split(",")[0]).join(", ")}), as openvpn logged them`);
  const insp = safeRead(ncLog);
  expect(insp).toMatch(/10\.97\.\d+\.1 → 10\.97\.\d+\.2 +OpenVPN \d+ MessageType: P_CONTROL_HARD_RESET_CLIENT_V2/);
  expect(insp).toMatch(/10\.8\.0\.2 → 10\.8\.0\.1 +ICMP \d+ Echo \(ping\) request/);
}


describe.skipIf(SKIP !== null)(`interop with openvpn 2.6${SKIP !== null ? ` (skipped: ${SKIP})` : ""}`, () => {
  beforeAll(() => {
    writeFileSync(join(WORK, "README"), "nestcap tunnel interop test scratch dir\n");
  });

  for (const sc of SCENARIOS) {
    it.concurrent(`${sc.name}: ping and HTTP through the tunnel`, async () => {
      await runScenario(sc);
    }, 90_000);
  }

  it.concurrent("wrong CA: a clear certificate error, exit 1, no tun left", async () => {
    const pair = new NsPair("badca", 90);
    pairs.push(pair);
    const sc: Scenario = { name: "badca", nestcap: "client", mode: "tls" };
    const srv = endArgs(sc, "server", pair);
    const cli = endArgs(sc, "client", pair);
    const ovLog = join(WORK, "badca-ovpn.log");
    const ncLog = join(WORK, "badca-nc.log");
    pair.spawn(pair.s, "openvpn", srv.ovpn, ovLog);
    await waitFor(() => fileHas(ovLog, "Initialization Sequence Completed"), 15000, "openvpn server");
    const args = cli.nc.map((a) => (a === join(KEYS, "ca.crt") ? join(KEYS, "server.crt") : a));
    const nc = pair.nestcap(pair.c, ["client", ...args], ncLog);
    expect(await exited(nc)).toBe(1);
    expect(safeRead(ncLog)).toMatch(/error: TLS error.*not signed by our CA/);
    expect(pair.linkExists(pair.c, "tun0")).toBe(false);
  }, 60_000);

  it.concurrent("silent peer: a clear error after --hand-window, exit 1, no tun left", async () => {
    const pair = new NsPair("silent", 91);
    pairs.push(pair);
    const ncLog = join(WORK, "silent-nc.log");
    const nc = pair.nestcap(pair.c, ["client", "--remote", pair.sAddr, "1194", "--hand-window", "3", "--ca", join(KEYS, "ca.crt"), "--cert", join(KEYS, "client.crt"), "--key", join(KEYS, "client.key")], ncLog);
    expect(await exited(nc)).toBe(1);
    expect(safeRead(ncLog)).toMatch(/error: no answer from the peer within 3 s/);
    expect(pair.linkExists(pair.c, "tun0")).toBe(false);
  }, 60_000);

  it.concurrent("peer stops answering after the session is up (SIGSTOP): ping-restart error, exit 1, no tun left", async () => {
    const pair = new NsPair("stopped", 93);
    pairs.push(pair);
    const sc: Scenario = { name: "stopped", nestcap: "client", mode: "tls" };
    const srv = endArgs(sc, "server", pair);
    const cli = endArgs(sc, "client", pair);
    const ovLog = join(WORK, "stopped-ovpn.log");
    const ncLog = join(WORK, "stopped-nc.log");
    const ov = pair.spawn(pair.s, "openvpn", srv.ovpn, ovLog);
    await waitFor(() => fileHas(ovLog, "Initialization Sequence Completed"), 15000, "openvpn server");
    const nc = pair.nestcap(pair.c, ["client", ...cli.nc, "--ping", "1", "--ping-restart", "3"], ncLog);
    await waitFor(() => fileHas(ncLog, "connected to") || nc.exitCode !== null, 30000, "connected");
    expect(pair.exec(pair.c, "ping", ["-c", "1", "-W", "3", "10.8.0.1"]).status).toBe(0);
    ov.kill("SIGSTOP");
    expect(await exited(nc)).toBe(1);
    ov.kill("SIGCONT");
    expect(safeRead(ncLog)).toMatch(/error: the peer stopped answering: nothing received for 3 s \(ping-restart\)/);
    expect(safeRead(ncLog)).toMatch(/stats: .*pings [1-9]/);
    expect(pair.linkExists(pair.c, "tun0")).toBe(false);
  }, 60_000);

  it.concurrent("wrong tls-crypt key: the nestcap server drops and counts every packet (SIGUSR1 stats)", async () => {
    const pair = new NsPair("badcrypt", 92);
    pairs.push(pair);
    const sc: Scenario = { name: "badcrypt", nestcap: "server", mode: "tls", wrap: "tls-crypt" };
    const srv = endArgs(sc, "server", pair);
    const cli = endArgs(sc, "client", pair);
    const ncLog = join(WORK, "badcrypt-nc.log");
    const nc = pair.nestcap(pair.s, ["server", ...srv.nc], ncLog);
    await waitFor(() => fileHas(ncLog, "listening on"), 15000, "nestcap server");
    pair.spawn(pair.c, "openvpn", cli.ovpn.map((a) => (a.endsWith("tls-crypt.key") ? join(KEYS, "ta.key") : a)), join(WORK, "badcrypt-ovpn.log"));
    // the client's HARD_RESET never authenticates: no session, only counted drops
    await waitFor(() => {
      nc.kill("SIGUSR1");
      return /control-auth-failed [1-9]/.test(safeRead(ncLog));
    }, 20000, "a counted control-channel authentication failure");
    expect(safeRead(ncLog)).not.toMatch(/client .* connected/);
    nc.kill("SIGTERM");
    expect(await exited(nc)).toBe(0);
  }, 60_000);
});

describe("nestcap tunnel command line", () => {
  it("prints its help, and usage errors exit 1 with a clear message (no root needed)", () => {
    const h = runCli(["tunnel", "--help"]);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: nestcap tunnel client\|server/);
    const e = runCli(["tunnel", "client", "--ca", "x"]);
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(/nestcap: tunnel: a client needs --remote HOST/);
    const f = runCli(["tunnel", "server", "--secret", join(KEYS, "static.key"), "--bogus"]);
    expect(f.status).toBe(1);
    expect(f.stderr).toMatch(/unknown tunnel option --bogus/);
  });
});
