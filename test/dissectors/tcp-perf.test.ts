/**
 * The split TCP dissector (dissectors/tcp*.ts) and its hot-path reuse:
 *  - only tcp.ts defines a protocol; every tcp file stays < 400 lines;
 *  - the per-packet option header (Hdr) is one reused object: a SACK / D-SACK in one
 *    packet must not leak into the next one (sparse and full trees agree);
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Dissector } from "../../src/core/dissect.js";
import { allProtocols } from "../../src/core/proto.js";
import { Session } from "../../src/core/session.js";
import { haveTshark, tsharkFields } from "../helpers/tshark.js";
import { writePcap } from "./ip-build.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, resolveFields } from "../../src/output/fields.js";

const u16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

function frame(sport: number, dport: number, seq: number, ack: number, flags: number, opts: number[], data = 0): Uint8Array {
  const tcp = [...u16(sport), ...u16(dport), ...u32(seq), ...u32(ack), ...u16((((20 + opts.length) >> 2) << 12) | flags), ...u16(8192), 0, 0, 0, 0, ...opts, ...new Array<number>(data).fill(0x41)];
  const ip = [0x45, 0, ...u16(20 + tcp.length), 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  if (sport > dport) ip.splice(12, 8, 10, 0, 0, 2, 10, 0, 0, 1);
  return Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, ...ip, ...tcp]);
}

const SYN = 2, ACK = 16;
const TS = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0];
const SYNOPT = [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
const sack = (l: number, r: number): number[] => [1, 1, 5, 10, ...u32(l), ...u32(r)];

/** Client 1000 (ISN 100) ↔ server 80 (ISN 500): handshake, data, a D-SACK, then plain ACKs. */
const PACKETS = [
  frame(1000, 80, 100, 0, SYN, SYNOPT),
  frame(80, 1000, 500, 101, SYN | ACK, SYNOPT),
  frame(1000, 80, 101, 501, ACK, TS, 100),
  frame(80, 1000, 501, 201, ACK, [...TS, ...sack(101, 151)]), // SACK right edge ≤ ACK: D-SACK
  frame(80, 1000, 501, 201, ACK, TS), // no SACK: nothing may be left from the packet before
  frame(80, 1000, 501, 201, ACK, [...TS, ...sack(251, 301)]), // an ordinary SACK above the ACK
  frame(1000, 80, 201, 501, ACK, [1, 1, 1, 0]), // NOP NOP NOP EOL
];

const FIELDS = [
  "tcp.options.sack_le", "tcp.options.sack_re", "tcp.options.sack.dsack_le", "tcp.options.sack.dsack_re",
  "tcp.options.sack.count", "tcp.options.nop", "tcp.options.eol", "tcp.option_kind", "tcp.options.mss.absent",
  "tcp.window_size", "tcp.analysis.flags", "tcp.len", "tcp.seq", "tcp.ack",
];

function rows(tree: boolean, session = new Session()): string[][] {
  const fs = resolveFields(FIELDS);
  const d = new Dissector({ wanted: fs, tree, columns: tree }, session);
  return PACKETS.map((data, i) => {
    const r = d.dissect({ num: i + 1, tsSec: 1, tsNsec: i * 1000, caplen: data.length, len: data.length, data, linkType: 1, interfaceId: 0 });
    return fieldsLine(r.tree, fs, DEFAULT_FIELDS_OPTIONS).split("\t");
  });
}

describe("tcp split and hot-path reuse", () => {
  it("only dissectors/tcp.ts defines a protocol; each tcp file < 400 lines", () => {
    const dir = fileURLToPath(new URL("../../dissectors", import.meta.url));
    const files = readdirSync(dir).filter((f) => /^tcp(-.*)?\.ts$/.test(f));
    expect(files).toContain("tcp.ts");
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const src = readFileSync(join(dir, f), "utf8");
      expect(src.split("\n").length, f).toBeLessThan(400);
      expect(src.includes("defineProtocol("), f).toBe(f === "tcp.ts");
    }
    expect(allProtocols().filter((p) => p.abbrev === "tcp")).toHaveLength(1);
  });

  it("SACK / D-SACK state of one packet does not leak into the next (reused Hdr)", () => {
    const r = rows(false);
    const col = (n: string): string[] => r.map((row) => row[FIELDS.indexOf(n)]);
    expect(col("tcp.options.sack.dsack_le")).toEqual(["", "", "", "1", "", "", ""]);
    expect(col("tcp.options.sack.dsack_re")).toEqual(["", "", "", "51", "", "", ""]);
    expect(col("tcp.options.sack_le")).toEqual(["", "", "", "1", "", "151", ""]);
    expect(col("tcp.options.sack.count")).toEqual(["", "", "", "1", "", "1", ""]);
    expect(col("tcp.options.nop")[6]).toBe("01,01,01");
    expect(col("tcp.options.eol")[6]).toBe("00");
    expect(col("tcp.option_kind")[6]).toBe("1,1,1,0");
    expect(col("tcp.window_size")).toEqual(["8192", "8192", "1048576", "1048576", "1048576", "1048576", "1048576"]);
  });

  it.skipIf(!haveTshark())("the same cells as tshark (differential)", () => {
    const t = tsharkFields(writePcap("tcp-perf.pcap", PACKETS), FIELDS);
    const ours = rows(false);
    let cells = 0;
    let agree = 0;
    ours.forEach((row, i) => row.forEach((c, j) => {
      cells++;
      if (c === t[i][j]) agree++;
    }));
    console.log(`tcp-perf: ${agree}/${cells} cells agree with tshark`);
    expect(ours).toEqual(t.map((row) => row.slice(0, FIELDS.length)));
  });

  it("sparse and full trees give the same values", () => {
    expect(rows(true)).toEqual(rows(false));
  });
});
