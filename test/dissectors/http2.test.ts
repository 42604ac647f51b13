/**
 * HTTP/2 on the bundled fixture (fixtures/http2.pcapng: curl fetching three files over one
 * h2 connection, TLS 1.3, its key log in fixtures/http2.keys): what the frames say, checked
 * on their own, then every output compared with tshark's. The wider capture of real
 * software (padding, CONTINUATION, push, trailers, h2c…) is test/e2e/http2-capture.test.ts;
 * broken frames are test/fuzz/http2.fuzz.test.ts; HPACK is test/http2/hpack.test.ts.
 * Then suricata-verify's HTTP/2 captures (other people's software: h2c by prior knowledge
 * and by Upgrade, DNS over HTTPS, deflate bodies, gRPC through an HTTP CONNECT proxy),
 * compared with tshark.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pcap } from "../helpers/build.js";
import { describe, expect, it } from "vitest";
import { corpus, FIXTURES, haveTshark, runCli, tsharkFields } from "../helpers/tshark.js";
import { spawnSync } from "node:child_process";

const FILE = join(FIXTURES, "http2.pcapng");
const KEYS = ["-o", `tls.keylog_file:${join(FIXTURES, "http2.keys")}`];

function fields(names: string[], extra: string[] = []): string[][] {
  const r = runCli(["-r", FILE, ...KEYS, ...extra, "-T", "fields", ...names.flatMap((n) => ["-e", n])]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t"));
}

describe("HTTP/2 (fixtures/http2.pcapng with its key log)", () => {
  it("the requests, the responses and what their bodies are", () => {
    const rows = fields(["http2.headers.method", "http2.headers.path", "http2.headers.status", "http2.headers.content_type", "http2.request.full_uri"], ["-Y", "http2.type == 1"]);
    const req = rows.filter((r) => r[0] !== "");
    expect(req.map((r) => `${r[0]} ${r[1]}`)).toEqual(["GET /index.html", "GET /style.css", "GET /data.json"]);
    expect(req.map((r) => r[4])).toEqual(["https://10.99.0.2/index.html", "https://10.99.0.2/style.css", "https://10.99.0.2/data.json"]);
    const resp = rows.filter((r) => r[2] !== "");
    expect(resp.map((r) => `${r[2]} ${r[3]}`)).toEqual(["200 text/html; charset=utf-8", "200 text/css", "200 application/json"]);
    // the bodies, reassembled from their DATA frames, go to their media type's dissector
    const layers = fields(["frame.protocols"]).map((r) => r[0]);
    expect(layers).toContain("eth:ethertype:ip:tcp:tls:http2:data-text-lines");
    expect(layers).toContain("eth:ethertype:ip:tcp:tls:http2:json");
  });

  it("headers are decompressed with HPACK into their own data source, the gzip body decoded", () => {
    const x = runCli(["-r", FILE, ...KEYS, "-x", "-Y", "http2.headers.path == \"/style.css\" || http2.headers.content_encoding"]).stdout;
    expect(x).toContain("Decompressed Header (");
    const v = runCli(["-r", FILE, ...KEYS, "-V", "-Y", "http2.type == 0 && http2.flags.end_stream == 1"]).stdout;
    expect(v).toMatch(/Content-encoded entity body \(gzip\): \d+ bytes -> \d+ bytes/);
    expect(v).toContain("h1 { color: #333; }"); // the CSS file, decoded
    expect(v).toContain("[Member with value: name:nestcap]"); // the JSON body, as JSON's tree shows it
  });

  it("--layers shows the HTTP/2 frames of one record side by side, each with its own bytes", () => {
    const out = runCli(["-r", FILE, ...KEYS, "--layers", "-Y", "frame.number == 11"]).stdout;
    expect(out.match(/Decrypted TLS \(64 bytes\)/g)?.length).toBe(1);
    const frames = out.split("\n").filter((l) => l.includes("HTTP2")).map((l) => l.trim().replace(/\s+/g, " "));
    expect(frames).toEqual(["└─ HTTP2 [0..24) 24 bytes", "└─ HTTP2 [24..51) 27 bytes", "└─ HTTP2 [51..64) 13 bytes"]);
  });

  it("without the keys it is TLS application data, and nothing is made up", () => {
    const r = runCli(["-r", FILE]);
    expect(r.stdout).not.toContain("HTTP2");
    expect(r.stdout).toContain("Application Data");
  });

  it.skipIf(!haveTshark())("-z http2,tree counts the frames by type as tshark's", () => {
    const ours = runCli(["-r", FILE, ...KEYS, "-q", "-z", "http2,tree", "--format", "csv"]).stdout
      .split("\n").slice(1).filter(Boolean).map((l) => l.split(",")).map((c) => `${c[1]} ${c[2]}`);
    const t = spawnSync("tshark", ["-n", "-r", FILE, ...KEYS, "-q", "-z", "http2,tree"], { encoding: "utf8" }).stdout;
    // tshark's rows: "  HEADERS        6   …" under " Type"; the "HTTP2" root row is its total again
    const theirs = t.split("\n").filter((l) => /^ {1,2}\S/.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "));
    expect(ours).toEqual(theirs);
    expect(ours[0]).toBe("Type 19");
  });

  it.skipIf(!haveTshark())("every output equals tshark's: summary, fields, -V, -x", () => {
    const tshark = (args: string[]) =>
      spawnSync("tshark", ["-n", "-r", FILE, ...KEYS, ...args], { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, TZ: "UTC" } }).stdout;
    expect(runCli(["-r", FILE, ...KEYS]).stdout).toBe(tshark([]));
    const E = [
      "http2.type", "http2.streamid", "http2.flags", "http2.length", "http2.header.name", "http2.header.value", "http2.header.repr",
      "http2.header.index", "http2.settings.id", "http2.data.data", "http2.body.reassembled.length", "http2.rst_stream.error", "tcp.pdu.size",
      "_ws.col.Info",
    ];
    expect(fields(E).map((r) => r.join("\t"))).toEqual(tsharkFields(FILE, E, KEYS).map((r) => r.join("\t")));
    expect(runCli(["-r", FILE, ...KEYS, "-V"]).stdout).toBe(tshark(["-V"]));
    expect(runCli(["-r", FILE, ...KEYS, "-x"]).stdout).toBe(tshark(["-x"]));
  });
});

/** suricata-verify's captures with HTTP/2 in them (and the HTTP CONNECT ones); skipped without ../shared. */
const CORPUS = corpus("suricata-verify", (n) => n.startsWith("http2-") || n.startsWith("dns-over-http2") || n.startsWith("http-connect"));
/** -x differs for a reason of HTTP/1's, not HTTP/2's: an HTTP/1 response tshark does not reassemble in the tunnel's side connection. */
const X_DIFFERS = new Set(["http2-errorcode__input.pcap"]);

describe.skipIf(CORPUS.length === 0 || !haveTshark())("HTTP/2 in suricata-verify's captures, against tshark", () => {
  const tshark = (file: string, args: string[]) =>
    spawnSync("tshark", ["-n", "-r", file, ...args], { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, TZ: "UTC" } }).stdout;
  it("summary lines, -V and -x equal tshark's", () => {
    let compared = 0;
    for (const file of CORPUS) {
      const name = file.split("/").pop()!;
      expect(runCli(["-r", file]).stdout, name).toBe(tshark(file, []));
      expect(runCli(["-r", file, "-V"]).stdout, name).toBe(tshark(file, ["-V"]));
      if (!X_DIFFERS.has(name)) expect(runCli(["-r", file, "-x"]).stdout, name).toBe(tshark(file, ["-x"]));
      compared++;
    }
    console.log(`suricata-verify HTTP/2: ${compared} captures equal to tshark (summary, -V, and -x but for ${X_DIFFERS.size})`);
    expect(compared).toBeGreaterThanOrEqual(8);
  });

  it("the ways in are all there: h2c by Upgrade, DNS over HTTPS, the CONNECT tunnel's items", () => {
    const pick = (n: string) => CORPUS.find((f) => f.endsWith(n))!;
    expect(runCli(["-r", pick("http2-keywords2__input.pcap"), "-c", "2"]).stdout).toContain("HTTP/1.1 101 Switching Protocols , SETTINGS[0]");
    expect(runCli(["-r", pick("dns-over-http2__dns_over_https.pcap")]).stdout).toMatch(/DoH \d+ Standard query response/);
    const f = runCli(["-r", pick("http2-errorcode__input.pcap"), "-T", "fields", "-e", "http.proxy_connect_host", "-e", "http.proxy_connect_port", "-Y", "http.proxy_connect_port"]).stdout;
    expect(f.split("\n")[0]).toBe("127.0.0.1\t6233");
  });
});

describe("HTTP/2 frames no software here sends (hand-built, h2c on port 80)", () => {
  const u16 = (n: number) => [(n >> 8) & 255, n & 255];
  const u32 = (n: number) => [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  const frame = (type: number, flags: number, sid: number, payload: number[]) => [...u32(payload.length).slice(1), type, flags, ...u32(sid), ...payload];
  const ascii = (t: string) => [...Buffer.from(t, "latin1")];
  function tcp(payload: number[], seq: number, flags: number): Uint8Array {
    const t = [0x9c, 0x40, 0, 80, ...u32(seq), 0, 0, 0, 1, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0];
    const ip = [0x45, 0, ...u16(40 + payload.length), 0, 1, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1];
    return Uint8Array.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, ...ip, ...t, ...payload]);
  }
  // PRIORITY_UPDATE (RFC 9218): one with a Priority field, one with the reserved bit set and none, one cut short
  const h2 = [
    ...ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), ...frame(4, 0, 0, []), ...frame(1, 0x05, 1, [0x82, 0x84, 0x86, 0x41, 9, ...ascii("127.0.0.1")]),
    ...frame(16, 0, 0, [...u32(1), ...ascii("u=3, i")]), ...frame(16, 0, 0, u32(0x80000005)), ...frame(16, 0, 0, [0, 0]),
  ];
  const file = join(mkdtempSync(join(tmpdir(), "nestcap-h2-")), "priority-update.pcap");
  writeFileSync(file, pcap([{ sec: 1700000000, frac: 0, data: tcp([], 0, 0x02) }, { sec: 1700000001, frac: 0, data: tcp(h2, 1, 0x18) }]));

  it("PRIORITY_UPDATE: the stream (all 32 bits, as tshark) and the Priority field; a frame too short is malformed", () => {
    const r = runCli(["-r", file, "-T", "fields", "-e", "http2.priority_update_stream_id", "-e", "http2.priority_update_field_value", "-e", "_ws.malformed"]);
    expect(r.stdout.split("\n")[1]).toBe("1,2147483653\tu=3, i,\t[Malformed Packet: HTTP2],_ws.malformed"); // (as tshark prints it)
  });

  it.skipIf(!haveTshark())("equal to tshark: summary, -V", () => {
    const tshark = (args: string[]) => spawnSync("tshark", ["-n", "-r", file, ...args], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }).stdout;
    expect(runCli(["-r", file]).stdout).toBe(tshark([]));
    expect(runCli(["-r", file, "-V"]).stdout).toBe(tshark(["-V"]));
  });
});
