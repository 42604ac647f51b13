/**
 * XML (tshark's "xml" dissector): differential against tshark 4.0 over the corpus
 * captures that carry XML and over captures built here (HTTP responses with XML edge
 * cases and every registered media type), unit tests on hand-built bodies, and a fuzz
 * test (random and mutated bodies never throw out of the dissector).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector, dissect } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { makeStyle } from "../../src/output/color.js";
import { jsonEnd, jsonFrame, jsonStart } from "../../src/output/json.js";
import { treeText } from "../../src/output/tree-text.js";
import { MEDIA_TYPES } from "../../src/http/names.js";
import { compareFields, corpus, formatDisagreements, haveTshark } from "../helpers/tshark.js";

// ---------- building HTTP captures ----------

function csum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return ~s & 0xffff;
}

/** One Ethernet/IPv4/TCP packet (checksums right). */
function tcpPacket(src: number[], dst: number[], sport: number, dport: number, seq: number, ack: number, payload: Uint8Array): Uint8Array {
  const tcp = new Uint8Array(20 + payload.length);
  const tv = new DataView(tcp.buffer);
  tv.setUint16(0, sport);
  tv.setUint16(2, dport);
  tv.setUint32(4, seq);
  tv.setUint32(8, ack);
  tcp[12] = 5 << 4;
  tcp[13] = 0x18;
  tv.setUint16(14, 65535);
  tcp.set(payload, 20);
  const ph = new Uint8Array(12 + tcp.length);
  ph.set(src, 0);
  ph.set(dst, 4);
  ph[9] = 6;
  new DataView(ph.buffer).setUint16(10, tcp.length);
  ph.set(tcp, 12);
  tv.setUint16(16, csum(ph));
  const ip = new Uint8Array(20);
  const iv = new DataView(ip.buffer);
  ip[0] = 0x45;
  iv.setUint16(2, 20 + tcp.length);
  iv.setUint16(4, 1);
  iv.setUint16(6, 0x4000);
  ip[8] = 64;
  ip[9] = 6;
  ip.set(src, 12);
  ip.set(dst, 16);
  iv.setUint16(10, csum(ip));
  const eth = Uint8Array.from([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 8, 0]);
  const out = new Uint8Array(eth.length + ip.length + tcp.length);
  out.set(eth, 0);
  out.set(ip, 14);
  out.set(tcp, 34);
  return out;
}

interface Case {
  ct: string | null;
  body: string | Uint8Array;
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** Request + response frames of one HTTP exchange per case (each on its own TCP stream). */
function httpFrames(cases: Case[]): Uint8Array[] {
  const C = [10, 0, 0, 1], S = [10, 0, 0, 2];
  const frames: Uint8Array[] = [];
  cases.forEach((c, i) => {
    const body = typeof c.body === "string" ? latin1(c.body) : c.body;
    const sport = 40000 + i;
    const req = latin1(`GET /x${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
    const hdr = latin1(`HTTP/1.1 200 OK\r\n${c.ct !== null ? `Content-Type: ${c.ct}\r\n` : ""}Content-Length: ${body.length}\r\n\r\n`);
    const resp = new Uint8Array(hdr.length + body.length);
    resp.set(hdr, 0);
    resp.set(body, hdr.length);
    frames.push(tcpPacket(C, S, sport, 80, 1000, 5000, req));
    frames.push(tcpPacket(S, C, 80, sport, 5000, 1000 + req.length, resp));
  });
  return frames;
}

function pcap(frames: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const gh = new DataView(new ArrayBuffer(24));
  gh.setUint32(0, 0xa1b2c3d4, true);
  gh.setUint16(4, 2, true);
  gh.setUint16(6, 4, true);
  gh.setUint32(16, 262144, true);
  gh.setUint32(20, 1, true);
  parts.push(new Uint8Array(gh.buffer));
  frames.forEach((f, i) => {
    const rh = new DataView(new ArrayBuffer(16));
    rh.setUint32(0, 1700000000 + i, true);
    rh.setUint32(8, f.length, true);
    rh.setUint32(12, f.length, true);
    parts.push(new Uint8Array(rh.buffer), f);
  });
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const LONG = "x".repeat(300);
/** Edge cases, each checked against tshark (the grammar's quirks included). */
const EDGE: Case[] = [
  { ct: "text/xml", body: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<root a="1">\n  <child>text</child>\n</root>\n' },
  { ct: "text/xml", body: "hello <a>x</a> tail" },
  { ct: "text/xml", body: "<a><b>t</b></a></c></d>" }, // closing unopened tags
  { ct: "text/xml", body: "<a x=1 y=abc z = \"q\" w='s' v=\"\" u=\" \">t</a>" }, // unquoted, spaced, empty values
  { ct: "text/xml", body: "<a><![CDATA[ x<y ]]><!-- c -->&amp; &lt;</a>" }, // CDATA, comment, entities
  { ct: "text/xml", body: "<!DOCTYPE note [\n<!ELEMENT note (to)>\n<!-- cm -->\n<!ATTLIST note a CDATA #IMPLIED>\n]>\n<note>x</note>" },
  { ct: "text/xml", body: '<?php echo 1; ?><?xml-stylesheet type="text/xsl" href="a.xsl"?><r/>' },
  { ct: "text/xml", body: "<a>caf\u00c3\u00a9 \u00ff\u0001\ttab\\back</a>" }, // UTF-8, invalid byte, controls
  { ct: "text/xml", body: "<?XML version=\"1.0\" ENCODING='utf-8' standalone=yes?><a/>" },
  { ct: "text/xml", body: '<a b="x\\"y" c="\\"">t</a>' }, // escaped quotes end the value
  { ct: "text/xml", body: '<soap:Envelope xmlns:soap="http://x"><soap:Body>q</soap:Body></soap:Envelope><a:b:c>z</a:b:c>' },
  { ct: "text/xml", body: `<a>${LONG}</a><b c="${LONG}"/>` }, // label truncation
  { ct: "text/xml", body: "<a></a><!foo>" }, // '>' as the last byte is never found
  { ct: "text/xml", body: "< a >x</ a ><a/><a /> < <> <a\n/>" },
  { ct: "text/html", body: '<?xml version="1.0"?><a>short</a>' }, // 38 bytes or less: text lines
  { ct: "text/html", body: '<?xml version="1.0"?><a>longer than 38</a>' },
  { ct: "text/plain", body: '<?XmL version="1.0"?><a>longer than 38 chars</a>' },
  { ct: "text/xml", body: "]> <a>]]></a> ] >" },
  { ct: "text/xml", body: '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd">' },
  { ct: "text/xml", body: '<!DOCTYPE html SYSTEM "x.dtd"><html/>' },
  { ct: "text/xml", body: "<!DOCTYPE html><html>x</html>" },
  { ct: "text/xml", body: '<a b="1" c>x</a>' }, // attribute without value
  { ct: "text/xml", body: "<a\tb='1'\r\n\tc=\"2\"\n>\n  text\n  more\n</a>\n" },
  { ct: "text/xml", body: "<!-- unterminated <a>x</a>" },
  { ct: "text/xml", body: "<a><![CDATA[never closed</a>" },
  { ct: "application/xml", body: "" },
  { ct: "application/xml", body: "   " },
  { ct: "text/xml", body: '<a x:y="1" xml:lang=en-US>t</a><b .c="1"/>' },
  { ct: "text/xml", body: "<?xml?><?xml ?><?  xml version='1'  ?>" },
  { ct: "text/xml", body: "text only, no tags" },
  { ct: "text/xml", body: "<a>x</a>>" },
  { ct: "text/xml", body: "<a>x</a" }, // truncated document
  { ct: "text/xml", body: "<a><b><c>unclosed" },
  { ct: "image/svg+xml", body: '<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect x="0"/></svg>' },
  { ct: "application/soap+xml", body: '<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>' },
  { ct: "application/atom+xml", body: '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>' },
];

/** Every media type registered for xml, plus neighbours that must not be. */
const TYPE_CASES: Case[] = [
  ...[...MEDIA_TYPES].filter(([, h]) => h === "xml").map(([t]) => ({ ct: t, body: "<a>b</a>" })),
  ...["application/xhtml+xml", "text/html", "text/plain", "application/json"].map((t) => ({ ct: t, body: "<a>b</a>" })),
];

const XML_FIELDS = [
  "frame.protocols", "xml", "xml.xmlpi", "xml.cdatasection", "xml.comment", "xml.attribute", "xml.doctype", "xml.dtdtag",
  "xml.cdata", "xml.tag", "xml.unknown", "xml.xmlpi.xml", "xml.xmlpi.xml.standalone", "xml.xmlpi.xml.encoding",
  "xml.xmlpi.xml.version", "xml.closing_unopened_tag", "xml.closing_unopened_xmpli_tag", "xml.unrecognized_text",
];

const tmp = mkdtempSync(join(tmpdir(), "nestcap-xml-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const EDGE_FILE = join(tmp, "edge.pcap");
const TYPES_FILE = join(tmp, "types.pcap");
writeFileSync(EDGE_FILE, pcap(httpFrames(EDGE)));
writeFileSync(TYPES_FILE, pcap(httpFrames(TYPE_CASES)));

/** Corpus captures where tshark finds XML (all of them: a scan of the corpora found these). */
const CORPUS = [
  ...corpus("suricata-verify", (n) => n === "http-all-headers__input.pcap" || n === "http-protocol-inspect-v2__http.pcap"),
  ...corpus("tcpdump", (n) => n === "ipv4_tcp_http_xml.pcap"),
];
const FILES = [...CORPUS, EDGE_FILE, TYPES_FILE];

/** The XML layers of a -V text, in order (each from its "eXtensible Markup Language" line to the next top-level line). */
function xmlBlocks(text: string): string[] {
  const out: string[] = [];
  let cur: string[] | null = null;
  for (const l of text.split("\n")) {
    if (cur !== null) {
      if (l.startsWith(" ")) {
        cur.push(l);
        continue;
      }
      out.push(cur.join("\n"));
      cur = null;
    }
    if (l === "eXtensible Markup Language") cur = [l];
  }
  if (cur !== null) out.push(cur.join("\n"));
  return out;
}

function nestcapVerbose(file: string): string {
  const style = makeStyle("never", false);
  const { frames } = readCaptureSync(file);
  const d = new Dissector({ tree: true, columns: true });
  let s = "";
  for (const fr of frames) s += treeText(d.dissect(fr), { style }) + "\n";
  return s;
}

function tsharkOut(file: string, args: string[]): string {
  return execFileSync("tshark", ["-n", "-r", file, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, TZ: "UTC", LC_ALL: "C.UTF-8" },
    stdio: ["ignore", "pipe", "ignore"],
  });
}

describe.skipIf(!haveTshark())("xml vs tshark", () => {
  for (const file of FILES) {
    const name = file.split("/").pop()!;
    it(`-V XML layers: ${name}`, () => {
      const want = xmlBlocks(tsharkOut(file, ["-V"]));
      const got = xmlBlocks(nestcapVerbose(file));
      // the DTD media types (application/smil, application/cpim-pidf+xml) are not registered: tshark's
      // layer for them is named after the DTD, so it is not counted here
      let agree = 0;
      for (let i = 0; i < Math.min(want.length, got.length); i++) if (want[i] === got[i]) agree++;
      console.log(`${name}: ${agree}/${want.length} XML layers identical (${want.reduce((a, b) => a + b.split("\n").length, 0)} lines)`);
      expect(want.length).toBeGreaterThan(0);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBe(want[i]);
    }, 60_000);

    it(`-T fields xml.*: ${name}`, () => {
      // with "xml" (a protocol: full tree) and without it (sparse: only the wanted values are kept)
      for (const fields of [XML_FIELDS, XML_FIELDS.filter((x) => x !== "xml")]) {
        const c = compareFields(file, fields);
        console.log(`${name}: ${c.agree}/${c.cells} cells agree (${fields.includes("xml") ? "full tree" : "sparse"})`);
        expect(c.frames.nestcap).toBe(c.frames.tshark);
        expect(formatDisagreements(c.disagreements)).toBe("");
        expect(c.agree).toBe(c.cells);
      }
    }, 60_000);
  }

  it("-T json: the xml layer as tshark's (values without control characters)", () => {
    // frames 6 (closing unopened tags), 8 (attributes), 12 (DOCTYPE subset), 18 (<?XML …?>), 68 (svg)
    const nums = new Set([6, 8, 12, 18, 68]);
    const { frames } = readCaptureSync(EDGE_FILE);
    const d = new Dissector({ tree: true, columns: true });
    let ours = jsonStart();
    let first = true;
    for (const fr of frames) {
      const r = d.dissect(fr);
      if (!nums.has(fr.num)) continue;
      ours += jsonFrame(r, first);
      first = false;
    }
    ours += jsonEnd();
    const theirs = tsharkOut(EDGE_FILE, ["-T", "json", "-Y", [...nums].map((n) => `frame.number == ${n}`).join(" or ")]);
    const layers = (s: string) => s.match(/^ {8}"xml": \{[\s\S]*?^ {8}\}/gm) ?? [];
    const want = layers(theirs);
    expect(want.length).toBe(nums.size);
    expect(layers(ours)).toEqual(want);
  }, 60_000);
});

// ---------- unit tests on hand-built bodies ----------

function verbose(ct: string, body: string | Uint8Array): string[] {
  const [req, resp] = httpFrames([{ ct, body }]);
  const d = new Dissector({ tree: true, columns: true });
  dissect(1, req, { dissector: d });
  const r = dissect(1, resp, { dissector: d });
  return xmlBlocks(treeText(r, { style: makeStyle("never", false) }))[0]?.split("\n") ?? [];
}

function fields(ct: string, body: string, names: string[]): Record<string, string[]> {
  const wanted = names.map((n) => fieldByAbbrev(n)!);
  const [req, resp] = httpFrames([{ ct, body }]);
  const d = new Dissector({ wanted });
  d.dissect({ num: 1, tsSec: 0, tsNsec: 0, caplen: req.length, len: req.length, data: req, linkType: 1, interfaceId: 0 });
  const r = d.dissect({ num: 2, tsSec: 1, tsNsec: 0, caplen: resp.length, len: resp.length, data: resp, linkType: 1, interfaceId: 0 });
  const out: Record<string, string[]> = {};
  for (const f of wanted) out[f.abbrev] = r.tree.get(f).map((v) => (v === null ? "" : String(v)));
  return out;
}

describe("xml dissector", () => {
  it("shows a document as tshark does: PI attributes, elements, text, closing tags", () => {
    expect(verbose("text/xml", '<?xml version="1.0"?>\n<a x="1">hi</a>\n')).toEqual([
      "eXtensible Markup Language",
      "    <?xml",
      '        version="1.0"',
      "        ?>",
      "    <a",
      '        x="1">',
      "        hi",
      "        </a>",
    ]);
  });

  it("records the xml.* fields in sparse mode (no tree)", () => {
    const r = fields("application/xml", '<?xml version="1.0" encoding=\'UTF-8\'?><!DOCTYPE r SYSTEM "r.dtd"><r a="b"><!--c--><![CDATA[d]]>e</r>f', [
      "xml.xmlpi.xml", "xml.xmlpi.xml.version", "xml.xmlpi.xml.encoding", "xml.doctype", "xml.tag", "xml.attribute",
      "xml.comment", "xml.cdatasection", "xml.cdata", "xml.unknown",
    ]);
    expect(r).toEqual({
      "xml.xmlpi.xml": ["<?xml version=\"1.0\" encoding='UTF-8'?>"],
      "xml.xmlpi.xml.version": ["1.0"],
      "xml.xmlpi.xml.encoding": ["UTF-8"],
      "xml.doctype": ["r"],
      "xml.tag": ['<r a="b">'],
      "xml.attribute": ['a="b"'],
      "xml.comment": ["<!--c-->"],
      "xml.cdatasection": ["<![CDATA[d]]>"],
      "xml.cdata": ["e"],
      "xml.unknown": ["f"],
    });
  });

  it("marks closing tags with nothing open, and unrecognized text, as experts", () => {
    const d = new Dissector({ tree: false });
    const [req, resp] = httpFrames([{ ct: "text/xml", body: "</x> <a b c>" }]);
    dissect(1, req, { dissector: d });
    const r = dissect(1, resp, { dissector: d });
    // "<a" is unrecognized (no '=' after b), then "b c>" is text
    expect(r.tree.experts.filter((e) => e.protocol === "xml").map((e) => `${e.severity}/${e.group}: ${e.message}`)).toEqual([
      "error/malformed: Closing an unopened tag",
      "warn/protocol: Unrecognized text",
    ]);
  });

  it("handles unquoted attribute values, entities and a truncated document", () => {
    expect(verbose("text/xml", "<a v=12 w=ab>&amp;</a><b>cut")).toEqual([
      "eXtensible Markup Language",
      "    <a",
      "        v=12",
      "        w=ab>",
      "        &amp;",
      "        </a>",
      "    <b>",
      "        cut",
    ]);
  });

  it("takes text/html bodies starting <?xml (over 38 bytes) from data-text-lines", () => {
    const [req, resp] = httpFrames([{ ct: "text/html", body: '<?xml version="1.0"?><html>a long enough body</html>' }]);
    const d = new Dissector({ tree: true, columns: true });
    dissect(1, req, { dissector: d });
    const r = dissect(1, resp, { dissector: d });
    expect(r.pinfo.layers.join(":")).toBe("frame:eth:ethertype:ip:tcp:http:data-text-lines:xml");
    expect(r.pinfo.cols?.protocol).toBe("HTTP/XML");
    const short = httpFrames([{ ct: "text/html", body: '<?xml version="1.0"?><a>short</a>' }]);
    const d2 = new Dissector({ tree: true, columns: true });
    dissect(1, short[0], { dissector: d2 });
    expect(dissect(1, short[1], { dissector: d2 }).pinfo.layers.join(":")).toBe("frame:eth:ethertype:ip:tcp:http:data-text-lines");
  });

  it("an empty or blank body", () => {
    expect(verbose("application/xml", "")).toEqual([]);
    expect(verbose("application/xml", "  \r\n ")).toEqual(["eXtensible Markup Language"]);
  });
});

// ---------- fuzz ----------

/** mulberry32 */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("xml fuzz", () => {
  it("random and mutated bodies never throw (full tree and sparse)", () => {
    const rand = rng(0x5eed);
    const ALPHA = latin1("<>/?!=\"' \t\r\n[]-:abcxmlDOCTYPECDATA.\\&;é\u00ff0123456789");
    const seeds = EDGE.map((c) => (typeof c.body === "string" ? latin1(c.body) : c.body)).filter((b) => b.length > 0);
    const wanted = XML_FIELDS.slice(1).map((n) => fieldByAbbrev(n)!);
    let n = 0;
    for (let i = 0; i < 600; i++) {
      let body: Uint8Array;
      if (i % 3 === 0) {
        body = new Uint8Array(Math.floor(rand() * 120));
        for (let k = 0; k < body.length; k++) body[k] = ALPHA[Math.floor(rand() * ALPHA.length)];
      } else {
        const s = seeds[Math.floor(rand() * seeds.length)];
        body = s.slice();
        const muts = 1 + Math.floor(rand() * 6);
        for (let m = 0; m < muts && body.length > 0; m++) {
          const at = Math.floor(rand() * body.length);
          const op = rand();
          if (op < 0.5) body[at] = rand() < 0.5 ? ALPHA[Math.floor(rand() * ALPHA.length)] : Math.floor(rand() * 256);
          else if (op < 0.75) body = body.subarray(0, at); // truncate
          else body = Uint8Array.from([...body.subarray(0, at), ...body.subarray(at + 1)]);
        }
      }
      const [req, resp] = httpFrames([{ ct: "text/xml", body }]);
      for (const opts of [{ tree: true, columns: true }, { wanted }]) {
        const d = new Dissector(opts);
        expect(() => {
          dissect(1, req, { dissector: d });
          dissect(1, resp, { dissector: d });
          // a snapshot-length cut inside the body
          dissect(1, resp.subarray(0, Math.max(54, Math.floor(rand() * resp.length))), { dissector: new Dissector(opts), len: resp.length });
        }).not.toThrow();
        n++;
      }
    }
    expect(n).toBe(1200);
  });
});
