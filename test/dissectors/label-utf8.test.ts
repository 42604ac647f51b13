/**
 * Labels made from packet bytes (HTTP header lines, line-based text), as tshark's
 * format_text reads them: valid UTF-8, overlong forms, old 5- and 6-byte forms, sequences
 * cut short by a byte that is no continuation or by the end, stray continuation bytes,
 * 0xfe/0xff, surrogates, values past U+10FFFF, characters that are not printable. Compared
 * with tshark's -V on a hand-built HTTP request carrying each case in a header and in a
 * text/plain body; labelBytes itself on a few cases without tshark.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { labelBytes } from "../../src/core/label.js";
import { conversation } from "../helpers/tcp-conversation.js";
import { haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

const CASES: number[][] = [
  [0xf8, 0xaa, 0x1b, 0x61], // an old 5-byte lead, one continuation, then a control character
  [0xc0, 0x80, 0x78], // overlong NUL
  [0xc1, 0x81, 0x79], // overlong "A"
  [0xed, 0xa0, 0x80, 0x7a], // a surrogate
  [0xf4, 0x90, 0x80, 0x80, 0x77], // past U+10FFFF
  [0xfe, 0xff, 0x76], // never UTF-8
  [0xe2, 0x80, 0x75], // cut short by an ASCII byte
  [0x80, 0xbb, 0xbc, 0x74], // stray continuation bytes
  [0xef, 0xbb, 0xbf, 0x73], // a byte-order mark (not printable)
  [0xe2, 0x80, 0x8b, 0x72], // zero-width space (not printable)
  [0xf0, 0x9f, 0x92, 0xa9, 0x71], // above the BMP, printable
  [0xfc, 0x80, 0x80, 0x80, 0x80, 0x80, 0x70], // an old 6-byte form of NUL
  [0xc0, 0x8a, 0x6e], // overlong line feed
  [0xc2, 0x85, 0x6d], // NEL (a C1 control)
  [0xc2, 0xa0, 0x6c], // no-break space (printable)
  [0xc3, 0xa9, 0x74, 0xc3, 0xa9, 0x20, 0xf0, 0x9f], // valid, then cut short by the end
];

describe("labelBytes: format_text's reading of packet bytes", () => {
  const lb = (b: number[]) => labelBytes(Uint8Array.from(b), 0, b.length);
  it("each bad sequence is one U+FFFD; overlong forms decode; unprintable characters are escaped", () => {
    expect(lb(CASES[0])).toBe("\ufffd\\033a");
    expect(lb(CASES[1])).toBe("\\u0000x");
    expect(lb(CASES[2])).toBe("Ay");
    expect(lb(CASES[3])).toBe("\ufffdz");
    expect(lb(CASES[5])).toBe("\ufffd\ufffdv");
    expect(lb(CASES[7])).toBe("\ufffd\ufffd\ufffdt");
    expect(lb(CASES[8])).toBe("\\uFEFFs");
    expect(lb(CASES[10])).toBe("\u{1f4a9}q");
    expect(lb(CASES[15])).toBe("été \ufffd");
  });
});

describe.skipIf(!haveTshark())("labels from packet bytes vs tshark", () => {
  it("HTTP header lines and text/plain lines: -V as tshark's", () => {
    const body = Buffer.concat(CASES.map((c) => Buffer.from([...c, 0x0d, 0x0a])));
    const head = CASES.map((c, i) => Buffer.concat([Buffer.from(`X-${i}: `), Buffer.from(c), Buffer.from("\r\n")]));
    const req = Buffer.concat([
      Buffer.from("POST / HTTP/1.1\r\nHost: x\r\n"), ...head,
      Buffer.from(`Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`), body,
    ]);
    const file = join(mkdtempSync(join(tmpdir(), "nestcap-utf8-")), "utf8.pcap");
    writeFileSync(file, conversation(80, [[true, req]]));
    const want = tsharkText(["-n", "-r", file, "-V"]);
    expect(want).toContain("Line-based text data: text/plain (16 lines)");
    expect(want).toContain("\\u200Br"); // (tshark's own escape, so the comparison is of the cases above)
    expect(runCli(["-r", file, "-V"]).stdout).toBe(want);
  });
});
