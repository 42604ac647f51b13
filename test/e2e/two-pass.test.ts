/**
 * -2 (two-pass analysis) and -R (its read filter), held to tshark -2 on every fixture: the
 * summary, -V, -T json -x and -T fields of what only a later frame tells (reply in, response
 * in, reassembled in, a stream's final completeness), and -R's renumbering.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpus, firstDiff, FIXTURES, fixtures, haveTshark, KEYED, ROOT, runCli, tsharkText } from "../helpers/tshark.js";

const keysOf = (f: string): string[] => {
  const k = KEYED.find(([c]) => join(ROOT, c) === f);
  return k === undefined ? [] : ["-o", `tls.keylog_file:${join(ROOT, k[1])}`];
};
const both = (args: string[]) => ({ n: runCli([...args, "--no-progress"]), t: tsharkText(["-n", ...args]) });

// (each test runs tshark and nestcap many times: minutes on a loaded 2-core machine)

/** The fields only -2 fills (forward references), with a few one-pass ones beside them. */
const AHEAD_FIELDS = [
  "frame.number", "icmp.resp_in", "icmp.no_resp", "icmpv6.resp_in", "dns.response_in", "ip.reassembled_in", "ipv6.reassembled.in",
  "tcp.completeness", "tcp.analysis.initial_rtt", "tcp.reassembled_in", "http.response_in", "http.next_request_in",
  "http.next_response_in", "http.request_number", "http2.body.reassembled.in", "_ws.col.Info",
];

describe.skipIf(!haveTshark())("-2: two-pass analysis, as tshark -2", () => {
  for (const f of fixtures()) {
    it(`${basename(f)}: summary, -V and -T json -x equal tshark -2's`, () => {
      for (const mode of [[], ["-V"], ["-T", "json", "-x"]]) {
        const { n, t } = both(["-2", "-r", f, ...keysOf(f), ...mode]);
        expect(n.status, mode.join(" ")).toBe(0);
        expect(firstDiff(n.stdout, t), `${basename(f)} ${mode.join(" ")}`).toBeNull();
      }
    }, 600_000);
  }

  it("-T fields of the forward references equal tshark -2's on every fixture, and are filled where one pass leaves them empty", () => {
    let filled = 0;
    for (const f of fixtures()) {
      const args = ["-2", "-r", f, ...keysOf(f), "-T", "fields", ...AHEAD_FIELDS.flatMap((e) => ["-e", e])];
      const { n, t } = both(args);
      expect(n.stdout, basename(f)).toBe(t);
      const one = runCli(args.slice(1));
      if (one.stdout !== n.stdout) filled++;
    }
    // (every fixture has a request, a fragment or a TCP stream whose later frames one pass cannot see)
    expect(filled).toBe(fixtures().length);
    expect(runCli(["-r", fixtures()[0], "-T", "fields", ...AHEAD_FIELDS.flatMap((e) => ["-e", e])]).status).toBe(0);
  }, 600_000);

  it("a request whose reply was never read: '(no response found!)' and tshark's note, as tshark -2 -c", () => {
    const f = join(FIXTURES, "ping-frag.pcap");
    const { n, t } = both(["-2", "-c", "3", "-r", f, "-V"]);
    expect(n.stdout).toContain("[No response seen]");
    expect(firstDiff(n.stdout, t)).toBeNull();
    const s = both(["-2", "-c", "3", "-r", f]);
    expect(s.n.stdout).toMatch(/\(no response found!\)\n$/);
    expect(s.n.stdout).toBe(s.t);
  });

  it("-R leaves frames out and numbers the rest from 1, keeping what the left-out frames reassembled (tshark -2 -R)", () => {
    const cases: [string, string][] = [
      ["ping-frag.pcap", "icmp"], ["dns.pcap", "dns"], ["dns.pcap", "frame.number > 3"], ["http.pcapng", "http"],
      ["ipv6.pcapng", "icmpv6.type == 128"], ["tcp-analysis.pcap", "tcp.len > 0"],
    ];
    for (const [name, filter] of cases) {
      const f = join(FIXTURES, name);
      // (-V only where -R leaves no TCP stream in part, README: tshark's SEQ/ACK analysis of a left-out frame that took a kept one's number)
      const verbose = /^(icmp|frame)/.test(filter) ? ["-V"] : [];
      for (const mode of [[], verbose, ["-c", "4"], ["-Y", "frame.number > 1"], ["-T", "fields", ...AHEAD_FIELDS.flatMap((e) => ["-e", e])]]) {
        const { n, t } = both(["-2", "-R", filter, "-r", f, ...mode]);
        expect(n.status, `${name} ${filter} ${mode.join(" ")}`).toBe(0);
        // (one known difference, README: tshark measures the second shown frame's time delta from the first record read)
        const delta = /^ {4}\[Time delta from previous (captured|displayed) frame: .*\n/gm;
        expect(firstDiff(n.stdout.replace(delta, ""), t.replace(delta, "")), `${name} -R ${filter} ${mode.join(" ")}`).toBeNull();
      }
    }
    // the fragments of frame 9 are left out, its reassembly stays: ICMP, reply in 6
    const r = runCli(["-2", "-R", "icmp", "-r", join(FIXTURES, "ping-frag.pcap")]);
    expect(r.stdout.split("\n")[4]).toMatch(/^ {4}5 .* ICMP 82 Echo \(ping\) request .*\(reply in 6\)$/);
  }, 600_000);

  it("-2 -Y -w writes the displayed frames and the frames their reassembly used (fragments, segments), as tshark", () => {
    const dir = mkdtempSync(join(tmpdir(), "nc-two-pass-dep-"));
    const written = (tool: "tshark" | "nestcap", args: string[]): string[] => {
      const out = join(dir, `${tool}.pcapng`);
      if (tool === "tshark") tsharkText(["-2", ...args, "-w", out]);
      else expect(runCli(["-2", ...args, "-w", out]).status).toBe(0);
      return tsharkText(["-r", out, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len"]).trim().split("\n");
    };
    const cases: string[][] = [
      ["-Y", "icmp", "-r", join(FIXTURES, "ping-frag.pcap")], ["-Y", "icmpv6", "-r", join(FIXTURES, "ipv6.pcapng")],
      ["-Y", "http", "-r", join(FIXTURES, "http.pcapng")], ["-Y", "http", "-r", join(FIXTURES, "http-encoding.pcapng")],
      ["-R", "tcp", "-Y", "http", "-r", join(FIXTURES, "http.pcapng")],
      ["-Y", "http2", "-r", join(FIXTURES, "http2.pcapng"), "-o", `tls.keylog_file:${join(FIXTURES, "http2.keys")}`],
    ];
    for (const args of cases) {
      const n = written("nestcap", args);
      expect(n, args.join(" ")).toEqual(written("tshark", args));
      // more than the displayed frames: the fragments and segments they were put together from
      // (not for HTTP/2 here: each of its messages fits in one TLS record of one segment)
      const shown = runCli(["-2", ...args]).stdout.trim().split("\n").length;
      if (args[1] !== "http2") expect(n.length, args.join(" ")).toBeGreaterThan(shown);
    }
  }, 600_000);

  it("-w with -2 -R writes the frames that passed, as tshark", () => {
    const out = join(mkdtempSync(join(tmpdir(), "nc-two-pass-")), "dns-responses.pcapng");
    const r = runCli(["-2", "-R", "dns.flags.response == 1", "-r", join(FIXTURES, "dns.pcap"), "-w", out]);
    expect(r.status).toBe(0);
    const back = tsharkText(["-r", out, "-T", "fields", "-e", "dns.flags.response"]);
    expect(back.trim().split("\n")).toEqual(Array(back.trim().split("\n").length).fill("1"));
    expect(back.trim().split("\n").length).toBeGreaterThan(3);
  });

  /** Corpus captures where nestcap's -2 still differs from tshark's (known, README "Status"). */
  const KNOWN: Record<string, string> = {
    "http-connect__http-connect-fragmented__input.pcap": "a CONNECT tunnel's first segments: tshark's second pass does not dissect them again",
  };

  it("corpus captures: the -2 summary and -V equal tshark's where one pass does", () => {
    const files = corpus("suricata-verify", (n) => /^(http|dns|tls)/.test(n)).slice(0, 40);
    let compared = 0;
    for (const f of files) {
      if (KNOWN[basename(f)] !== undefined) continue;
      const one = both(["-r", f, "-V"]);
      if (one.n.stdout !== one.t) continue;
      for (const mode of [[], ["-V"]]) {
        const two = both(["-2", "-r", f, ...mode]);
        expect(firstDiff(two.n.stdout, two.t), `${basename(f)} ${mode.join(" ")}`).toBeNull();
      }
      compared++;
    }
    if (files.length > 0) expect(compared).toBeGreaterThan(30);
  }, 600_000);
});

describe("dissectTwoPass (the library's -2)", () => {
  it("gives each frame what the CLI's -2 prints: Info and the forward fields, on every fixture", async () => {
    const { dissectTwoPass } = await import("../../src/index.js");
    const { fieldByAbbrev } = await import("../../src/core/field.js");
    const { fieldText } = await import("../../src/core/format.js");
    const ahead = ["dns.response_in", "icmp.resp_in", "ip.reassembled_in", "tcp.reassembled_in", "http.response_in"].map((a) => fieldByAbbrev(a)!);
    for (const f of fixtures((n) => !/^http2|^https/.test(n))) {
      const cli = runCli(["-2", "-r", f, "-T", "fields", "-e", "_ws.col.Info", ...ahead.flatMap((x) => ["-e", x.abbrev])]).stdout.split("\n").slice(0, -1);
      const got: string[] = [];
      for await (const d of dissectTwoPass(f, { columns: true, wanted: ahead })) {
        got.push([d.pinfo.cols!.info, ...ahead.map((x) => d.tree.get(x).map((v) => fieldText(x, v)).join(","))].join("\t"));
      }
      expect(got, basename(f)).toEqual(cli);
    }
  }, 600_000);
});

describe("-2 and -R on the command line", () => {
  it("refuses what tshark refuses, with its message", () => {
    const dns = join(FIXTURES, "dns.pcap");
    const cases: [string[], number, RegExp][] = [
      [["-R", "dns", "-r", dns], 1, /^nestcap: -R without -2 is deprecated\. For single-pass filtering use -Y\.$/],
      [["-2", "-i", "lo"], 1, /^nestcap: Live captures do not support two-pass analysis\.$/],
      [["-2", "-r", "-"], 2, /^nestcap: The standard input could not be opened: The standard input cannot be opened for random access\.$/],
      [["-2", "-R", "no.such.field", "-r", dns], 2, /no\.such\.field/],
    ];
    for (const [args, code, msg] of cases) {
      const r = runCli(args);
      expect(r.status, args.join(" ")).toBe(code);
      expect(r.stderr.split("\n")[0], args.join(" ")).toMatch(msg);
      expect(r.stdout).toBe("");
    }
    if (haveTshark()) {
      const t = spawnSync("tshark", ["-R", "dns", "-r", dns], { encoding: "utf8" });
      expect(t.status).toBe(1);
      expect(t.stderr).toContain("-R without -2 is deprecated. For single-pass filtering use -Y.");
    }
  });

  it("a file cut short: both passes stop at the cut, every complete packet is shown, then tshark's warning and exit 2", () => {
    const cut = join(mkdtempSync(join(tmpdir(), "nc-two-pass-cut-")), "cut.pcap");
    writeFileSync(cut, readFileSync(join(FIXTURES, "dns.pcap")).subarray(0, 3000));
    const r = runCli(["-2", "-r", cut]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`nestcap: The file "${cut}" appears to have been cut short in the middle of a packet.\n`);
    const all = runCli(["-2", "-r", join(FIXTURES, "dns.pcap")]).stdout.split("\n");
    const got = r.stdout.split("\n").slice(0, -1);
    expect(got.length).toBeGreaterThan(10);
    // (the same lines as the whole file's but where a later, cut-off packet would have answered)
    if (haveTshark()) expect(r.stdout).toBe(tsharkText(["-n", "-2", "-r", cut]));
    expect(got.filter((l, i) => l !== all[i]).length).toBeLessThan(3);
  });

  it("a pipe given by name cannot be read twice: one line, exit 2", () => {
    const r = spawnSync("bash", ["-c", `node ${join(ROOT, "dist", "src", "cli", "nestcap.js")} -2 -r <(cat ${join(FIXTURES, "dns.pcap")})`], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^nestcap: The file "\/dev\/fd\/\d+" is a pipe or FIFO; nestcap can't read pipe or FIFO files in two-pass mode\.\n$/);
    expect(r.stdout).toBe("");
  });
});
