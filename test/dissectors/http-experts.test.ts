/**
 * HTTP's expert notes and the generic ones around them, against tshark 4.0:
 *  - hand-made messages for each rule (header names tshark rejects, Transfer-Encoding
 *    names it does not know, Content-Length together with Transfer-Encoding, a leading
 *    CRLF, bodies an image/video dissector refuses, strings with bytes after a NUL);
 *  - the suricata-verify HTTP captures: on every frame dissected through the same
 *    layers, the notes (_ws.expert) and _ws.malformed/_ws.short agree.
 */
import { basename } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { corpus, haveTshark, runCli } from "../helpers/tshark.js";
import { eth, ip4, nestRows, u16, writePcap } from "./ip-build.js";

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A TCP segment (checksum left 0: tshark does not check it by default). */
function tcp(sport: number, dport: number, seq: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(20 + payload.length);
  h.set([...u16(sport), ...u16(dport), seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
  h.set(payload, 20);
  return eth(ip4(h, { proto: 6 }));
}

function tshark(file: string, args: string[]): string {
  const r = spawnSync("tshark", ["-n", "-r", file, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  return r.stdout;
}

const NO_REASSEMBLY = ["-o", "tcp.desegment_tcp_streams:FALSE"];
const EXPERT_FIELDS = ["-T", "fields", "-e", "frame.number", "-e", "_ws.expert", "-e", "_ws.malformed", "-e", "_ws.short", "-e", "_ws.string.trailing_stray_characters", "-e", "http.response.version", "-e", "http.request.line", "-e", "http.transfer_encoding", "-e", "http.user_agent"];

describe.skipIf(!haveTshark())("HTTP expert notes vs tshark", () => {
  it("hand-made messages: -V and the expert fields are tshark's", () => {
    const reqs = [
      // header names: an apostrophe is refused, a backslash is not (tshark's token list), a space and an empty name are refused
      "GET / HTTP/1.1\r\nHost: x\r\na'b: 1\r\nc\\d: 2\r\ne f: 3\r\n: empty\r\n\r\n",
      // Transfer-Encoding names are case-sensitive prefixes; only one coding besides chunked
      "GET /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n",
      "GET /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "GET /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, deflate\r\n\r\n",
      "GET /d HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: lalala, chunked\r\n\r\n",
      // a NUL in a header value: the hidden request line item ends there, the rest is "stray"
      "GET /e HTTP/1.1\r\nHost: x\r\nX-Y: a\0b\r\n\r\n",
      // a NUL first in a value tshark keeps as a string field: its value is "" (a C string), its label shows \000
      "GET /f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \0chunked\r\nUser-Agent: u\0a\r\n\r\n",
    ];
    const resps = [
      // Content-Length and Transfer-Encoding, in both orders and twice
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: identity\r\n\r\nabc",
      // a NUL in the status line: the version item ends at it
      "HTTP/1.1\0" + "200\0ok\r\nContent-Length: 2\r\n\r\nok",
      // bodies tshark's image/video dissectors refuse (no signature), and types without such a dissector
      // (image/tiff is refused too, but tshark's TIFF dissector leaves its own empty item behind)
      ...["image/jpeg", "image/jpg", "image/png", "image/gif", "video/mp4", "image/bmp", "application/pdf"].map(
        (ct) => `HTTP/1.1 200 OK\r\nContent-Type: ${ct}\r\nContent-Length: 11\r\n\r\nhello world`,
      ),
      // a second message after an extra CRLF in the same segment
      "HTTP/1.1 204 No Content\r\n\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    ];
    const frames = [
      ...reqs.map((r, i) => tcp(40000 + i, 80, 1, enc(r))),
      ...resps.map((r, i) => tcp(80, 41000 + i, 1, enc(r))),
    ];
    const file = writePcap("http-experts.pcap", frames);
    for (const args of [[...NO_REASSEMBLY, "-V"], [...NO_REASSEMBLY, ...EXPERT_FIELDS], [...NO_REASSEMBLY, "-T", "json"]]) {
      const want = tshark(file, args);
      const got = runCli(["-n", "-r", file, ...args]);
      expect(got.status).toBe(0);
      expect(got.stdout).toBe(want);
    }
    // the rules did fire (so the comparison above is not between two empty outputs)
    const notes = tshark(file, [...NO_REASSEMBLY, "-T", "fields", "-e", "_ws.expert.message"]);
    for (const m of ["Illegal characters found in header name", "Unknown transfer coding name", "must not be set together", "Trailing stray characters", "HTTP body subdissector failed", "Leading CRLF"])
      expect(notes).toContain(m);
  });

  // every other http-evader capture (they are many, ~0.5 s of tshark each) and the ones each
  // rule was found on; all the other HTTP captures
  const RULES = /evader-(008|057|245|279|281|303|395|479|156|160|164|195|200|201|203|315|323|324|330|334|342|343|344|349)_/;
  const evader = corpus("suricata-verify", (n) => n.startsWith("http-evader"));
  const files = [
    ...evader.filter((f, i) => i % 2 === 0 || RULES.test(f)),
    ...corpus("suricata-verify", (n) => /^http-(range|chunked|gzip|protocol)/.test(n)),
  ];
  it.skipIf(files.length === 0)(`suricata-verify HTTP captures: notes agree frame by frame (${files.length} files)`, () => {
    // (Decompression verdicts agree since nestcap decompresses as tvb_uncompress does:
    // evader-156…349 above; "ACKed unseen" after a gap since its latch is tshark's.)
    const names = ["frame.number", "frame.protocols", "_ws.expert", "_ws.malformed", "_ws.short", "_ws.malformed.expert"];
    let compared = 0;
    let withNotes = 0;
    const bad: string[] = [];
    for (const f of files) {
      const t = tshark(f, ["-T", "fields", ...names.flatMap((x) => ["-e", x])]).split("\n").filter((l) => l !== "");
      const n = nestRows(f, names);
      expect(n.length).toBe(t.length);
      for (let i = 0; i < t.length; i++) {
        const a = t[i].split("\t");
        const b = n[i];
        if (a[1] !== b[1]) continue; // different layers (a protocol nestcap has no dissector for)
        compared++;
        if (a[2] !== "") withNotes++;
        if (a.slice(2).join("\t") === b.slice(2).join("\t")) continue;
        bad.push(`${basename(f)} #${a[0]}\n  tshark:  ${a.slice(2).join(" | ")}\n  nestcap: ${b.slice(2).join(" | ")}`);
      }
    }
    console.log(`HTTP notes: ${compared - bad.length}/${compared} frames agree (${withNotes} with notes) over ${files.length} files`);
    expect(withNotes).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  }, 600_000);
});
