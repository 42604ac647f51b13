/** The command line as a user meets it: built CLI, real files, compared with tshark where tshark has the same output. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpus, CORPORA, FIXTURES, haveTshark, runCli, sh, tsharkFields } from "../helpers/tshark.js";

const SAMPLE = join(FIXTURES, "sample.pcapng");
const DNS = join(FIXTURES, "dns.pcap");
const tmp = mkdtempSync(join(tmpdir(), "nestcap-cli-"));
const lines = (s: string) => s.split("\n").filter((l) => l !== "");

describe("command line", () => {
  it("prints help and version", () => {
    const h = runCli(["--help"]);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/Usage: nestcap -r FILE/);
    const v = runCli(["--version"]);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^nestcap \d+\.\d+\.\d+/);
  });

  it("rejects a bad command line with one line and a non-zero exit", () => {
    for (const args of [["-Q"], ["-r"], ["-r", SAMPLE, "-c", "x"], ["-r", SAMPLE, "-c", "99999999999999999999"], ["-r", SAMPLE, "-T", "nope"], ["-r", SAMPLE, "-T", "fields"], ["-r", SAMPLE, "-T", "fields", "-e", "no.such.field"]]) {
      const r = runCli(args);
      expect(r.status, args.join(" ")).toBe(1);
      expect(lines(r.stderr), args.join(" ")).toHaveLength(1);
      expect(r.stderr).toMatch(/^nestcap: /);
      expect(r.stdout).toBe("");
    }
  });

  it("a folder, a device or a -w file that can't be made or written: tshark's message and exit 2", () => {
    const d = mkdtempSync(join(tmpdir(), "nc-badfile-"));
    const cases: string[][] = [
      ["-r", d],
      ["-r", "/dev/null"],
      ["-r", DNS, "-w", d],
      ["-r", DNS, "-w", join(d, "no", "such", "dir", "x.pcapng")],
      ["-r", DNS, "-w", join(DNS, "x.pcapng")], // a path through a file
      ["-r", DNS, "-w", "/dev/full"],
    ];
    for (const args of cases) {
      const r = runCli(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(lines(r.stderr), args.join(" ")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/internal error/);
      if (haveTshark()) {
        const t = spawnSync("tshark", args, { encoding: "utf8" });
        expect(t.status, args.join(" ")).toBe(2);
        const msg = t.stderr.split("\n").find((l) => l.startsWith("tshark: "));
        expect(r.stderr.trim(), args.join(" ")).toBe(msg!.replace(/^tshark: /, "nestcap: "));
      }
    }
  });

  it("-o: the preferences nestcap reads are the ones its sources read; another is said to be ignored", async () => {
    const { PREFERENCES } = await import("../../src/cli/args.js");
    const root = join(FIXTURES, "..");
    const names = new Set<string>();
    for (const dir of ["src", "dissectors"]) {
      for (const f of readdirSync(join(root, dir), { recursive: true }) as string[]) {
        if (!f.endsWith(".ts")) continue;
        for (const m of readFileSync(join(root, dir, f), "utf8").matchAll(/\bpref(?:<[^>]*>)?\("([a-z0-9_.]+)"/g)) names.add(m[1]);
      }
    }
    expect([...PREFERENCES].sort()).toEqual([...names].sort());
    const known = runCli(["-r", DNS, "-c", "1", "-o", "ip.defragment:FALSE"]);
    expect(known.stderr).toBe("");
    const other = runCli(["-r", DNS, "-c", "1", "-o", "tcp.analyze_sequence_numbers:FALSE"]);
    expect(other.status).toBe(0);
    expect(lines(other.stderr)).toEqual([expect.stringMatching(/^nestcap: -o tcp\.analyze_sequence_numbers: not a preference nestcap reads \(it reads ip\.check_checksum, .*\); ignored$/)]);
    expect(other.stdout).toBe(known.stdout);
  });

  it("-r with live-capture options (-f, -b, -a duration) fails as tshark; -a packets:N reads N", () => {
    for (const args of [["-f", "udp"], ["-b", "filesize:10"], ["-a", "duration:1"]]) {
      const r = runCli(["-r", DNS, ...args]);
      expect(r.status, args.join(" ")).toBe(1);
      if (haveTshark()) {
        const t = spawnSync("tshark", ["-r", DNS, ...args], { encoding: "utf8" });
        expect(t.status).toBe(1);
        expect(r.stderr.trim()).toBe(t.stderr.split("\n").find((l) => l.startsWith("tshark: "))!.replace(/^tshark: /, "nestcap: "));
      }
    }
    expect(lines(runCli(["-r", DNS, "-a", "packets:3"]).stdout)).toHaveLength(3);
    expect(lines(runCli(["-r", DNS, "-a", "packets:5", "-c", "2"]).stdout)).toHaveLength(2);
  });

  it("-E values tshark 4.0 refuses are refused with its message; bom=y starts with a byte order mark", () => {
    for (const e of ["header=x", "header", "separator=", "aggregator=", "quote=x", "occurrence=x", "occurrence=0", "bom=x", "escape=n", "foo=bar"]) {
      const r = runCli(["-r", DNS, "-T", "fields", "-e", "ip.src", "-E", e]);
      expect(r.status, e).toBe(1);
      const k = e.split("=")[0];
      expect(r.stderr, e).toBe(`nestcap: "${k}" is not a valid field output option=value pair.\n`);
    }
    const bom = runCli(["-r", DNS, "-T", "fields", "-e", "ip.src", "-E", "bom=y", "-E", "header=y", "-c", "3"]);
    expect(bom.stdout.startsWith("\ufeffip.src\n")).toBe(true);
    if (haveTshark()) expect(bom.stdout).toBe(sh("tshark", ["-r", DNS, "-T", "fields", "-e", "ip.src", "-E", "bom=y", "-E", "header=y", "-c", "3"]));
  });

  it("reads a pipe given as a file name (-r <(cat f), /dev/stdin) as the file itself", () => {
    const cli = join(FIXTURES, "..", "dist", "src", "cli", "nestcap.js");
    const direct = runCli(["-r", DNS]).stdout;
    expect(direct.length).toBeGreaterThan(0);
    const sub = spawnSync("bash", ["-c", `"${process.execPath}" "${cli}" -r <(cat "${DNS}")`], { encoding: "utf8" });
    expect(sub.status).toBe(0);
    expect(sub.stdout).toBe(direct);
    const stdin = spawnSync("bash", ["-c", `cat "${DNS}" | "${process.execPath}" "${cli}" -r /dev/stdin`], { encoding: "utf8" });
    expect(stdin.status).toBe(0);
    expect(stdin.stdout).toBe(direct);
  });

  it("ends quietly (exit 0, nothing on stderr) when its output pipe closes early, as tshark", () => {
    const cli = join(FIXTURES, "..", "dist", "src", "cli", "nestcap.js");
    for (const args of ["-G fields", "-G protocols", "--help", `-r ${SAMPLE} -V`, `-r ${SAMPLE} -T pdml`]) {
      // (the reader takes one line and closes the pipe while nestcap is still writing)
      const r = spawnSync("bash", ["-c", `"${process.execPath}" "${cli}" ${args} | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: "utf8" });
      expect(r.stdout.trim(), args).toBe("0");
      expect(r.stderr, args).toBe("");
    }
  });

  it("says when the file is missing, or is not a capture (exit 2)", () => {
    const missing = runCli(["-r", join(tmp, "nope.pcap")]);
    expect(missing.status).toBe(2); // tshark's code for a missing file too
    expect(missing.stderr).toMatch(/doesn't exist/);
    const junk = join(tmp, "junk.pcap");
    writeFileSync(junk, "this is not a capture file\n".repeat(10));
    const r = runCli(["-r", junk]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`nestcap: The file "${junk}" isn't a capture file in a format nestcap understands.`);
  });

  it("prints every complete packet of a cut-short file, then warns (exit 2, as tshark)", () => {
    const whole = readFileSync(DNS);
    const cut = join(tmp, "cut.pcap");
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const r = runCli(["-r", cut, "-T", "fields", "-e", "frame.number"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/appears to have been cut short in the middle of a packet/);
    const all = runCli(["-r", DNS, "-T", "fields", "-e", "frame.number"]);
    expect(lines(r.stdout).length).toBe(lines(all.stdout).length - 1);
  });

  it("reads standard input like a file, and -c stops after N packets", () => {
    const a = runCli(["-r", SAMPLE]);
    const b = runCli(["-r", "-"], readFileSync(SAMPLE));
    expect(b.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(lines(runCli(["-r", SAMPLE, "-c", "3"]).stdout)).toHaveLength(3);
  });

  it("colours only when asked or on a terminal", () => {
    expect(runCli(["-r", SAMPLE, "-c", "5"]).stdout).not.toMatch(/\x1b\[/);
    expect(runCli(["-r", SAMPLE, "-c", "5", "--color=always"]).stdout).toMatch(/\x1b\[/);
  });

  it("marks the bytes of a field in the hex dump", () => {
    // frame 3 is a DNS query over IPv4: ip.ttl is byte 22 of the frame (row 0x0010, column 6)
    const r = runCli(["-r", SAMPLE, "-Y", "frame.number == 3", "-x", "--highlight", "ip.ttl", "--color=never"]);
    expect(r.status).toBe(0);
    const rows = r.stdout.split("\n");
    const i = rows.findIndex((l) => l.startsWith("0010 "));
    expect(i).toBeGreaterThan(-1);
    const mark = rows[i + 1];
    const col = rows[i].indexOf(" ", 6 + 3 * 6) - 2; // start of the 7th byte's hex digits
    expect(mark.slice(col, col + 2)).toBe("^^");
    // and the same byte in the ASCII column (which starts after the three spaces behind the hex)
    expect(mark[rows[i].lastIndexOf("   ") + 3 + 6]).toBe("^");
    expect(mark.replace(/ /g, "")).toBe("^^^");
  });

  it("reports a bad display filter with a caret (exit 2)", () => {
    const r = runCli(["-r", SAMPLE, "-Y", "ip.src == 1.2.3"]);
    expect(r.status).toBe(2);
    const l = r.stderr.split("\n");
    expect(l[0]).toMatch(/^nestcap: "1.2.3" is not a valid hostname or IPv4 address\.$/);
    expect(l[2].indexOf("^")).toBe(l[1].indexOf("1.2.3"));
  });

  it("writes JSON that parses, one object per packet", () => {
    const r = runCli(["-r", SAMPLE, "-T", "json"]);
    const j = JSON.parse(r.stdout) as { _source: { layers: Record<string, unknown> } }[];
    expect(j).toHaveLength(lines(runCli(["-r", SAMPLE]).stdout).length);
    expect(Object.keys(j[2]._source.layers)).toEqual(expect.arrayContaining(["frame", "eth", "ip", "udp", "dns"]));
  });
});

describe.skipIf(!haveTshark())("command line vs tshark", () => {
  const FIELDS = ["frame.number", "frame.time_relative", "eth.src", "ip.src", "ip.dst", "ip.ttl", "udp.dstport", "tcp.srcport", "tcp.seq", "tcp.flags", "dns.qry.name", "dns.a"];

  it("-T fields equals tshark's output, byte for byte", () => {
    for (const file of [SAMPLE, DNS]) {
      const args = FIELDS.flatMap((f) => ["-e", f]);
      const ours = runCli(["-r", file, "-T", "fields", ...args]);
      const theirs = tsharkFields(file, FIELDS).map((r) => r.join("\t")).join("\n") + "\n";
      expect(ours.stdout).toBe(theirs);
    }
  });

  it("-E header/separator/occurrence/quote as tshark", () => {
    const opts = ["-E", "header=y", "-E", "separator=,", "-E", "occurrence=f", "-E", "quote=d"];
    const f = ["frame.number", "ip.addr", "dns.qry.name"];
    const ours = runCli(["-r", DNS, "-T", "fields", ...opts, ...f.flatMap((x) => ["-e", x])]).stdout;
    const theirs = tsharkFields(DNS, f, opts).map((r) => r.join("\t")).join("\n") + "\n";
    expect(ours).toBe(theirs);
  });

  it("-Y selects the frames tshark selects", () => {
    for (const filter of ["dns", "tcp.flags.syn == 1", "ip.addr == 10.99.0.0/24 and udp", "arp or dns.flags.response == 1", "frame.len > 100"]) {
      const ours = runCli(["-r", SAMPLE, "-Y", filter, "-T", "fields", "-e", "frame.number"]).stdout;
      const theirs = tsharkFields(SAMPLE, ["frame.number"], ["-Y", filter]).map((r) => r.join("\t")).join("\n") + "\n";
      expect(ours, filter).toBe(theirs);
    }
  });

  it("HTTP over reassembled TCP: the same messages as tshark", () => {
    const http = join(FIXTURES, "http.pcapng");
    const f = ["frame.number", "http.request.method", "http.request.uri", "http.response.code", "http.content_length", "tcp.reassembled.length"];
    const ours = runCli(["-r", http, "-Y", "http", "-T", "fields", ...f.flatMap((x) => ["-e", x])]).stdout;
    const theirs = tsharkFields(http, f, ["-Y", "http"]).map((r) => r.join("\t")).join("\n") + "\n";
    expect(lines(ours).length).toBeGreaterThan(8);
    expect(ours).toBe(theirs);
  });

  it("-w writes files tshark reads back identically (pcapng and pcap)", () => {
    const f = ["frame.time_epoch", "frame.len", "frame.cap_len", "frame.protocols", "ip.src", "dns.qry.name"];
    for (const [ext, extra] of [["pcapng", []], ["pcap", ["-F", "pcap"]]] as const) {
      const out = join(tmp, `out.${ext}`);
      const r = runCli(["-r", SAMPLE, "-Y", "ip", "-w", out, ...extra]);
      expect(r.status).toBe(0);
      // as tshark: no summary lines while writing a file, unless -P
      expect(r.stdout).toBe("");
      expect(lines(runCli(["-r", SAMPLE, "-Y", "ip", "-w", out, "-P", ...extra]).stdout).length).toBe(lines(runCli(["-r", SAMPLE, "-Y", "ip"]).stdout).length);
      const want = tsharkFields(SAMPLE, f, ["-Y", "ip"]);
      const got = tsharkFields(out, f);
      expect(got.length).toBeGreaterThan(10);
      // classic pcap keeps microseconds; compare the times at that precision
      const norm = (rows: string[][]) => rows.map((r) => [r[0].slice(0, ext === "pcap" ? -3 : undefined), ...r.slice(1)].join("\t"));
      expect(norm(got)).toEqual(norm(want));
    }
  });
});

describe("-w without anything that reads the packets (no -Y, -z, -P, -V)", () => {
  it("copies the records undissected: the same file as when every packet is dissected, and tshark reads it as the input", () => {
    const files = [SAMPLE, DNS, join(FIXTURES, "ipv6.pcapng"), join(FIXTURES, "sll2.pcap"), ...corpus("tcpdump").slice(0, 8)];
    for (const file of files) {
      for (const extra of [[], ["-F", "pcap"], ["-c", "3"]]) {
        const copied = join(tmp, "copied.out"), dissected = join(tmp, "dissected.out");
        const a = runCli(["-r", file, "-w", copied, ...extra]);
        // "-Y frame": every packet passes, but each is dissected to test the filter
        const b = runCli(["-r", file, "-w", dissected, "-Y", "frame", ...extra]);
        expect(a.status, file).toBe(b.status);
        expect(a.stderr, file).toBe(b.stderr);
        expect(readFileSync(copied).equals(readFileSync(dissected)), `${file} ${extra.join(" ")}`).toBe(true);
      }
    }
    if (haveTshark()) {
      const out = join(tmp, "copied.pcapng");
      expect(runCli(["-r", SAMPLE, "-w", out]).status).toBe(0);
      expect(sh("tshark", ["-n", "-r", out])).toBe(sh("tshark", ["-n", "-r", SAMPLE]));
    }
  });
});

describe("-e _ws.col.<title>: the summary columns as fields", () => {
  const COLS = ["No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"].map((t) => `_ws.col.${t}`);
  // every default column, a wrong-case and an unknown title (tshark prints those empty), with a normal field among them
  const E = ["frame.number", ...COLS, "_ws.col.info", "_ws.col.Foo"];
  const FILES = ["sample.pcapng", "dns.pcap", "http.pcapng", "tcp-analysis.pcap", "ipv6.pcapng", "vlan.pcap", "sll2.pcap"].map((f) => join(FIXTURES, f));

  it.runIf(haveTshark()).each(FILES)("equal tshark's on %s", (file) => {
    const args = ["-r", file, "-T", "fields", "-E", "header=y", ...E.flatMap((e) => ["-e", e])];
    const r = runCli(args);
    expect(r.status).toBe(0);
    const ours = r.stdout.split("\n");
    const theirs = [E.join("\t"), ...tsharkFields(file, E).map((row) => row.join("\t")), ""];
    expect(ours).toEqual(theirs);
    // the Info cell is how the summary line ends, frame by frame
    const summary = lines(runCli(["-r", file]).stdout);
    const infos = ours.slice(1, -1).map((l) => l.split("\t")[7]);
    expect(infos.length).toBe(summary.length);
    infos.forEach((info, i) => expect(summary[i].endsWith(` ${info}`), summary[i]).toBe(true));
  });

  it("are not display-filter fields (tshark 4.0 refuses them too)", () => {
    const r = runCli(["-r", DNS, "-Y", '_ws.col.Info contains "A"']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/_ws\.col\.Info/);
  });

  it("work with several threads as with one", () => {
    const args = ["-r", join(FIXTURES, "http.pcapng"), "-T", "fields", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"];
    const one = runCli(args);
    const two = runCli([...args, "--threads", "2"]);
    expect(two.status).toBe(0);
    expect(lines(one.stdout).length).toBeGreaterThan(5);
    expect(two.stdout).toBe(one.stdout);
  });
});

describe("-G: the glossary of fields and protocols", () => {
  it("lists every field once, each usable with -e and -Y, typed and parented as tshark types them", async () => {
    const r = runCli(["-G", "fields"]);
    expect(r.status).toBe(0);
    const rows = lines(r.stdout).map((l) => l.split("\t"));
    const abbrevs = rows.map((c) => c[2]);
    expect(new Set(abbrevs).size).toBe(abbrevs.length);
    for (const c of rows) expect(c.length, c.join("|")).toBe(c[0] === "P" ? 3 : 8);
    expect(rows.find((c) => c[2] === "ip.src")).toEqual(["F", "Source Address", "ip.src", "FT_IPv4", "ip", "", "0x0", ""]);
    expect(rows.find((c) => c[2] === "openvpn")?.[0]).toBe("P");
    // every field listed is one -e and -Y take
    const { resolveFields } = await import("../../src/output/fields.js");
    const { compileFilter } = await import("../../src/filter/compile.js");
    for (const a of abbrevs) {
      expect(() => resolveFields([a]), a).not.toThrow();
      expect(() => compileFilter(a), a).not.toThrow();
    }
    if (!haveTshark()) return;
    const theirs = new Map<string, string[][]>();
    const g = spawnSync("tshark", ["-G", "fields"], { encoding: "utf8", maxBuffer: 1 << 28 }).stdout;
    for (const l of g.split("\n")) {
      const c = l.split("\t");
      if ((c[0] === "F" || c[0] === "P") && c.length > 2) theirs.set(c[2], [...(theirs.get(c[2]) ?? []), c]);
    }
    let known = 0, sameType = 0, sameParent = 0;
    const odd: string[] = [];
    const otherParent: string[] = [];
    const boolOdd: string[] = [];
    for (const c of rows.filter((x) => x[0] === "F")) {
      // nestcap's own fields (openvpn.data.*, x509.subject_line…) are not tshark's; _ws.expert
      // is a protocol to tshark (-e _ws.expert prints its label), a string to nestcap
      const t = (theirs.get(c[2]) ?? []).filter((x) => x[0] === "F");
      if (t.length === 0) continue;
      known++;
      if (t.some((x) => x[3] === c[3])) sameType++;
      else odd.push(`${c[2]}: ${c[3]} (tshark ${t.map((x) => x[3]).join("/")})`);
      // a boolean's width (the base column) and mask are one of tshark's registrations
      if (c[3] === "FT_BOOLEAN" && t.some((x) => x[3] === "FT_BOOLEAN") && !t.some((x) => x[5] === c[5] && x[6] === c[6])) {
        boolOdd.push(`${c[2]}: ${c[5]} ${c[6]} (tshark ${t.map((x) => `${x[5]} ${x[6]}`).join("/")})`);
      }
      // (the parent is what -T ek names a field with: it must be tshark's exactly)
      if (t.some((x) => x[4] === c[4])) sameParent++;
      else otherParent.push(`${c[2]}: ${c[4]} (tshark ${t.map((x) => x[4]).join("/")})`);
    }
    console.log(`-G fields: ${rows.length} entries, ${known} fields tshark has too, ${sameType} of the same type, ${sameParent} under the same protocol; types differ: ${odd.join("; ")}`);
    expect(known).toBeGreaterThan(1000);
    expect(sameType / known).toBeGreaterThan(0.97);
    expect(otherParent).toEqual([]);
    expect(sameParent).toBe(known);
    expect(boolOdd).toEqual([]);
    // tshark's protocols "in name only" (an option kind's bytes) are listed as protocols
    expect(rows.find((c) => c[2] === "tcp.options.mss")).toEqual(["P", "TCP Option - Maximum segment size", "tcp.options.mss"]);
  });

  it("lists the protocols, and refuses an unknown report", () => {
    const p = lines(runCli(["-G", "protocols"]).stdout).map((l) => l.split("\t"));
    expect(p.find((c) => c[2] === "openvpn")).toEqual(["OpenVPN Protocol", "OpenVPN", "openvpn"]);
    const bad = runCli(["-G", "nonsense"]);
    expect(bad.status).toBe(1);
    expect(lines(bad.stderr)).toHaveLength(1);
  });
});

describe("-t: the Time column's format", () => {
  const FORMATS = ["a", "ad", "adoy", "d", "dd", "e", "r", "u", "ud", "udoy"];
  // a time zone with a half-hour offset, so that local and UTC times differ in hours and minutes
  const env = { ...process.env, TZ: "Asia/Kolkata", NO_COLOR: "1" };
  const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer: 1 << 28 }).stdout;
  const CLI = [join(FIXTURES, "..", "dist", "src", "cli", "nestcap.js")];

  const same = (file: string, args: string[]) => {
    const ours = run(process.execPath, [...CLI, "-r", file, ...args]);
    expect(ours.length, args.join(" ")).toBeGreaterThan(0);
    expect(ours, args.join(" ")).toBe(run("tshark", ["-n", "-r", file, ...args]));
  };
  const FIELDS = ["-T", "fields", "-e", "_ws.col.Time", "-e", "frame.time_delta_displayed"];

  it.runIf(haveTshark())("every format as tshark (summary lines; the _ws.col.Time field)", () => {
    for (const t of FORMATS) same(DNS, ["-t", t]);
    for (const t of ["d", "dd"]) same(DNS, ["-t", t, "-Y", "dns"]); // the filter moves only "dd"
    for (const t of ["ad", "dd", "e"]) same(DNS, ["-t", t, "-Y", "dns", ...FIELDS]);
  });

  it.runIf(haveTshark()).each(["ipv6.pcapng", "http.pcapng"])("dates and displayed deltas as tshark on %s", (name) => {
    const file = join(FIXTURES, name);
    same(file, ["-t", "ad"]);
    same(file, ["-t", "udoy"]);
    same(file, ["-t", "dd", "-Y", "icmpv6 or http"]);
  });

  it.runIf(haveTshark())("-u hms as tshark: seconds, minutes and hours, negative times", () => {
    same(DNS, ["-u", "hms"]);
    same(DNS, ["-u", "hms", "-t", "dd", "-Y", "dns"]);
    same(DNS, ["-u", "hms", "-t", "e"]); // (epoch seconds stay seconds)
    // hours (a 3-hour capture) and a corrupt record's negative time, in the Time column alone
    // (the files hold protocols nestcap does not dissect)
    for (const f of corpus("tcpdump", (n) => n === "arp-oobr.pcap" || n === "babel_update_oobr.pcap")) same(f, ["-u", "hms", "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Time"]);
  });

  it("refuses an unknown format with one line", () => {
    expect(runCli(["-r", DNS, "-u", "x"]).status).toBe(1);
    const r = runCli(["-r", DNS, "-t", "x"]);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
  });

  it("the delta since the previous displayed frame is the same with --threads (read with one)", () => {
    const args = ["-r", join(FIXTURES, "http.pcapng"), "-t", "dd", "-Y", "http"];
    expect(runCli([...args, "--threads", "2"]).stdout).toBe(runCli(args).stdout);
  });
});

describe("-d: decode as", () => {
  const PORT = join(FIXTURES, "openvpn", "tls-udp-port.pcap");
  const cols = ["frame.number", "_ws.col.Protocol", "_ws.col.Info"];
  const both = (file: string, d: string, e: string[]) => {
    const r = runCli(["-r", file, "-d", d, "-T", "fields", ...e.flatMap((x) => ["-e", x])]);
    expect(r.status, r.stderr).toBe(0);
    return { ours: r.stdout, theirs: tsharkFields(file, e, ["-d", d]).map((row) => row.join("\t") + "\n").join("") };
  };

  it.runIf(haveTshark())("as tshark: a port range handed to DNS, Ethernet and HTTP payloads handed to data", () => {
    for (const [file, d, e] of [
      [PORT, "udp.port==11940:2,dns", [...cols, "dns.id", "dns.flags", "dns.qry.name", "_ws.malformed"]],
      [DNS, "ethertype==0x0800,data", [...cols, "data.len", "ip.src"]],
      [join(FIXTURES, "http.pcapng"), "tcp.port==80,data", [...cols, "http.request.method", "data.len"]],
      [DNS, "udp.port==0x35,data", [...cols, "dns.id", "data.data"]],
    ] as const) {
      const { ours, theirs } = both(file, d, [...e]);
      expect(ours, `${file} -d ${d}`).toBe(theirs);
    }
  });

  it.runIf(haveTshark())("as tshark: OpenVPN on a port of its own", () => {
    const e = ["frame.number", "openvpn.opcode", "openvpn.keyid", "openvpn.sessionid", "openvpn.mpid", "openvpn.rsessionid"];
    const { ours, theirs } = both(PORT, "udp.port==11940,openvpn", e);
    expect(ours).toBe(theirs);
    expect(ours).toMatch(/\t0x07\t/); // the client's hard reset is there
  });

  it("refuses a bad rule with one line (exit 1), warns about a lone '='", () => {
    for (const d of ["foo.port==1,openvpn", "udp.port==1,nosuch", "udp.port==x,dns", "udp.port==11940", "udp.port==9-1,dns"]) {
      const r = runCli(["-r", DNS, "-d", d]);
      expect(r.status, d).toBe(1);
      expect(lines(r.stderr), d).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
    const w = runCli(["-r", DNS, "-d", "udp.port=53,data", "-c", "3"]);
    expect(w.status).toBe(0);
    expect(w.stderr).toMatch(/WARNING: -d requires "==" instead of "="/);
    expect(lines(w.stdout)[2]).toMatch(/ UDP \d+ /);
  });

  it("gives the same output with several threads", () => {
    const args = ["-r", PORT, "-d", "udp.port==11940:2,dns", "-T", "fields", "-e", "dns.id", "-e", "_ws.col.Info"];
    const one = runCli(args);
    expect(lines(one.stdout).length).toBeGreaterThan(10);
    expect(runCli([...args, "--threads", "2"]).stdout).toBe(one.stdout);
  });
});

describe("statistics and layers from the command line", () => {
  it("-z io,phs --format json counts every frame under its link layer", () => {
    const r = runCli(["-r", SAMPLE, "-q", "-z", "io,phs", "--format", "json"]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { sections: { rows: { depth: number; protocol: string; frames: number }[] }[] };
    const top = j.sections[0].rows.filter((x) => x.depth === 0);
    expect(top.map((x) => x.protocol)).toEqual(["eth"]);
    expect(top[0].frames).toBe(lines(runCli(["-r", SAMPLE]).stdout).length);
    expect(runCli(["-r", SAMPLE, "-z", "no,such,stat"]).status).toBe(1);
  });

  it("-z follow,tcp,ascii prints the stream exactly as tshark", () => {
    const r = runCli(["-r", SAMPLE, "-q", "-z", "follow,tcp,ascii,0"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/GET \/ HTTP\/1\.1/);
    if (haveTshark()) expect(r.stdout).toBe(sh("tshark", ["-n", "-r", SAMPLE, "-q", "-z", "follow,tcp,ascii,0"]));
    expect(runCli(["-r", SAMPLE, "-q", "-z", "follow,tcp,bogus,0"]).status).toBe(1);
  });

  it("every -z statistic over fuzzed captures whose clocks jump by years (tcpdump's): exit 0, io,stat lists the intervals with frames", () => {
    const names = new Set(["babel_update_oobr.pcap", "icmpv6.pcap", "kday2.pcap", "of13_ericsson.pcapng"]);
    const files = corpus("tcpdump", (n) => names.has(n)); // (none without ../shared)
    if (existsSync(CORPORA)) expect(files).toHaveLength(names.size);
    for (const f of files) {
      const z = ["io,phs", "conv,ip", "conv,tcp", "endpoints,ip", "expert", "dns,tree", "http,tree", "openvpn,tree", "io,stat,1", "layers"].flatMap((s) => ["-z", s]);
      const r = runCli(["-r", f, "-q", "--no-progress", ...z]);
      expect(r.status, f).toBe(0);
      expect(r.stderr, f).not.toMatch(/internal error|Fatal|RangeError/);
      const m = /^(\d+) intervals: only the (\d+) with frames are listed$/m.exec(r.stdout);
      expect(m, f).not.toBeNull();
      expect(Number(m![1]), f).toBeGreaterThan(100_000);
      expect(Number(m![2]), f).toBeLessThan(100);
    }
  });

  it("--layers rulers add up: header + payload of each layer is its size", () => {
    const r = runCli(["-r", SAMPLE, "--layers", "-Y", "dns"]);
    expect(r.status).toBe(0);
    const rows = r.stdout.split("\n").filter((l) => /header \d+/.test(l));
    expect(rows.length).toBeGreaterThan(4);
    for (const l of rows) {
      const m = /\[(\d+)\.\.(\d+)\)\s+header (\d+)\s+payload (\d+)/.exec(l);
      expect(m, l).not.toBeNull();
      const [, a, b, h, p] = m!.map(Number);
      expect(h + p, l).toBe(b - a);
    }
    expect(r.stdout).toMatch(/IPv4\s+\[14\.\.\d+\)\s+header 20/);
  });
});

describe("library", () => {
  it("is importable from the built package, typed ESM", async () => {
    const lib = await import("../../dist/src/index.js");
    let n = 0;
    for await (const fr of lib.readCapture(SAMPLE)) {
      n++;
      if (fr.num === 3) {
        const d = lib.dissect(fr.linkType, fr.data);
        expect(d.pinfo.cols?.protocol).toBe("DNS");
        expect(d.pinfo.cols?.info).toMatch(/^Standard query 0x[0-9a-f]{4} A www\.example\.com/);
        const names = [...lib.walk(d.tree.root)].map((it) => it.field?.abbrev);
        expect(names).toEqual(expect.arrayContaining(["eth", "ip", "ip.ttl", "udp.dstport", "dns.qry.name"]));
      }
    }
    expect(n).toBe(lines(runCli(["-r", SAMPLE]).stdout).length);
  });
});
