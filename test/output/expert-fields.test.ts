/**
 * Expert notes as fields: _ws.expert (its label), _ws.expert.message/.severity/.group and a
 * note's own field (http.chat, tcp.analysis.retransmission), as tshark -T fields prints them.
 */
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { compareFields, fixtures, formatDisagreements, haveTshark, runCli } from "../helpers/tshark.js";

const FIELDS = ["_ws.expert", "_ws.expert.message", "_ws.expert.severity", "_ws.expert.group", "http.chat", "tcp.analysis.retransmission", "tcp.analysis.duplicate_ack"];
// tshark is wrong on these two (static-key packets read as opcodes; tls-auth's SHA256 HMAC taken for SHA1): it reports Malformed
const TSHARK_WRONG = new Set(["static-udp.pcap", "tls-auth.pcap"]);
const files = haveTshark() ? fixtures((n) => !TSHARK_WRONG.has(n)) : [];

describe.skipIf(files.length === 0)("expert fields vs tshark", () => {
  it(`agree on every fixture (${files.length} files)`, () => {
    let agree = 0;
    let cells = 0;
    let nonEmpty = 0;
    const bad: string[] = [];
    for (const f of files) {
      const c = compareFields(f, FIELDS);
      agree += c.agree;
      cells += c.cells;
      expect(c.frames.nestcap).toBe(c.frames.tshark);
      if (c.disagreements.length > 0) bad.push(`${basename(f)}:\n${formatDisagreements(c.disagreements, 5)}`);
    }
    // the fixtures do carry notes: chats on every HTTP message, TCP analysis, checksums…
    for (const f of files.filter((x) => /http|tcp-analysis/.test(x))) {
      nonEmpty += runCli(["-r", f, "-T", "fields", "-e", "_ws.expert.message", "-Y", "_ws.expert"]).stdout.split("\n").filter((l) => l !== "").length;
    }
    console.log(`expert fields: ${agree}/${cells} cells agree over ${files.length} fixtures; ${nonEmpty} frames with notes in the HTTP/TCP ones`);
    expect(nonEmpty).toBeGreaterThan(20);
    expect(bad).toEqual([]);
  }, 240_000);

  it("filters on expert fields select the noted frames", () => {
    const f = files.find((x) => x.endsWith("tcp-analysis.pcap"))!;
    const all = runCli(["-r", f, "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.severity"]).stdout.split("\n").filter((l) => l !== "");
    const warnOrWorse = all.filter((l) => l.split("\t")[1].split(",").some((v) => Number(v) >= 0x600000)).map((l) => l.split("\t")[0]);
    const r = runCli(["-r", f, "-Y", "_ws.expert.severity >= 0x600000", "-T", "fields", "-e", "frame.number"]);
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l !== "")).toEqual(warnOrWorse);
    expect(warnOrWorse.length).toBeGreaterThan(0);
  });
});
