/**
 * MIME multipart (dissectors/multipart.ts) against tshark 4.0: suricata-verify's two
 * multipart uploads, and hand-built HTTP bodies at the edges (preamble and epilogue, a
 * nested multipart, a JSON part, a quoted boundary, no first or closing delimiter, a
 * close delimiter without its line end, unknown and folded part headers, LF-only lines):
 * the summary line, the whole -V and the mime_multipart fields equal tshark's. Plus the
 * parameter and header helpers, and a fuzz that must never throw.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dissector } from "../../src/core/dissect.js";
import { mediaParameter } from "../../src/http/names.js";
import { compactHeader } from "../../dissectors/multipart.js";
import { conversation, frame } from "../helpers/tcp-conversation.js";
import { corpus, haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

const FIELDS = ["mime_multipart.type", "mime_multipart.part", "mime_multipart.header.content-disposition",
  "mime_multipart.header.content-type", "mime_multipart.header.content-id", "mime_multipart.header.content-transfer-encoding",
  "mime_multipart.first_boundary", "mime_multipart.boundary", "mime_multipart.last_boundary", "mime_multipart.preamble",
  "mime_multipart.trailer", "media.type", "data.len", "json.value.string", "_ws.expert.message"];

function post(type: string, body: string): [boolean, string][] {
  return [
    [true, `POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: ${type}\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\n\r\n${body}`],
    [false, "HTTP/1.1 204 No Content\r\n\r\n"],
  ];
}

const FORM = [
  "preamble text\r\n",
  "--XyZ\r\n",
  'Content-Disposition: form-data; name="user"\r\n\r\n',
  "alice",
  "\r\n--XyZ\r\n",
  'Content-Disposition: form-data; name="meta"; filename="m.json"\r\nContent-Type: application/json\r\n\r\n',
  '{"k": "v"}',
  "\r\n--XyZ  \r\n", // transport padding after the delimiter
  'Content-Disposition: form-data; name="notes"\r\nContent-Type: text/plain; charset=utf-8\r\nX-Extra:   spaced    out\r\n\r\n',
  "line one\r\nline two",
  "\r\n--XyZ\r\n",
  'Content-Disposition: form-data; name="blob"; filename="b.bin"\r\nContent-Type: application/octet-stream\r\n\r\n',
  "\x00\x01\x02binary",
  "\r\n--XyZ\r\n",
  "Content-Type: image/x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n",
  "AAAA",
  "\r\n--XyZ--\r\n",
  "epilogue",
].join("");

const NESTED = [
  "--outer\r\nContent-Type: multipart/alternative; boundary=\"in ner\"\r\n\r\n",
  "--in ner\r\nContent-Type: text/plain\r\n\r\nplain",
  "\r\n--in ner\r\nContent-Type: text/html\r\n\r\n<b>html</b>",
  "\r\n--in ner--",
  "\r\n--outer\r\nContent-ID: <x@y>\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=2",
  "\r\n--outer--\r\n",
].join("");

const BODIES: Record<string, [boolean, string][]> = {
  form: post("multipart/form-data; boundary=XyZ", FORM),
  nested: post('multipart/mixed;\r\n boundary="outer"', NESTED),
  noFirstBoundary: post("multipart/form-data; boundary=a", "nothing that looks like a delimiter\r\n"),
  unclosed: post("multipart/related; boundary=a", "--a\r\nContent-Type: text/plain\r\n\r\nno end in sight"),
  closeWithoutLineEnd: post("multipart/mixed; boundary=a", "--a\r\nContent-Type: text/plain\r\n\r\nbody--a--"),
  headerlessPart: post("multipart/mixed; boundary=a", "--a\r\nnot a header line\r\n--a--"),
  foldedHeader: post("multipart/form-data; boundary=a", '--a\r\nContent-Disposition: form-data;\r\n\tname="f"\r\n\r\nv\r\n--a--\r\n'),
  lfOnly: post("multipart/form-data; boundary=a", '--a\nContent-Disposition: form-data; name="x"\n\nv\n--a--\n'),
  reportType: post("multipart/report; boundary=r", "--r\r\nContent-Type: text/plain\r\n\r\nreport\r\n--r--\r\n"),
  // UTF-8 in part headers: labelled as UTF-8, valued as tshark's ASCII reading (U+FFFD a byte)
  nonAscii: post("multipart/form-data; boundary=a", '--a\r\nContent-Disposition: form-data; name="f"; filename="L\u00f6chriger.txt"\r\nX-Note: caf\u00e9\r\n\r\nh\u00e9\r\n--a--\r\n'),
};

let dir: string | undefined;
function write(name: string, bytes: Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), "nestcap-multipart-"));
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const nestcap = (args: string[]): string => runCli(args).stdout;
const tshark = (args: string[]): string => tsharkText(["-n", ...args]);
const fieldArgs = ["-T", "fields", "-E", "occurrence=a", ...FIELDS.flatMap((f) => ["-e", f])];

describe.skipIf(!haveTshark())("mime_multipart vs tshark", () => {
  it.each(Object.keys(BODIES))("hand-built %s: summary, -V and fields", (name) => {
    const file = write(`${name}.pcap`, conversation(80, BODIES[name]));
    for (const args of [[], ["-V"], fieldArgs]) expect(nestcap(["-r", file, ...args]), `${name} ${args.join(" ")}`).toBe(tshark(["-r", file, ...args]));
  });

  it("the hand-built form shows each part's body by its own type", () => {
    const out = nestcap(["-r", write("form.pcap", conversation(80, BODIES.form)), "-V", "-Y", "mime_multipart"]);
    expect(out).toMatch(/MIME Multipart Media Encapsulation, Type: multipart\/form-data, Boundary: "XyZ"/);
    expect(out).toMatch(/Preamble: 707265616d626c6520746578740d0a/);
    expect(out).toMatch(/Encapsulated multipart part: {2}\(application\/json\)\n[^]*JavaScript Object Notation/);
    expect(out).toMatch(/Media type: image\/x-unknown \(4 bytes\)/);
    expect(out).toMatch(/Last boundary: \\r\\n--XyZ--\\r\\n\n {4}Trailer: 6570696c6f677565/);
  });

  it.each(corpus("suricata-verify", (n) => /^http-(multiple100|mime-truncated)__/.test(n)))("%s: summary, -V and fields", (file) => {
    for (const args of [[], ["-V", "-Y", "mime_multipart"], [...fieldArgs, "-Y", "mime_multipart"]]) {
      const ours = nestcap(["-r", file, ...args]);
      if (args.length > 0) expect(ours).toMatch(/multipart\/form-data/);
      expect(ours, args.join(" ")).toBe(tshark(["-r", file, ...args]));
    }
  });
});

describe("helpers", () => {
  it("mediaParameter: quoted and bare values, any case, none", () => {
    expect(mediaParameter('charset=utf-8; Boundary="a b;c"', "boundary")).toBe("a b;c");
    expect(mediaParameter("boundary=xyz;charset=x", "BOUNDARY")).toBe("xyz");
    expect(mediaParameter('b="q\\"x"', "b")).toBe('q"x');
    expect(mediaParameter("junk; boundary2=x", "boundary")).toBeNull();
    expect(mediaParameter("", "boundary")).toBeNull();
  });
  it("compactHeader: blanks around separators go, runs become one space, folds unfold, quotes stay", () => {
    expect(compactHeader('Content-Disposition:  form-data ;  name = "a  b"\r\n')).toEqual({ text: 'Content-Disposition:form-data;name="a  b"', colon: 19 });
    expect(compactHeader("X-Extra:   spaced    out\r\n\r\n").text).toBe("X-Extra:spaced out");
    expect(compactHeader("A: b\r\n\tc\r\nNext: d").text).toBe("A:b c");
    expect(compactHeader("no colon here\r\n").colon).toBe(-1);
  });
});

describe("fuzz", () => {
  it("mutated multipart bodies never throw and keep the HTTP request", () => {
    const base = new TextEncoder().encode(FORM);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), fc.nat(base.length), (muts, cut) => {
        const b = base.slice(0, Math.max(1, cut));
        for (const [i, v] of muts) if (i < b.length) b[i] = v;
        const head = new TextEncoder().encode(`POST / HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${b.length}\r\n\r\n`);
        const pl = new Uint8Array(head.length + b.length);
        pl.set(head);
        pl.set(b, head.length);
        const data = frame(true, 40000, 80, 1, 1, 0x18, pl);
        const d = new Dissector({ tree: true, columns: true });
        const r = d.dissect({ num: 1, tsSec: 0, tsNsec: 0, caplen: data.length, len: data.length, data, linkType: 1, interfaceId: 0 });
        expect(r.pinfo.cols!.info).toMatch(/^POST \/ HTTP\/1\.1/);
      }),
      { numRuns: 300 },
    );
  });
});
