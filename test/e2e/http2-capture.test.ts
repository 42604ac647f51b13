/**
 * HTTP/2 from real software, compared with tshark: a Node http2 server in a network
 * namespace, reached by curl (h2 over TLS, ALPN; and h2c with prior knowledge on port 80)
 * and by a Node http2 client that exercises the frame types curl does not send: padding
 * and priority on HEADERS, PING, a header block too big for one frame (CONTINUATION), a
 * reset stream, trailers, a server push (PUSH_PROMISE), a POST form body, a gzip body and
 * GOAWAY; the server adds ORIGIN and ALTSVC frames. The loopback's MTU is 1500, so 16 KB frames span TLS records and TCP segments.
 *
 * nestcap must show what tshark shows, with the clients' key log: the summary lines, the
 * HTTP/2 fields, the -x data sources (Decompressed Header, Reassembled body, Uncompressed
 * entity body) and the whole -V tree.
 *
 * Not covered here, because tshark 4.0 does not decode it either way we could compare: a
 * client lowering SETTINGS_HEADER_TABLE_SIZE (tshark then stops decompressing the server's
 * headers; nestcap goes on, see README "HTTP/2").
 *
 * Needs root, `ip netns`, tcpdump, curl and tshark: skipped with a message otherwise.
 * Traffic stays on the namespace's own loopback.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, haveTshark, runCli, tsharkFields } from "../helpers/tshark.js";

const NS = `nch2-${process.pid}`;
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
if (skipReason) console.log(`HTTP/2 capture test skipped: ${skipReason}`);

const SERVER = `
const http2 = require("node:http2"), fs = require("node:fs"), zlib = require("node:zlib");
const [key, cert, port] = process.argv.slice(1);
const handler = (req, res) => {
  const p = req.url;
  if (p === "/big") { res.setHeader("content-type", "text/html; charset=utf-8"); res.end("<html>" + "x".repeat(40000) + "\\n</html>\\n"); }
  else if (p === "/json") { res.setHeader("content-type", "application/json"); res.end(JSON.stringify({ a: 1, b: [true, null, "s"] })); }
  else if (p === "/gzip") { res.setHeader("content-type", "text/plain"); res.setHeader("content-encoding", "gzip"); res.end(zlib.gzipSync("line one\\nline two\\n")); }
  else if (p === "/reset") { req.stream.close(http2.constants.NGHTTP2_CANCEL); }
  else if (p === "/trailers") { res.setHeader("content-type", "text/plain"); res.addTrailers({ "x-checksum": "abc" }); res.write("part1\\n"); res.end("part2\\n"); }
  else if (p === "/push") {
    res.stream.pushStream({ ":path": "/pushed.txt" }, (err, ps) => { if (!err) { ps.respond({ ":status": 200, "content-type": "text/plain" }); ps.end("pushed body\\n"); } });
    res.setHeader("content-type", "text/plain"); res.end("main\\n");
  }
  else if (p === "/post") { let n = 0; req.on("data", (c) => n += c.length); req.on("end", () => { res.setHeader("content-type", "text/plain"); res.end("got " + n + "\\n"); }); }
  else { res.setHeader("content-type", "text/plain"); res.setHeader("x-long", "v".repeat(Number(req.headers["x-want"] ?? 10))); res.end("hello h2\\n"); }
};
const srv = port === "80" ? http2.createServer(handler) : http2.createSecureServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, handler);
// over TLS, every session also gets ORIGIN and ALTSVC frames
if (port !== "80") srv.on("session", (s) => { s.origin("https://example.org", "https://a.example.com:8443"); s.altsvc('h2=":8443"', "https://example.org"); });
srv.listen(Number(port), "127.0.0.1", () => console.log("ready"));
`;

const CLIENT = `
const http2 = require("node:http2");
const s = http2.connect("https://127.0.0.1", { rejectUnauthorized: false, paddingStrategy: http2.constants.PADDING_STRATEGY_MAX, settings: { enablePush: true } });
s.on("stream", (ps) => ps.resume());
const req = (path, extra = {}, body) => new Promise((res) => {
  const r = s.request({ ":path": path, ...extra }, { weight: 42, exclusive: true });
  r.on("error", () => res()); r.resume(); r.on("close", res);
  if (body) r.end(body); else r.end();
});
(async () => {
  await req("/");
  await new Promise((r) => s.ping(Buffer.from("nestcap!"), r));
  await req("/json", { "x-want": "20000", cookie: "c=" + "k".repeat(20000) });
  await req("/reset");
  await req("/trailers");
  await req("/push");
  await req("/post", { ":method": "POST", "content-type": "application/x-www-form-urlencoded" }, "a=1&b=" + "z".repeat(30000));
  await req("/gzip", { "accept-encoding": "gzip" });
  s.goaway(0);
  setTimeout(() => s.close(), 200);
})();
`;

let tlsFile = "";
let h2cFile = "";
let keys = "";

function tshark(args: string[]): string {
  return spawnSync("tshark", ["-n", ...args], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, TZ: "UTC" } }).stdout;
}

/** Every process a capture started: killed in afterAll too, should a step fail half-way. */
const started: ReturnType<typeof spawn>[] = [];

/** Record `port` on the namespace's loopback while `traffic` runs against a server on it. */
async function capture(file: string, port: string, traffic: () => Promise<void>): Promise<void> {
  const dump = spawn("ip", ["netns", "exec", NS, "tcpdump", "-i", "lo", "-U", "--immediate-mode", "-Z", "root", "-w", file, `tcp port ${port}`], { stdio: ["ignore", "ignore", "pipe"] });
  started.push(dump);
  await new Promise<void>((res) => dump.stderr!.on("data", (d: Buffer) => d.toString().includes("listening") && res()));
  const server = spawn("ip", ["netns", "exec", NS, process.execPath, "-e", SERVER, join(KEYS, "server.key"), join(KEYS, "server.crt"), port], { stdio: ["ignore", "pipe", "inherit"] });
  started.push(server);
  await new Promise<void>((res) => server.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && res()));
  await traffic();
  server.kill();
  await new Promise((res) => setTimeout(res, 500)); // the last packets reach tcpdump
  dump.kill("SIGINT");
  await new Promise((res) => dump.on("exit", res));
}

function curl(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const out = args.filter((a) => a.startsWith("http")).flatMap(() => ["-o", "/dev/null"]);
  const r = spawnSync("ip", ["netns", "exec", NS, "curl", "-s", ...out, "-w", "%{http_code} %{http_version}\\n", ...args], { encoding: "utf8", timeout: 20000, env });
  return r.stdout;
}

const FIELDS = [
  "frame.number", "frame.protocols", "http2.type", "http2.streamid", "http2.flags", "http2.length", "http2.magic", "http2.header.name",
  "http2.header.value", "http2.header.repr", "http2.header.index", "http2.header.length", "http2.header.count", "http2.headers.method",
  "http2.headers.path", "http2.headers.status", "http2.headers.content_type", "http2.headers.authority", "http2.request.full_uri",
  "http2.settings.id", "http2.window_update.window_size_increment", "http2.pad_length", "http2.exclusive", "http2.headers.weight_real",
  "http2.rst_stream.error", "http2.goaway.error", "http2.ping", "http2.pong", "http2.push_promise.promised_stream_id",
  "http2.continuation.header", "http2.data.data", "http2.body.fragment", "http2.body.reassembled.length", "tcp.pdu.size",
  "http2.origin.origin", "http2.altsvc.origin", "http2.altsvc.field_value",
  "tls.segment.count", "data-text-lines", "_ws.col.Protocol", "_ws.col.Info",
];

describe.skipIf(skipReason !== null)("HTTP/2 from curl and Node, over TLS and in clear", () => {
  beforeAll(async () => {
    spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
    expect(spawnSync("ip", ["netns", "add", NS]).status).toBe(0);
    expect(spawnSync("ip", ["netns", "exec", NS, "ip", "link", "set", "lo", "mtu", "1500", "up"]).status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "nestcap-h2-"));
    tlsFile = join(dir, "h2.pcap");
    h2cFile = join(dir, "h2c.pcap");
    keys = join(dir, "keys.log");
    writeFileSync(join(dir, "client.js"), CLIENT);
    await capture(tlsFile, "443", async () => {
      expect(curl(["-k", "--http2", "https://127.0.0.1/big", "https://127.0.0.1/"], { ...process.env, SSLKEYLOGFILE: keys })).toBe("200 2\n200 2\n");
      const c = spawnSync("ip", ["netns", "exec", NS, process.execPath, `--tls-keylog=${keys}`, join(dir, "client.js")], { encoding: "utf8", timeout: 20000 });
      expect(c.status, c.stderr).toBe(0);
    });
    await capture(h2cFile, "80", async () => {
      for (const path of ["/", "/json"]) expect(curl(["--http2-prior-knowledge", `http://127.0.0.1${path}`])).toBe("200 2\n");
    });
  }, 60000);

  afterAll(() => {
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
  });

  it("h2 over TLS with the key log: fields, summary lines, -x and -V equal tshark's", () => {
    expect(statSync(tlsFile).size).toBeGreaterThan(60000);
    const o = ["-o", `tls.keylog_file:${keys}`];
    const r = runCli(["-r", tlsFile, ...o, "-T", "fields", ...FIELDS.flatMap((e) => ["-e", e])]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(tsharkFields(tlsFile, FIELDS, o).map((row) => row.join("\t") + "\n").join(""));
    const rows = r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t"));
    const col = (name: string) => rows.map((c) => c[FIELDS.indexOf(name)]).filter(Boolean);
    // every request of both connections, in order; the pushed one comes as a PUSH_PROMISE
    expect(col("http2.headers.path").join(",")).toBe("/big,/,/,/json,/reset,/trailers,/push,/pushed.txt,/post,/gzip");
    expect(col("http2.headers.status").join(",").split(",").filter((s) => s === "200").length).toBeGreaterThanOrEqual(9);
    const types = new Set(col("http2.type").join(",").split(","));
    for (const t of ["0", "1", "3", "4", "5", "6", "7", "8", "9", "10", "12"]) expect(types, `frame type ${t}`).toContain(t);
    expect(col("http2.body.reassembled.length")).toContain("40015"); // /big, from three DATA frames
    expect(col("data-text-lines").length).toBeGreaterThan(0); // bodies handed to their media type
    console.log(`h2 capture: ${rows.length} frames, ${col("http2.headers.path").length} requests, equal to tshark (fields)`);

    expect(runCli(["-r", tlsFile, ...o]).stdout).toBe(tshark(["-r", tlsFile, ...o]));
    const x = runCli(["-r", tlsFile, ...o, "-x"]).stdout;
    expect(x).toBe(tshark(["-r", tlsFile, ...o, "-x"]));
    for (const src of ["Decompressed Header (", "Reassembled body (", "Uncompressed entity body ("]) expect(x).toContain(src);
    expect(runCli(["-r", tlsFile, ...o, "-V"]).stdout).toBe(tshark(["-r", tlsFile, ...o, "-V"]));
  });

  it("h2c with prior knowledge on port 80 (HTTP hands the connection to HTTP/2): all outputs equal tshark's", () => {
    const r = runCli(["-r", h2cFile, "-T", "fields", ...FIELDS.flatMap((e) => ["-e", e])]);
    expect(r.stdout).toBe(tsharkFields(h2cFile, FIELDS).map((row) => row.join("\t") + "\n").join(""));
    expect(r.stdout).toContain("eth:ethertype:ip:tcp:http:http2");
    expect(r.stdout).toContain("HEADERS[1]: GET /json");
    expect(runCli(["-r", h2cFile]).stdout).toBe(tshark(["-r", h2cFile]));
    expect(runCli(["-r", h2cFile, "-V"]).stdout).toBe(tshark(["-r", h2cFile, "-V"]));
    // decode-as straight onto the port, as tshark's -d tcp.port==80,http2
    const d = ["-d", "tcp.port==80,http2"];
    expect(runCli(["-r", h2cFile, ...d]).stdout).toBe(tshark(["-r", h2cFile, ...d]));
  });

  it("without the key log, the same connections are TLS application data only", () => {
    const out = runCli(["-r", tlsFile]).stdout;
    expect(out).not.toContain("HTTP2");
    expect(out).toBe(tshark(["-r", tlsFile]));
  });
});
