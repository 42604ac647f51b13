/**
 * TLS over TCP from real software: curl fetches a page from a Node HTTPS server on port 443
 * inside a network namespace whose loopback has a small MTU (576), so the handshake
 * flights and the 16 KB application-data records span several TCP segments; tcpdump
 * records it. nestcap must reassemble the records as tshark does: every TLS field, the
 * reassembly fields and the summary columns are compared frame by frame.
 *
 * Needs root, `ip netns`, tcpdump, curl and tshark: skipped with a message otherwise.
 * Traffic stays on the namespace's own loopback.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, haveTshark, runCli, tsharkFields, withoutX509Layers } from "../helpers/tshark.js";

const NS = `nchttps-${process.pid}`;
const KEYS = join(FIXTURES, "openvpn", "keys");

function why(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root";
  if (spawnSync("ip", ["netns", "list"], { stdio: "ignore" }).status !== 0) return "`ip netns` is not available";
  for (const tool of ["tcpdump", "curl"]) if (spawnSync("which", [tool], { stdio: "ignore" }).status !== 0) return `${tool} is not installed`;
  if (!haveTshark()) return "tshark is not installed";
  return null;
}
const skipReason = why();
if (skipReason) console.log(`HTTPS capture test skipped: ${skipReason}`);

function inNs(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("ip", ["netns", "exec", NS, cmd, ...args], { encoding: "utf8", timeout: 20000 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const SERVER = `
const https = require("node:https"), fs = require("node:fs");
const body = Buffer.alloc(40000, "nestcap ");
https.createServer({ key: fs.readFileSync(process.argv[1]), cert: fs.readFileSync(process.argv[2]) + fs.readFileSync(process.argv[3]) },
  (req, res) => { res.writeHead(200, { "content-type": "text/plain" }); res.end(body); })
  .listen(443, "127.0.0.1", () => console.log("ready"));
`;

let file = "";

describe.skipIf(skipReason !== null)("TLS over TCP from curl and a Node HTTPS server", () => {
  beforeAll(async () => {
    spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
    expect(spawnSync("ip", ["netns", "add", NS]).status).toBe(0);
    expect(inNs("ip", ["link", "set", "lo", "mtu", "576", "up"]).status).toBe(0);
    file = join(mkdtempSync(join(tmpdir(), "nestcap-https-")), "https.pcap");
    const dump = spawn("ip", ["netns", "exec", NS, "tcpdump", "-i", "lo", "-U", "--immediate-mode", "-Z", "root", "-w", file, "tcp port 443"], { stdio: ["ignore", "ignore", "pipe"] });
    await new Promise<void>((res) => dump.stderr!.on("data", (d: Buffer) => d.toString().includes("listening") && res()));
    const server = spawn("ip", ["netns", "exec", NS, process.execPath, "-e", SERVER, join(KEYS, "server.key"), join(KEYS, "server.crt"), join(KEYS, "ca.crt")], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((res) => server.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && res()));
    // TLS 1.2 (the certificates travel in clear) and TLS 1.3
    for (const v of [["--tlsv1.2", "--tls-max", "1.2"], ["--tlsv1.3"]]) {
      const r = inNs("curl", ["-sk", ...v, "-o", "/dev/null", "-w", "%{http_code}", "https://127.0.0.1/"]);
      expect(r.stdout).toBe("200");
    }
    server.kill();
    await new Promise((res) => setTimeout(res, 500)); // the last packets reach tcpdump
    dump.kill("SIGINT");
    await new Promise((res) => dump.on("exit", res));
  }, 60000);

  afterAll(() => {
    spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
  });

  it("reassembles the records as tshark: TLS fields, reassembly fields and columns frame by frame", () => {
    expect(statSync(file).size).toBeGreaterThan(40000);
    const E = [
      "frame.number", "tls.record.content_type", "tls.record.version", "tls.record.length", "tls.handshake.type",
      "tls.handshake.certificate_length", "tls.handshake.extensions_server_name", "tls.handshake.ciphersuite",
      "tcp.segment", "tcp.reassembled.length", "tcp.reassembled_in", "tcp.pdu.size", "frame.protocols", "_ws.col.Protocol", "_ws.col.Info",
    ];
    const r = runCli(["-r", file, "-T", "fields", ...E.flatMap((e) => ["-e", e])]);
    expect(r.status).toBe(0);
    // (tshark's X.509 sub-dissectors are layers of their own in frame.protocols: a known gap)
    const p = E.indexOf("frame.protocols");
    const theirs = tsharkFields(file, E).map((row) => row.map((c, i) => (i === p ? withoutX509Layers(c) : c)).join("\t") + "\n").join("");
    expect(r.stdout).toBe(theirs);
    const rows = r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t"));
    const reassembled = rows.filter((c) => c[8].includes(","));
    console.log(`https capture: ${rows.length} frames, ${reassembled.length} TLS PDUs reassembled from several segments, equal to tshark`);
    // the server's certificate flight and the 40 KB response span segments
    expect(reassembled.length).toBeGreaterThan(3);
    expect(rows.some((c) => c[5] !== "")).toBe(true); // a certificate, read from reassembled bytes
    expect(readFileSync(file).length).toBeGreaterThan(0);
  });

  it("the summary lines equal tshark's", () => {
    const ours = runCli(["-r", file]).stdout;
    const theirs = spawnSync("tshark", ["-n", "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }).stdout;
    expect(ours).toBe(theirs);
  });
});
