/**
 * HTTP/1.x: differential tests against tshark 4.0 (one pass, TCP desegmentation off:
 * until tcp.ts reassembles, each segment is dissected on its own, which is what tshark
 * shows with `-o tcp.desegment_tcp_streams:FALSE`), on the fixtures and ~30 suricata-verify
 * http-* captures; hand-built captures (chunked, gzip, pipelined, odd headers, junk on
 * port 80, heuristic port); and a fuzz over mutated HTTP streams.
 */
import { Session } from "../../src/core/session.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { itemLabel } from "../../src/core/format.js";
import { walk } from "../../src/core/tree.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, resolveFields } from "../../src/output/fields.js";
import { conversation } from "../helpers/tcp-conversation.js";
import { corpus, fixtures, haveTshark, tsharkFields } from "../helpers/tshark.js";

process.env.TZ = "UTC";

const FIELDS = [
  "frame.protocols", "http.request.line", "http.response.line", "http.request.method", "http.request.uri",
  "http.request.version", "http.request.full_uri", "http.response.version", "http.response.code",
  "http.response.code.desc", "http.response.phrase", "http.request", "http.response", "http.request_number",
  "http.response_number", "http.prev_request_in", "http.prev_response_in", "http.request_in", "http.response_for.uri",
  "http.time", "http.host", "http.user_agent", "http.accept", "http.content_type", "http.content_length_header",
  "http.content_length", "http.connection", "http.server", "http.date", "http.location", "http.cookie",
  "http.cookie_pair", "http.set_cookie", "http.transfer_encoding", "http.content_encoding", "http.unknown_header",
  "http.file_data", "http.chunk_size", "http.chunk_data", "http.referer", "http.accept_encoding",
  "http.accept_language", "http.cache_control", "http.last_modified", "http.authorization", "http.upgrade",
  "urlencoded-form.key", "urlencoded-form.value", "http.request.uri.path", "http.request.uri.query",
  "http.request.uri.query.parameter",
];
/** nestcap with TCP desegmentation off, like tshark with NO_DESEG. */
function perSegment(): Session {
  return new Session({ prefs: { "tcp.desegment_tcp_streams": false } });
}
const NO_DESEG = ["-o", "tcp.desegment_tcp_streams:FALSE"];

/** nestcap's fields + Info column for every frame. */
function nestcap(file: string, fields: readonly string[]): { rows: string[][]; info: string[] } {
  const fs = resolveFields(fields);
  const { frames } = readCaptureSync(file);
  const d = new Dissector({ wanted: fs, columns: true }, perSegment());
  const rows: string[][] = [], info: string[] = [];
  for (const fr of frames) {
    const r = d.dissect(fr);
    rows.push(fieldsLine(r.tree, fs, DEFAULT_FIELDS_OPTIONS).split("\t"));
    info.push(r.pinfo.cols!.info);
  }
  return { rows, info };
}

interface Result { cells: number; agree: number; bad: string[]; known: number }

/**
 * Known difference: in these HTTP strings tshark 4.0 shows \000-\006, \a and \177 escaped
 * (its value is already escaped text); nestcap's holds the bytes. (\b and \f, which
 * -T fields escapes in every string, now agree: src/core/format.ts.) Only binary bodies
 * shown as strings (http.file_data of continuation data) hit it.
 */
function unescapeTshark(s: string): string {
  return s.replace(/\\(00[0-6]|177|a)/g, (_m, e: string) => (e === "a" ? "\x07" : String.fromCharCode(parseInt(e, 8))));
}

function compare(file: string): Result {
  const t = tsharkFields(file, ["_ws.col.Info", ...FIELDS], NO_DESEG);
  const n = nestcap(file, FIELDS);
  const res: Result = { cells: 0, agree: 0, bad: [], known: 0 };
  const name = basename(file);
  if (t.length !== n.rows.length) res.bad.push(`${name}: ${t.length} frames in tshark, ${n.rows.length} in nestcap`);
  for (let i = 0; i < Math.min(t.length, n.rows.length); i++) {
    const row = t[i];
    // Info only where HTTP is in the frame (other layers are other tests' business)
    if ((row[1] ?? "").includes(":http")) {
      res.cells++;
      if (row[0] === n.info[i]) res.agree++;
      else res.bad.push(`${name} #${i + 1} Info: tshark=${JSON.stringify(row[0])} nestcap=${JSON.stringify(n.info[i])}`);
    }
    for (let j = 0; j < FIELDS.length; j++) {
      const a = row[j + 1] ?? "", b = n.rows[i][j] ?? "";
      res.cells++;
      if (a === b) res.agree++;
      else if (unescapeTshark(a) === b) res.known++;
      else res.bad.push(`${name} #${i + 1} ${FIELDS[j]}: tshark=${JSON.stringify(a.slice(0, 200))} nestcap=${JSON.stringify(b.slice(0, 200))}`);
    }
  }
  return res;
}

/**
 * Corpus files compared frame by frame (desegmentation off). Left out on purpose:
 * http-brotli-ce (HTTP on port 443, agreeing by default: tls.test.ts; with desegmentation off
 * tshark marks its chunked body "[BoundErrorUnreassembled Packet]"),
 * http-all-headers (tshark hands a text/html body to the xml heuristic),
 * http-connect-fragmented (plain HTTP in a tunnel after CONNECT to 443: agreeing by default,
 * http-reassembly.test.ts; with desegmentation off tshark's TLS takes the cut request line
 * without a note and its rest shows nothing), http-event-chunk (odd chunk
 * framing), http-not09-file, http-post-file (tshark's json dissector: not written),
 * http-multiple100 (several interim 100 responses: tshark's req/res pairing differs). Frames tshark reassembles by default (tcp.reassembled_in)
 * are pending TCP reassembly in tcp.ts.
 */
// (also agreeing 100% when last run, left out to keep the suite fast: http-auth-bearer,
// http-missing-protocol, http-uri-spaces, http-not09-spaces, http-async-cli/-srv,
// http-close-headers, http-evader-002/-004/-006)
const CORPUS_PICK = [
  "http-async__input.pcap", "http-chunked__input.pcap", "http-encoding-gzip-uncompressed__input.pcap",
  "http-evader__http-evader-000__input.pcap", "http-request-line__input.pcap", "http1-noint-status__input.pcap",
  "http-data-after-09__input.pcap", "http-multiple-cl__input.pcap", "http-ipv6__input.pcap",
  "http-urldecode-body__input.pcap",
];

describe.runIf(haveTshark())("http vs tshark", () => {
  const files = [...fixtures((n) => n === "sample.pcapng" || n === "http.pcapng"), ...corpus("suricata-verify", (n) => CORPUS_PICK.includes(n))];
  it.each(files)("%s", (file) => {
    const r = compare(file);
    console.log(`${basename(file)}: ${r.agree}/${r.cells} cells agree` + (r.known ? ` (+${r.known} string-escape differences, see unescapeTshark)` : ""));
    expect(r.bad.slice(0, 25)).toEqual([]);
  });
});

// ───────────────────────────────────────────────────────── hand-built captures

let tmp: string | undefined;
function write(name: string, bytes: Uint8Array): string {
  tmp ??= mkdtempSync(join(tmpdir(), "nestcap-http-"));
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

const enc = (s: string) => new TextEncoder().encode(s);
function cat(...a: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of a) { out.set(x, o); o += x.length; }
  return out;
}

const GZ = gzipSync(Buffer.from("<html><body>compressed hello</body></html>\n"));
const HAND: Record<string, Uint8Array> = {
  chunked: conversation(80, [
    [true, "GET /c HTTP/1.1\r\nHost: h\r\n\r\n"],
    [false, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n world!\r\n0\r\n\r\n"],
  ]),
  gzip: conversation(80, [
    [true, "GET /z HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n"],
    [false, cat(enc(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: ${GZ.length}\r\n\r\n`), GZ)],
  ]),
  pipelined: conversation(80, [
    [true, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"],
    [false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nA\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"],
  ]),
  odd: conversation(8080, [
    [true, "POST /f HTTP/1.0\r\nHost: h\r\nNoColonHere\r\nX-Long: " + "x".repeat(3000) + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\na=1&b=c+d%21"],
    [false, "HTTP/1.0 302 Found\r\nLocation: http://h/x\r\nSet-Cookie: a=b; Path=/\r\nCookie: k=v; k2=v2\r\n\r\n"],
  ]),
  junk: conversation(80, [
    [true, new Uint8Array([0, 1, 2, 0xff, 0xfe, 13, 10, 0x47, 0x45, 0x54])],
    [false, "\x7fELF\r\n\r\n"],
    [true, "GET /after-junk HTTP/1.1\r\nHost: h\r\n\r\n"],
  ]),
  // request lines: a query (with empty parameters, which strtok skips), a bare "?", two
  // blanks after the method (an empty URI), and no version at all
  requestLines: conversation(80, [
    [true, "GET /s/p?q=a%20b&&x=&=y&z HTTP/1.1\r\nHost: h\r\n\r\n"],
    [false, "HTTP/1.1 204 No Content\r\n\r\n"],
    [true, "GET /only? HTTP/1.1\r\nHost: h\r\n\r\n"],
    [false, "HTTP/1.1 204 No Content\r\n\r\n"],
    [true, "GET  /two-blanks?a=1 HTTP/1.1\r\nHost: h\r\n\r\n"],
    [false, "HTTP/1.1 204 No Content\r\n\r\n"],
    [true, "GET /no-version?k=v\r\nHost: h\r\n\r\n"],
  ]),
  // a proxy: CONNECT (its full URI is the authority, given a Host), then the tunnel, which to
  // port 80 is data (not HTTP again), with where it goes as generated fields
  connect: conversation(3128, [
    [true, "CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\r\n"],
    [false, "HTTP/1.1 200 Connection established\r\n\r\n"],
    [true, "GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n"],
    [false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"],
  ]),
  // a transfer coding other than chunked: every Content-Length is ignored and the body is what the
  // segment holds (tshark), in a response and in requests with and without a Content-Length
  transferCoding: conversation(80, [
    [true, "GET /t HTTP/1.1\r\nHost: h\r\n\r\n"],
    [false, "HTTP/1.1 200 ok\r\nTransfer-Encoding: lalala\r\nContent-length: 68\r\nContent-length: 34\r\n\r\n" + "X".repeat(68)],
    [true, "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: lalala\r\nContent-Length: 5\r\n\r\n" + "Y".repeat(20)],
    [false, "HTTP/1.1 204 No Content\r\n\r\n"],
    [true, "POST /q HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: lalala\r\n\r\n" + "Z".repeat(20)],
  ]),
  heuristic: conversation(8123, [
    [true, "GET /h HTTP/1.1\r\nHost: h:8123\r\n\r\n"],
    [false, "HTTP/1.1 204 No Content\r\nServer: s\r\n\r\n"],
    [false, "more text without colon\r\n"],
  ]),
};

describe("http hand-built", () => {
  it.runIf(haveTshark()).each(Object.keys(HAND))("%s vs tshark", (name) => {
    const r = compare(write(`${name}.pcap`, HAND[name]));
    console.log(`hand-built ${name}: ${r.agree}/${r.cells} cells agree`);
    expect(r.bad).toEqual([]);
  });

  function tree(name: string): { labels: string[]; info: string[] } {
    const file = write(`${name}.pcap`, HAND[name]);
    const d = new Dissector({ tree: true, columns: true }, perSegment());
    const labels: string[] = [], info: string[] = [];
    for (const fr of readCaptureSync(file).frames) {
      const r = d.dissect(fr);
      info.push(r.pinfo.cols!.info);
      for (const it of walk(r.tree.root)) labels.push(itemLabel(it));
    }
    return { labels, info };
  }

  it("a CONNECT tunnel: the proxy's target on each tunnel segment, the payload as data", () => {
    const file = write("connect.pcap", HAND.connect);
    const f = new Dissector({ wanted: ["http.proxy_connect_host", "http.proxy_connect_port", "http.request.full_uri", "data.len"].map((n) => fieldByAbbrev(n)!) }, perSegment());
    const rows = readCaptureSync(file).frames.map((fr) => {
      const t = f.dissect(fr).tree;
      return ["http.proxy_connect_host", "http.proxy_connect_port", "http.request.full_uri", "data.len"].map((n) => t.get(fieldByAbbrev(n)!).join(",")).join("|");
    });
    // the CONNECT, its 200, then the two tunnel segments (38 and 40 bytes)
    expect(rows.slice(3)).toEqual(["||example.com:80|", "|||", "example.com|80||38", "example.com|80||40"]);
  });

  it("shows the request line with its chat expert, summary with tshark's trailing space", () => {
    const { labels, info } = tree("chunked");
    expect(info[3]).toBe("GET /c HTTP/1.1 ");
    expect(info[4]).toBe("HTTP/1.1 200 OK  (text/plain)");
    expect(labels).toContain("GET /c HTTP/1.1\\r\\n");
    expect(labels).toContain("Host: h\\r\\n");
    expect(labels).toContain("[Full request URI: http://h/c]");
    expect(labels).toContain("[HTTP request 1/1]");
    expect(labels).toContain("[Request in frame: 4]");
    expect(labels).toContain("Data chunk (5 octets)");
    expect(labels).toContain("Chunk size: 7 octets");
    expect(labels).toContain("End of chunked encoding");
    expect(labels).toContain("File Data: 12 bytes");
    expect(labels.filter((l) => l.startsWith("Line-based"))).toEqual(["Line-based text data: text/plain (1 lines)"]);
  });

  it("splits a request URI into path, query and parameters", () => {
    const { labels } = tree("requestLines");
    expect(labels).toContain("Request URI Path: /s/p");
    expect(labels).toContain("Request URI Query: q=a%20b&&x=&=y&z");
    expect(labels.filter((l) => l.startsWith("Request URI Query Parameter: "))).toEqual(
      ["q=a%20b", "x=", "=y", "z", "k=v"].map((p) => `Request URI Query Parameter: ${p}`),
    );
    // two blanks: tshark steps back one, so the URI is empty and the rest is the version
    expect(labels).toContain("Request URI: ");
    expect(labels).toContain("Request Version: /two-blanks?a=1 HTTP/1.1");
    expect(labels).toContain("Request URI: /only?");
    expect(labels).not.toContain("Request URI Path: /only");
    expect(labels).toContain("Request Version: ");
  });

  it("decodes gzip bodies", () => {
    const { labels, info } = tree("gzip");
    expect(labels).toContain(`Content-encoded entity body (gzip): ${GZ.length} bytes -> 43 bytes`);
    expect(info[4]).toBe("HTTP/1.1 200 OK  (text/html)");
    expect(labels).toContain("<html><body>compressed hello</body></html>\\n");
  });

  it("dissects pipelined messages in one segment", () => {
    const { info } = tree("pipelined");
    expect(info[3]).toBe("GET /a HTTP/1.1 GET /b HTTP/1.1 ");
    expect(info[4]).toBe("HTTP/1.1 200 OK  (text/plain)HTTP/1.1 404 Not Found ");
  });

  it("marks a message cut short", () => {
    const bytes = conversation(80, [[false, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a bit"]]);
    const file = write("short.pcap", bytes);
    const d = new Dissector({ tree: true, columns: true }, perSegment());
    const labels: string[] = [];
    for (const fr of readCaptureSync(file).frames) for (const it of walk(d.dissect(fr).tree.root)) labels.push(itemLabel(it));
    expect(labels).toContain("[Incomplete HTTP message: TCP reassembly needed]");
  });
});

// ───────────────────────────────────────────────────────── fuzz

describe("http fuzz", () => {
  const seeds = Object.values(HAND);
  it("mutated HTTP streams never throw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        fc.nat(),
        (si, muts, cut) => {
          const file = seeds[si].slice();
          // keep the pcap/eth/ip/tcp headers of each record mostly intact: mutate anywhere after the global header
          for (const [pos, v] of muts) file[24 + (pos % (file.length - 24))] = v;
          let frames;
          try { frames = readCaptureSync(write("fuzz.pcap", file.subarray(0, Math.max(24, file.length - (cut % 40))))).frames; } catch { return; }
          const d = new Dissector({ tree: true, columns: true }, perSegment());
          for (const fr of frames) d.dissect(fr);
        },
      ),
      { numRuns: 300, seed: 4242 },
    );
  });

  it("random payloads on port 80 never throw", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 200 }).map(enc)), { minLength: 1, maxLength: 5 }), (parts) => {
        const file = write("rand.pcap", conversation(80, parts.map((p, i) => [i % 2 === 0, p] as [boolean, Uint8Array])));
        const d = new Dissector({ tree: true, columns: true }, perSegment());
        for (const fr of readCaptureSync(file).frames) d.dissect(fr);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
