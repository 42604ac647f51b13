/**
 * --export-objects http,DIR: the files nestcap writes are tshark's, name for name and byte for
 * byte — on the fixtures, on HTTP captures of the corpus (skipped when ../shared is absent),
 * and on a hand-built conversation full of naming edge cases; plus the naming rules alone and
 * the command-line errors.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { massageName, pathBasename } from "../../src/output/export-objects.js";
import { conversation } from "../helpers/tcp-conversation.js";
import { corpus, fixtures, haveTshark, runCli } from "../helpers/tshark.js";

const name = (s: string, dup = 0) => Buffer.from(massageName(Buffer.from(s, "latin1"), dup)).toString("latin1");

describe("export-objects naming (tshark's eo_massage_str, g_path_get_basename)", () => {
  it("the URI's last segment", () => {
    expect(pathBasename("/a/b/c.html")).toBe("c.html");
    expect(pathBasename("/a/b/")).toBe("b");
    expect(pathBasename("/")).toBe("/");
    expect(pathBasename("")).toBe(".");
    expect(pathBasename("/x?q=1/2")).toBe("2");
    expect(pathBasename("noslash")).toBe("noslash");
  });
  it("forbidden bytes as %xx, duplicates numbered before the extension, 255 bytes at most", () => {
    expect(name("a?b=c:d*e")).toBe("a%3fb=c%3ad%2ae");
    expect(name("/")).toBe("%2f");
    expect(name("tab\there")).toBe("tab%09here");
    expect(name("index.html", 2)).toBe("index(2).html");
    expect(name("submit", 1)).toBe("submit(1)");
    const long = "x".repeat(300) + ".jpg";
    expect(name(long)).toBe("x".repeat(251) + ".jpg");
    expect(name(long, 3).length).toBe(255);
    expect(name(long, 3).endsWith("(3).jpg")).toBe(true);
  });
});

/** Every file of a directory: name (its bytes, as latin1) → contents (hex, to compare). */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { encoding: "buffer" })) out[f.toString("latin1")] = readFileSync(Buffer.concat([Buffer.from(dir + "/"), f])).toString("hex");
  return out;
}

function both(file: string, pre?: (dir: string) => void): { t: Record<string, string>; n: Record<string, string> } {
  const root = mkdtempSync(join(tmpdir(), "nestcap-eo-"));
  const td = join(root, "t"), nd = join(root, "n");
  if (pre !== undefined) {
    mkdirSync(td);
    mkdirSync(nd);
    pre(td);
    pre(nd);
  }
  spawnSync("tshark", ["-r", file, "-q", "--export-objects", `http,${td}`], { encoding: "utf8" });
  const r = runCli(["-r", file, "-q", "--export-objects", `http,${nd}`]);
  expect(r.status, r.stderr).toBe(0);
  return { t: listing(td), n: listing(nd) };
}

/** A conversation whose bodies are named in every odd way tshark has a rule for. */
function edgeCapture(dir: string): string {
  const gz = gzipSync(Buffer.from("inflated body\n"));
  const resp = (body: string | Buffer, headers = "") => {
    const b = typeof body === "string" ? Buffer.from(body) : body;
    return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${headers}Content-Length: ${b.length}\r\n\r\n`), b]);
  };
  const msgs: [boolean, Uint8Array | string][] = [
    [false, resp("before any request", "Content-Type: text/html; charset=utf-8\r\n")],
    [true, "GET /dir/page.html?x=1&y=a:b HTTP/1.1\r\nHost: example.test\r\n\r\n"],
    [false, resp("<p>one</p>", "Content-Type: text/html\r\n")],
    [true, "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n"],
    [false, resp("root")],
    [true, "GET /dir/ HTTP/1.1\r\nHost: example.test\r\n\r\n"],
    [false, resp("a directory")],
    [true, `GET /${"L".repeat(300)}.txt HTTP/1.1\r\n\r\n`],
    [false, resp("long name")],
    [true, `GET /${"L".repeat(300)}.txt HTTP/1.1\r\n\r\n`],
    [false, resp("long name again")],
    [true, "POST /form*it HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2"],
    [false, resp("posted")],
    [true, "GET /z.gz HTTP/1.1\r\n\r\n"],
    [false, resp(gz, "Content-Encoding: gzip\r\n")],
    [true, "GET /bad.gz HTTP/1.1\r\n\r\n"],
    [false, resp("not gzip at all", "Content-Encoding: gzip\r\n")],
    [true, "GET /chunks.txt HTTP/1.1\r\n\r\n"],
    [false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"],
    [true, Buffer.from("GET /caf\xe9\x01.txt HTTP/1.1\r\n\r\n", "latin1")],
    [false, resp("non-ASCII and a control byte in the name")],
    [true, "GET /existing.txt HTTP/1.1\r\n\r\n"],
    [false, resp("taken name")],
  ];
  const f = join(dir, "eo-edges.pcap");
  writeFileSync(f, conversation(80, msgs));
  return f;
}

describe.skipIf(!haveTshark())("--export-objects http vs tshark", () => {
  it("a hand-built conversation: query strings, /, directories, long names, duplicates, gzip, chunks, a name already taken", () => {
    const dir = mkdtempSync(join(tmpdir(), "nestcap-eo-cap-"));
    const f = edgeCapture(dir);
    const { t, n } = both(f, (d) => writeFileSync(join(d, "existing.txt"), "was here"));
    expect(Object.keys(t).length).toBeGreaterThanOrEqual(12);
    expect(t).toHaveProperty(["page.html%3fx=1&y=a%3ab"]);
    expect(t).toHaveProperty(["existing(1).txt"]);
    expect(n).toEqual(t);
  });

  it("HTTPS decrypted with its key log: the bodies inside TLS", () => {
    const f = fixtures((n) => n === "https.pcapng")[0];
    const keys = ["-o", `tls.keylog_file:${f.replace(/\.pcapng$/, ".keys")}`];
    const root = mkdtempSync(join(tmpdir(), "nestcap-eo-tls-"));
    spawnSync("tshark", ["-r", f, ...keys, "-q", "--export-objects", `http,${root}/t`], { encoding: "utf8" });
    expect(runCli(["-r", f, ...keys, "-q", "--export-objects", `http,${root}/n`]).status).toBe(0);
    const t = listing(`${root}/t`);
    expect(Object.keys(t)).toContain("index.html");
    expect(listing(`${root}/n`)).toEqual(t);
  });

  const files = [
    ...fixtures((f) => /^http/.test(f)),
    ...corpus("suricata-verify", (f) => /^http-(evader-0[0-7]|range|chunked|gzip|pipeline|post|multiple|connect|async|encoding)/.test(f) || /^http2-/.test(f)),
  ];
  it(`fixtures and corpus captures: the same files (${files.length} captures)`, () => {
    let objects = 0;
    for (const f of files) {
      const { t, n } = both(f);
      expect(n, basename(f)).toEqual(t);
      objects += Object.keys(t).length;
    }
    console.log(`export-objects: ${objects} files equal to tshark's over ${files.length} captures`);
    expect(objects).toBeGreaterThan(10);
  }, 600_000);
});

describe("--export-objects errors", () => {
  it("a protocol nestcap does not export, or no directory: one line, exit 1", () => {
    for (const a of ["smb,/tmp/x", "http", "http,"]) {
      const r = runCli(["-r", "fixtures/http.pcapng", "--export-objects", a]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/--export-objects takes PROTOCOL,DIR/);
    }
  });
  it("a directory that cannot be made: one line, exit 1, before reading", () => {
    const d = mkdtempSync(join(tmpdir(), "nestcap-eo-bad-"));
    writeFileSync(join(d, "file"), "");
    const r = runCli(["-r", "fixtures/http.pcapng", "--export-objects", `http,${join(d, "file", "sub")}`]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/Failed to create export objects output directory/);
  });
  it("missing directories are made, objects are written even with -Y selecting nothing (tshark's taps see every frame)", () => {
    const d = join(mkdtempSync(join(tmpdir(), "nestcap-eo-new-")), "a", "b");
    const r = runCli(["-r", "fixtures/http.pcapng", "-Y", "frame.number == 0", "--export-objects", `http,${d}`]);
    expect(r.status).toBe(0);
    expect(readdirSync(d).sort()).toContain("index.html");
  });
});
