/**
 * The printers against tshark on real captures. One `tshark -P -V -x` run per file
 * gives the summary line, the -V tree and the -x dump of every packet; one
 * `-T fields -e _ws.col.*` run gives tshark's column values; one `-T json` run for a
 * few files.
 *
 *  - summary: tshark's column values through summaryLine must give tshark's line,
 *    byte for byte (layout); the time column is computed by nestcap from the frames;
 *  - hex: nestcap's dump must be byte-identical for every packet with one data source
 *    (packets with reassembled sources are compared and counted separately);
 *  - tree: the "Frame …" and "Ethernet II…" blocks must equal tshark's, except for the
 *    lines in KNOWN_DISSECTOR_DIFFS (the frame/eth dissectors, not the printer);
 *  - json: valid JSON, tshark's packet header, every layer equal to tshark's (agreement printed).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import type { Frame } from "../../src/capture/frame.js";
import { Dissector } from "../../src/core/dissect.js";
import { Session } from "../../src/core/session.js";
import { PLAIN } from "../../src/output/color.js";
import { hexDump } from "../../src/output/hex.js";
import { jsonEnd, jsonFrame, jsonStart } from "../../src/output/json.js";
import { summaryLine } from "../../src/output/summary.js";
import { treeText } from "../../src/output/tree-text.js";
import { CORPORA, FIXTURES, haveTshark } from "../helpers/tshark.js";
import { emptyDissection } from "./helpers.js";

const FILES = [
  join(CORPORA, "suricata-verify", "dns__dns-single-request__input.pcap"),
  join(CORPORA, "suricata-verify", "dns__dns-incomplete__input.pcap"), // reassembled TCP source
  join(CORPORA, "tcpdump", "tcp-handshake-nano.pcap"), // ns pcap, Linux SLL
  join(CORPORA, "tcpdump", "3560_CDP.pcap"), // IEEE 802.3 frames
  join(CORPORA, "tcpdump", "arp-oobr.pcap"), // malformed, trailers
  join(CORPORA, "tcpdump", "ahcp.pcapng"), // IPv6 addresses overflow the columns
  join(FIXTURES, "sample.pcapng"), // ns pcapng with interface names
].filter((f) => existsSync(f));

/**
 * Files whose frame/eth blocks must match (apart from KNOWN_DISSECTOR_DIFFS); on the
 * others the eth dissector still lacks some expert notes (group source address,
 * non-zero trailer): counted, not asserted.
 */
const STRICT_TREE = /dns-single|sample\.pcapng|3560_CDP|tcp-handshake-nano/;
const JSON_FILES = FILES.filter((f) => /dns-single|sample\.pcapng/.test(f));
const MAX = 200;

/** Lines that differ because tshark has dissectors nestcap lacks (CDP, the F5 Ethernet trailer): the protocol list. */
const KNOWN_DISSECTOR_DIFFS = [/^    \[Protocols in frame: /];

function tshark(args: string[]): string {
  const r = spawnSync("tshark", ["-n", ...args], { env: { ...process.env, TZ: "UTC", LC_ALL: "C.UTF-8" }, encoding: "utf8", maxBuffer: 1 << 28 });
  return r.stdout;
}

interface TsharkPacket {
  summary: string;
  tree: string[];
  hex: string[];
}

/** Split `tshark -P -V -x` output: summary line, tree lines, "", hex lines, "". */
function parsePVX(out: string): TsharkPacket[] {
  const lines = out.split("\n");
  const pk: TsharkPacket[] = [];
  let i = 0;
  while (i < lines.length && lines[i] !== "") {
    const p: TsharkPacket = { summary: lines[i++], tree: [], hex: [] };
    while (i < lines.length && lines[i] !== "") p.tree.push(lines[i++]);
    i++;
    while (i < lines.length && lines[i] !== "") p.hex.push(lines[i++]);
    i++;
    pk.push(p);
  }
  return pk;
}

/** Top-level blocks whose first line starts with one of `heads`. */
function blocks(tree: string[], heads: string[]): string[] {
  const out: string[] = [];
  let on = false;
  for (const l of tree) {
    if (l.length > 0 && l[0] !== " ") on = heads.some((h) => l.startsWith(h));
    if (on) out.push(l);
  }
  return out;
}

function withIface(frames: Frame[], info: { interfaces?: { tsresol: number; linkType: number; snaplen: number; tsoffset: number }[] }): Frame[] {
  return frames;
}

const COLS = ["_ws.col.No.", "_ws.col.Time", "_ws.col.Source", "_ws.col.Destination", "_ws.col.Protocol", "_ws.col.Length", "_ws.col.Info"];

describe.skipIf(!haveTshark() || FILES.length === 0)("printers vs tshark", () => {
  const data = FILES.map((file) => {
    const { frames, info } = readCaptureSync(file);
    return {
      file,
      frames: withIface(frames.slice(0, MAX), info as never),
      pvx: parsePVX(tshark(["-r", file, "-c", String(MAX), "-P", "-V", "-x"])),
      cols: tshark(["-r", file, "-c", String(MAX), "-T", "fields", ...COLS.flatMap((c) => ["-e", c])]).split("\n"),
    };
  });

  it("summary: tshark's column values give tshark's line, byte for byte", () => {
    let lines = 0;
    let same = 0;
    let full = 0;
    const bad: string[] = [];
    for (const { file, frames, pvx, cols } of data) {
      const s = new Session();
      const dis = new Dissector({ columns: true });
      for (let i = 0; i < frames.length && i < pvx.length; i++) {
        const fr = frames[i];
        const want = pvx[i].summary;
        if (summaryLine(dis.dissect(fr), PLAIN) === want) full++;
        const cells = cols[i]?.split("\t") ?? [];
        if (cells.length !== COLS.length) continue; // a tab inside Info
        if (s.firstTs === null) s.firstTs = { s: fr.tsSec, ns: fr.tsNsec };
        const d = emptyDissection(fr.data, { num: fr.num, tsSec: fr.tsSec, tsNsec: fr.tsNsec, len: fr.len, session: s, tsresol: fr.iface?.tsresol ?? fr.tsresol });
        Object.assign(d.pinfo.cols!, { src: cells[2], dst: cells[3], protocol: cells[4], info: cells[6] });
        const got = summaryLine(d, PLAIN);
        lines++;
        if (got === want) same++;
        else if (bad.length < 10) bad.push(`${file} #${i + 1}\n  nestcap: ${JSON.stringify(got)}\n  tshark:  ${JSON.stringify(want)}`);
      }
    }
    console.log(`summary layout: ${same}/${lines} lines identical to tshark; with nestcap's dissectors: ${full}/${lines}`);
    expect(bad.join("\n")).toBe("");
    expect(lines).toBeGreaterThan(50);
  });

  it("hex: byte-identical dumps", () => {
    let single = 0;
    let singleSame = 0;
    let multi = 0;
    let multiSame = 0;
    const bad: string[] = [];
    for (const { file, frames, pvx } of data) {
      const dis = new Dissector({ tree: true });
      for (let i = 0; i < frames.length && i < pvx.length; i++) {
        const got = hexDump(dis.dissect(frames[i]), { style: PLAIN });
        const want = pvx[i].hex.join("\n") + "\n";
        const isMulti = pvx[i].hex.length > 0 && pvx[i].hex[0].endsWith("bytes):");
        if (isMulti) {
          multi++;
          if (got === want) multiSame++;
          continue;
        }
        single++;
        if (got === want) singleSame++;
        else if (bad.length < 5) bad.push(`${file} #${i + 1}\n${got}---\n${want}`);
      }
    }
    console.log(`hex: ${singleSame}/${single} single-source packets identical; ${multiSame}/${multi} with reassembled sources (needs reassembly)`);
    expect(bad.join("\n")).toBe("");
    expect(single).toBeGreaterThan(50);
  });

  it("tree: Frame and Ethernet blocks as tshark's", () => {
    let pk = 0;
    let exact = 0;
    let lines = 0;
    let modKnown = 0;
    const bad: string[] = [];
    for (const { file, frames, pvx } of data) {
      const dis = new Dissector({ tree: true });
      for (let i = 0; i < frames.length && i < pvx.length; i++) {
        const d = dis.dissect(frames[i]);
        dis.session.prevDisplayedTs = { s: frames[i].tsSec, ns: frames[i].tsNsec };
        const heads = ["Frame ", "Ethernet II", "IEEE 802.3 Ethernet"];
        const got = blocks(treeText(d, { style: PLAIN, hex: true }).split("\n"), heads);
        const want = blocks(pvx[i].tree, heads);
        pk++;
        lines += want.length;
        if (got.join("\n") === want.join("\n")) exact++;
        const keep = (l: string) => !KNOWN_DISSECTOR_DIFFS.some((r) => r.test(l));
        const g = got.filter(keep).join("\n");
        const w = want.filter(keep).join("\n");
        if (g === w) modKnown++;
        else if (STRICT_TREE.test(file) && bad.length < 3) bad.push(`${file} #${i + 1}\nnestcap:\n${g}\ntshark:\n${w}`);
      }
    }
    console.log(`tree: frame/eth blocks identical on ${exact}/${pk} packets (${lines} tshark lines), ${modKnown}/${pk} apart from KNOWN_DISSECTOR_DIFFS`);
    expect(bad.join("\n")).toBe("");
  });

  it.skipIf(JSON_FILES.length === 0)("json: valid, tshark's packet header and layout; per-layer agreement", () => {
    let layers = 0;
    let same = 0;
    const sameBy = new Map<string, [number, number]>();
    for (const file of JSON_FILES) {
      const { frames, info } = readCaptureSync(file);
      withIface(frames, info as never);
      const dis = new Dissector({ tree: true });
      let ours = jsonStart();
      frames.slice(0, MAX).forEach((fr, i) => {
        ours += jsonFrame(dis.dissect(fr), i === 0);
        dis.session.prevDisplayedTs = { s: fr.tsSec, ns: fr.tsNsec };
      });
      ours += jsonEnd(frames.length > 0);
      const theirs = tshark(["-r", file, "-c", String(MAX), "-T", "json"]);
      const a = JSON.parse(ours) as { _source: { layers: Record<string, unknown> } }[];
      const b = JSON.parse(theirs) as typeof a;
      expect(a.length).toBe(b.length);
      // the packet header lines and the outer layout are tshark's
      const head = (s: string) => s.split("\n").filter((l) => /^ {0,6}[[\]{}]|"_index"|"_type"|"_score"|"_source"|"layers"/.test(l)).join("\n");
      expect(head(ours)).toBe(head(theirs));
      for (let i = 0; i < a.length; i++) {
        for (const [name, v] of Object.entries(b[i]._source.layers)) {
          const ok = JSON.stringify(a[i]._source.layers[name]) === JSON.stringify(v);
          layers++;
          if (ok) same++;
          const c = sameBy.get(name) ?? [0, 0];
          c[0] += ok ? 1 : 0;
          c[1]++;
          sameBy.set(name, c);
        }
      }
    }
    console.log(`json: ${same}/${layers} layers identical to tshark (${[...sameBy].map(([k, [x, n]]) => `${k} ${x}/${n}`).join(", ")})`);
    expect(layers).toBeGreaterThan(0);
    expect(same).toBe(layers);
  });
});
