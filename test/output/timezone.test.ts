/**
 * Absolute times in the local time zone, as tshark prints them: the wall-clock time
 * and the zone's abbreviation (strftime's %Z, read from the zone's TZif file), for zones
 * east and west of UTC, half-hour zones, zones with and without daylight time, and
 * dates on both sides of the zone files' last explicit transition.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { PcapngWriter } from "../../src/capture/writer.js";
import { parsePosixTz } from "../../src/core/tzname.js";
import { corpus, fixtures, haveTshark, ROOT } from "../helpers/tshark.js";

const ZONES = ["Europe/Berlin", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo", "America/New_York", "Europe/London", "Pacific/Chatham", "Asia/Tehran", "EST5EDT", "Etc/GMT+5"];
// one frame from each of many captures: dates from many years and both seasons
const SOURCES = [...fixtures((n) => n === "http.pcapng"), ...corpus("suricata-verify"), ...corpus("tcpdump")];
let merged = "";

async function mergedCapture(): Promise<string> {
  if (merged !== "") return merged;
  const dir = mkdtempSync(join(tmpdir(), "nestcap-tz-"));
  merged = join(dir, "dates.pcapng");
  const w = new PcapngWriter(merged);
  const ifaces = new Map<number, number>();
  const seen = new Set<number>();
  let n = 0;
  for (const f of SOURCES) {
    let fr;
    try {
      fr = readCaptureSync(f).frames[0];
    } catch {
      continue;
    }
    // one frame per distinct day, at most 150
    const day = fr === undefined ? -1 : Math.floor(fr.tsSec / 86400);
    if (fr === undefined || seen.has(day) || n >= 150) continue;
    seen.add(day);
    let id = ifaces.get(fr.linkType);
    if (id === undefined) {
      id = ifaces.size;
      ifaces.set(fr.linkType, id);
      w.addInterface({ linkType: fr.linkType, snaplen: 262144, tsresol: 1e9, tsoffset: 0 });
    }
    w.write({ ...fr, num: ++n, interfaceId: id });
  }
  await w.close();
  return merged;
}

function run(cmd: string, args: string[], tz: string): string {
  const exe = cmd === "nestcap" ? process.execPath : cmd;
  const a = cmd === "nestcap" ? [join(ROOT, "dist", "src", "cli", "nestcap.js"), ...args] : args;
  return spawnSync(exe, a, { env: { ...process.env, TZ: tz, NO_COLOR: "1", LC_ALL: "C" }, encoding: "utf8", maxBuffer: 1 << 28 }).stdout;
}

describe.skipIf(!haveTshark() || !existsSync("/usr/share/zoneinfo/Europe/Berlin"))("local time zones vs tshark", () => {
  it("frame.time and the -V Arrival Time agree in every zone", async () => {
    const file = await mergedCapture();
    let cells = 0;
    const bad: string[] = [];
    const v = (s: string) => s.split("\n").filter((l) => l.includes("Arrival Time")).join("\n");
    for (const tz of ZONES) {
      const args = ["-r", file, "-T", "fields", "-e", "frame.time"];
      const ours = run("nestcap", args, tz).split("\n");
      const theirs = run("tshark", ["-n", ...args], tz).split("\n");
      cells += theirs.length - 1;
      expect(ours.length, tz).toBe(theirs.length);
      for (let i = 0; i < theirs.length; i++) if (ours[i] !== theirs[i]) bad.push(`${tz} frame ${i + 1}: ${ours[i]} | ${theirs[i]}`);
      const tree = v(run("nestcap", ["-r", file, "-c", "20", "-V"], tz));
      expect(tree).toMatch(/Arrival Time: /);
      if (tree !== v(run("tshark", ["-n", "-r", file, "-c", "20", "-V"], tz))) bad.push(`${tz}: -V Arrival Time lines differ`);
    }
    console.log(`local time: ${cells} frame.time values over ${ZONES.length} zones agree with tshark (${bad.length} differ)`);
    expect(bad.slice(0, 10)).toEqual([]);
    expect(cells).toBeGreaterThan(ZONES.length * 20);
  }, 120_000);
});

describe("POSIX TZ rules", () => {
  it("reads names and offsets (east of UTC) as the C library does", () => {
    expect(parsePosixTz("CET-1CEST,M3.5.0,M10.5.0/3")).toEqual({ std: "CET", stdOff: 3600, dst: "CEST", dstOff: 7200 });
    expect(parsePosixTz("<-03>3")).toEqual({ std: "-03", stdOff: -10800, dst: null, dstOff: -10800 });
    expect(parsePosixTz("<+1345>-13:45<+1445>,M9.5.0/2:45,M4.1.0/3:45")).toEqual({ std: "+1345", stdOff: 49500, dst: "+1445", dstOff: 53100 });
    expect(parsePosixTz("UTC0")).toEqual({ std: "UTC", stdOff: 0, dst: null, dstOff: 0 });
    expect(parsePosixTz("EST5EDT4,M3.2.0,M11.1.0")).toEqual({ std: "EST", stdOff: -18000, dst: "EDT", dstOff: -14400 });
    expect(parsePosixTz("Europe/Berlin")).toBeNull();
    expect(parsePosixTz("")).toBeNull();
  });
});
