/**
 * Expert notes as fields: _ws.expert (its label), _ws.expert.message/.severity/.group and a
 * note's own field (http.chat, tcp.analysis.retransmission), as tshark -T fields prints them.
 */
import { spawnSync } from "node:child_process";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { compareFields, corpus, fixtures, formatDisagreements, haveTshark, runCli } from "../helpers/tshark.js";
import { nestRows } from "../dissectors/ip-build.js";
import { CaptureError } from "../../src/capture/reader.js";

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

/**
 * The tcpdump corpus' malformed captures (its *-oobr, *-overflow, *-asan… files): on every
 * frame dissected through the same layers as tshark's, the notes come in tshark's order
 * (tree order: an Ethernet trailer's note before its payload's) and the _ws.malformed /
 * _ws.short marks agree.
 */
const broken = haveTshark() ? corpus("tcpdump", (n) => /oobr|overflow|asan|trunc/.test(n)) : [];
describe.skipIf(broken.length === 0)("expert order and malformed marks vs tshark (tcpdump corpus)", () => {
  it(`agree on the frames dissected alike (${broken.length} files)`, () => {
    const names = ["frame.number", "frame.protocols", "_ws.expert", "_ws.malformed", "_ws.short", "_ws.malformed.expert"];
    let compared = 0;
    let ordered = 0;
    let marks = 0;
    const bad: string[] = [];
    for (const f of broken) {
      const t = spawnSync("tshark", ["-n", "-r", f, "-T", "fields", "-E", "aggregator=\u0001", ...names.flatMap((x) => ["-e", x])], { encoding: "utf8", maxBuffer: 1 << 28 })
        .stdout.split("\n").filter((l) => l !== "");
      let n: string[][];
      try {
        n = nestRows(f, names, {}, "\u0001");
      } catch (e) {
        if (e instanceof CaptureError) continue; // a link type or record nestcap does not read (tested in test/capture)
        throw e;
      }
      expect(n.length).toBe(t.length);
      for (let i = 0; i < t.length; i++) {
        const a = t[i].split("\t");
        const b = n[i];
        if (a[1] !== b[1]) continue;
        compared++;
        const id = `${basename(f)}#${a[0]}`;
        if (a.slice(3).join("") !== "") marks++;
        if (a.slice(3).join("\t") !== b.slice(3).join("\t")) bad.push(`${id} marks: ${a.slice(3).join(" | ")}  vs  ${b.slice(3).join(" | ")}`);
        const ea = a[2].split("\u0001");
        const eb = b[2].split("\u0001");
        if (ea.length > 1 && [...ea].sort().join("\n") === [...eb].sort().join("\n")) {
          ordered++;
          if (a[2] !== b[2]) bad.push(`${id} order: ${ea.join(" ; ")}  vs  ${eb.join(" ; ")}`);
        }
      }
    }
    console.log(`tcpdump corpus: ${compared} frames dissected alike; ${ordered} with several notes in the same order; ${marks} with malformed/short marks`);
    expect(ordered).toBeGreaterThan(50);
    expect(marks).toBeGreaterThan(20);
    expect(bad).toEqual([]);
  }, 300_000);
});
