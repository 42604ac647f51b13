/**
 * TLS over TCP from real software: curl fetches a page from a Node HTTPS server on port 443
 * inside a network namespace whose loopback has a small MTU (576), so the handshake
 * flights and the 16 KB application-data records span several TCP segments; tcpdump
 * records it. nestcap must reassemble the records as tshark does: every TLS field, the
 * reassembly fields and the summary columns are compared frame by frame.
 *
 * The clients also write their TLS secrets to a key log (SSLKEYLOGFILE for curl,
 * -keylogfile for openssl s_client), and the connections cover what decryption must
 * handle: TLS 1.2 with AES-GCM, ChaCha20-Poly1305 and AES-CBC (with encrypt_then_mac and
 * without), TLS 1.3 with each of its three common suites and a KeyUpdate. With
 * `-o tls.keylog_file:` nestcap must show what tshark shows: the decrypted handshake
 * messages, HTTP inside (reassembled across TLS records), the data sources of -x, and the
 * whole -V tree, the certificates' X.509 trees included.
 *
 * Needs root, `ip netns`, tcpdump, curl and tshark: skipped with a message otherwise.
 * Traffic stays on the namespace's own loopback.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, haveTshark, runCli, tsharkFields } from "../helpers/tshark.js";

const NS = `nchttps-${process.pid}`;
const KEYS = join(FIXTURES, "openvpn", "keys");

function why(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root";
  if (spawnSync("ip", ["netns", "list"], { stdio: "ignore" }).status !== 0) return "`ip netns` is not available";
  for (const tool of ["tcpdump", "curl", "openssl"]) if (spawnSync("which", [tool], { stdio: "ignore" }).status !== 0) return `${tool} is not installed`;
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
const body = Buffer.alloc(+process.argv[4] || 40000, "nestcap ");
https.createServer({ key: fs.readFileSync(process.argv[1]), cert: fs.readFileSync(process.argv[2]) + fs.readFileSync(process.argv[3]) },
  (req, res) => { res.writeHead(200, { "content-type": "text/plain" }); res.end(body); })
  .listen(443, "127.0.0.1", () => console.log("ready"));
`;

let file = "";
let keys = "";

/**
 * A Certificate Transparency SCT list (RFC 6962 3.3) with one made-up SCT, as the DER OCTET
 * STRING a certificate's extension holds (hex): what public certificates carry.
 */
function sctList(): string {
  const sig = Buffer.from("3045022100aabbccdd", "hex");
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(1700000000123n);
  const sct = Buffer.concat([Buffer.of(0), Buffer.from(Array.from({ length: 32 }, (_, i) => i)), ts, Buffer.of(0, 0, 4, 3, 0, sig.length), sig]);
  const item = Buffer.concat([Buffer.of(sct.length >> 8, sct.length & 255), sct]);
  const list = Buffer.concat([Buffer.of(item.length >> 8, item.length & 255), item]);
  return Buffer.concat([Buffer.of(4, list.length), list]).toString("hex");
}

function tshark(args: string[]): string {
  return spawnSync("tshark", ["-n", ...args], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, TZ: "UTC" } }).stdout;
}

describe.skipIf(skipReason !== null)("TLS over TCP from curl and a Node HTTPS server", () => {
  beforeAll(async () => {
    spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
    expect(spawnSync("ip", ["netns", "add", NS]).status).toBe(0);
    expect(inNs("ip", ["link", "set", "lo", "mtu", "576", "up"]).status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "nestcap-https-"));
    file = join(dir, "https.pcap");
    keys = join(dir, "keys.log");
    const dump = spawn("ip", ["netns", "exec", NS, "tcpdump", "-i", "lo", "-U", "--immediate-mode", "-Z", "root", "-w", file, "tcp port 443"], { stdio: ["ignore", "ignore", "pipe"] });
    await new Promise<void>((res) => dump.stderr!.on("data", (d: Buffer) => d.toString().includes("listening") && res()));
    // the server's certificate, made now: a P-256 key with the extensions certificates on the web
    // carry (subjectAltName names and an address, key usages, where the issuer and OCSP are,
    // CRL, policies, an SCT list), so that tshark's X.509 tree has them to compare; the fixture CA's
    // certificate goes in the chain too
    const crt = join(dir, "server.crt"), key = join(dir, "server.key");
    const req = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt,
      "-days", "30", "-subj", "/C=AT/ST=Vienna/O=nestcap test (not secret)/CN=nestcap.test",
      "-addext", "subjectAltName=DNS:nestcap.test,DNS:www.nestcap.test,IP:127.0.0.1,email:test@nestcap.test",
      "-addext", "keyUsage=critical,digitalSignature,keyAgreement", "-addext", "extendedKeyUsage=serverAuth,clientAuth",
      "-addext", "authorityInfoAccess=OCSP;URI:http://ocsp.nestcap.test,caIssuers;URI:http://ca.nestcap.test/ca.crt",
      "-addext", "crlDistributionPoints=URI:http://crl.nestcap.test/ca.crl", "-addext", "certificatePolicies=2.23.140.1.2.1,1.3.6.1.4.1.44947.1.1.1",
      "-addext", "nsComment=nestcap test certificate", "-addext", `1.3.6.1.4.1.11129.2.4.2=DER:${sctList()}`], { encoding: "utf8" });
    expect(req.status, req.stderr).toBe(0);
    const server = spawn("ip", ["netns", "exec", NS, process.execPath, "-e", SERVER, key, crt, join(KEYS, "ca.crt")], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((res) => server.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && res()));
    // TLS 1.2 (the certificates travel in clear) and TLS 1.3, over the suites decryption handles
    const t12 = ["--tlsv1.2", "--tls-max", "1.2"];
    for (const v of [
      t12, ["--tlsv1.3"], [...t12, "--ciphers", "ECDHE-ECDSA-CHACHA20-POLY1305"], [...t12, "--ciphers", "ECDHE-ECDSA-AES256-SHA"],
      ["--tlsv1.3", "--tls13-ciphers", "TLS_AES_128_GCM_SHA256"], ["--tlsv1.3", "--tls13-ciphers", "TLS_CHACHA20_POLY1305_SHA256"],
    ]) {
      const r = spawnSync("ip", ["netns", "exec", NS, "curl", "-sk", ...v, "-o", "/dev/null", "-w", "%{http_code}", "https://127.0.0.1/"], {
        encoding: "utf8", timeout: 20000, env: { ...process.env, SSLKEYLOGFILE: keys },
      });
      expect(r.stdout, v.join(" ")).toBe("200");
    }
    // openssl s_client: CBC without encrypt_then_mac (MAC, then encrypt), and a TLS 1.3 KeyUpdate ("k")
    // between two requests of one connection
    const sclient = async (args: string[], lines: string[]): Promise<void> => {
      const c = spawn("ip", ["netns", "exec", NS, "openssl", "s_client", "-connect", "127.0.0.1:443", "-keylogfile", keys, ...args], { stdio: ["pipe", "ignore", "ignore"] });
      const exited = new Promise((res) => c.on("exit", res));
      c.stdin!.on("error", () => {}); // (it may have ended when the server closed)
      for (const l of lines) {
        c.stdin!.write(l);
        await new Promise((res) => setTimeout(res, 400));
      }
      await new Promise((res) => setTimeout(res, 400));
      c.kill();
      await exited;
    };
    const get = (path: string, close: boolean) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${close ? "Connection: close\r\n" : ""}\r\n`;
    await sclient(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256", "-no_etm", "-quiet"], [get("/a", false), get("/b", true)]);
    await sclient(["-tls1_3"], [get("/c", false), "k\n", get("/d", true)]);
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
    // (frame.protocols includes tshark's X.509 layers: x509sat:pkcs-1:x509ce…)
    const theirs = tsharkFields(file, E).map((row) => row.join("\t") + "\n").join("");
    expect(r.stdout).toBe(theirs);
    const rows = r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t"));
    const reassembled = rows.filter((c) => c[8].includes(","));
    console.log(`https capture: ${rows.length} frames, ${reassembled.length} TLS PDUs reassembled from several segments, equal to tshark`);
    // the server's certificate flight and the 40 KB response span segments
    expect(reassembled.length).toBeGreaterThan(3);
    expect(rows.some((c) => c[5] !== "")).toBe(true); // a certificate, read from reassembled bytes
    expect(readFileSync(file).length).toBeGreaterThan(0);
  });

  it("decrypts with a key log as tshark does: fields, summary lines, -x data sources, -V (X.509 trees included)", () => {
    const E = [
      "frame.number", "tls.record.content_type", "tls.record.opaque_type", "tls.record.length", "tls.handshake.type",
      "tls.handshake.certificate_request_context_length", "tls.handshake.certificates_length", "tls.handshake.session_ticket_age_add",
      "tls.handshake.session_ticket_nonce", "tls.handshake.extensions_alpn_str", "tls.handshake.sig_hash_alg",
      "tls.handshake.key_update.request_update", "tls.alert_message.desc", "tls.segment", "tls.segment.count", "tls.reassembled.length",
      "tls.app_data_proto", "http.request.method", "http.request.uri", "http.request.full_uri", "http.response.code", "http.file_data",
      "http.request_in", "http.response_in", "tcp.reassembled_in", "tcp.segment", "frame.protocols", "_ws.col.Protocol", "_ws.col.Info",
      "x509sat.printableString", "x509sat.uTF8String", "x509sat.CountryName", "x509ce.dNSName", "x509ce.IPAddress.ipv4", "x509ce.rfc822Name",
      "x509ce.GeneralName", "x509ce.KeyPurposeId", "x509ce.KeyUsage", "x509af.critical", "x509ce.cA", "pkix1implicit.accessMethod",
      "x509ce.uniformResourceIdentifier", "x509ce.policyIdentifier", "ns_cert_exts.Comment", "tls.sct.sct_logid", "tls.sct.sct_timestamp",
    ];
    const o = `tls.keylog_file:${keys}`;
    const r = runCli(["-r", file, "-o", o, "-T", "fields", ...E.flatMap((e) => ["-e", e])]);
    expect(r.status).toBe(0);
    const theirs = tsharkFields(file, E, ["-o", o]).map((row) => row.join("\t") + "\n").join("");
    expect(r.stdout).toBe(theirs);
    const rows = r.stdout.split("\n").filter(Boolean).map((l) => l.split("\t"));
    // every request and response of the 8 connections was decrypted (two s_client connections carry two requests each)
    const col = (name: string) => rows.map((c) => c[E.indexOf(name)]).filter(Boolean);
    expect(col("http.request.uri")).toEqual(["/", "/", "/", "/", "/", "/", "/a", "/b", "/c", "/d"]);
    expect(col("http.response.code")).toEqual(Array(10).fill("200"));
    expect(col("tls.reassembled.length").length).toBeGreaterThanOrEqual(6);
    expect(col("tls.handshake.key_update.request_update")).toEqual(["0"]);
    // the certificate's names, from its subjectAltName (and equal to tshark's, above)
    expect(col("x509ce.dNSName")[0]).toBe("nestcap.test,www.nestcap.test");
    console.log(`https capture with a key log: ${rows.length} frames, ${col("http.request.method").length} requests and their responses decrypted, equal to tshark`);

    expect(runCli(["-r", file, "-o", o]).stdout).toBe(tshark(["-r", file, "-o", o]));
    // -x: the frame, then "Decrypted TLS (…)", "Reassembled TLS (…)", "De-chunked entity body (…)"
    const x = runCli(["-r", file, "-o", o, "-x"]).stdout;
    expect(x).toBe(tshark(["-r", file, "-o", o, "-x"]));
    expect(x).toContain("Reassembled TLS (");
    expect(runCli(["-r", file, "-o", o, "-V"]).stdout).toBe(tshark(["-r", file, "-o", o, "-V"]));
  });

  it("a key log without this capture's secrets changes nothing", () => {
    const other = join(tmpdir(), `nestcap-keys-${process.pid}.log`);
    writeFileSync(other, `CLIENT_RANDOM ${"ab".repeat(32)} ${"cd".repeat(48)}\n# a comment\n`);
    expect(runCli(["-r", file, "-o", `tls.keylog_file:${other}`]).stdout).toBe(runCli(["-r", file]).stdout);
  });

  it("the summary lines equal tshark's", () => {
    const ours = runCli(["-r", file]).stdout;
    const theirs = spawnSync("tshark", ["-n", "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }).stdout;
    expect(ours).toBe(theirs);
  });
});
