/**
 * -z statistics: differential tests against tshark 4.0's `-q -z …` text (the numbers, not the
 * layout), plus unit tests for parsing, rendering and edge cases.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector, type Dissection } from "../../src/core/dissect.js";
import { fieldByAbbrev, registerField } from "../../src/core/field.js";
import { Tree } from "../../src/core/tree.js";
import { PLAIN } from "../../src/output/color.js";
import {
  ConvCollector, DnsTree, EndpointsCollector, ExpertCollector, HttpReq, HttpTree, IoStatCollector, makeStats,
  OpenVpnTree, PhsCollector, type StatsCollector,
} from "../../src/output/stats/index.js";
import { MAX_ROWS } from "../../src/output/stats/iostat.js";
import { payload, pcap } from "../helpers/build.js";
import { CORPORA, FIXTURES, fixtures, haveTshark } from "../helpers/tshark.js";

const TYPES = ["eth", "ip", "ipv6", "tcp", "udp"] as const;

function run(file: string, cs: StatsCollector[]): void {
  const fields = cs.flatMap((c) => c.fields);
  const d = new Dissector({ wanted: fields, tree: cs.some((c) => c.needsTree) });
  for (const fr of readCaptureSync(file).frames) {
    const r = d.dissect(fr);
    for (const c of cs) c.add(r);
  }
}

const ALL_SPECS = [...TYPES.map((t) => `conv,${t}`), ...TYPES.map((t) => `endpoints,${t}`), "io,phs", "io,stat,1,,tcp,udp", "expert", "dns,tree"];
const tsharkMemo = new Map<string, string>();
/** One tshark run per file with every statistic we compare (tshark is slow to start). */
function tshark(file: string): string {
  let out = tsharkMemo.get(file);
  if (out === undefined) {
    const args = ["-n", "-q", "-r", file];
    for (const s of ALL_SPECS) args.push("-z", s);
    const r = spawnSync("tshark", args, { env: { ...process.env, TZ: "UTC", LC_ALL: "C" }, encoding: "utf8", maxBuffer: 1 << 28 });
    out = r.stdout;
    tsharkMemo.set(file, out);
  }
  return out;
}

/** The lines of the block whose title line is `title` (up to the next ===== line). */
function block(out: string, title: string): string[] | null {
  const lines = out.split("\n");
  const i = lines.findIndex((l) => l.trim() === title || l.startsWith("| " + title));
  if (i < 0) return null;
  const res: string[] = [];
  for (let j = i + 1; j < lines.length && !/^={10,}/.test(lines[j]); j++) res.push(lines[j]);
  return res;
}

/** tshark's format_size (SI, "bytes" below 10 kB). */
function fmtSize(n: number): string {
  for (const [p, u] of [[1e15, "P"], [1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) if (Math.floor(n / p) >= 10) return `${Math.floor(n / p)} ${u}B`;
  return `${n} bytes`;
}

const TITLES = { eth: "Ethernet", ip: "IPv4", ipv6: "IPv6", tcp: "TCP", udp: "UDP" };

function corpusPick(folder: string, names: string[]): string[] {
  return names.map((n) => join(CORPORA, folder, n)).filter((p) => existsSync(p));
}

const FILES = [
  ...fixtures(),
  ...["tls-udp.pcap", "static-udp.pcap"].map((n) => join(FIXTURES, "openvpn", n)).filter(existsSync),
  ...corpusPick("tcpdump", ["mptcp-v1.pcap", "edns-opts.pcap", "various_gre.pcap", "icmpv6-rfc7112.pcap"]),
  ...corpusPick("zeek-openvpn", ["Traces__openvpn.pcap"]),
];

/**
 * Differences that come from dissectors this statistic reads, not from the statistic
 * (each listed with its reason; the test prints them and asserts everything else).
 */
const KNOWN: Record<string, { stats: RegExp; why: string }[]> = {
  "various_gre.pcap": [{ stats: /^(conv|endpoints),ip\b/, why: "no GRE dissector yet: tshark also counts the tunnelled IPv4 headers" }],
  "static-udp.pcap": [
    { stats: /^io,phs|^expert/, why: "tshark's OpenVPN dissector raises Malformed on static-key packets; ours decodes them" },
  ],
};
function known(file: string, stat: string): boolean {
  return (KNOWN[file] ?? []).some((k) => k.stats.test(stat));
}

describe.skipIf(!haveTshark() || FILES.length === 0)("differential vs tshark -z", () => {
  test("conv and endpoints (eth, ip, ipv6, tcp, udp) and io,phs and io,stat", () => {
    let cells = 0, agree = 0;
    const bad: string[] = [];
    let phsRows = 0, phsAgree = 0, phsFilesAgree = 0;
    const phsBad: string[] = [];
    const phsUnexpected: string[] = [];
    let knownCells = 0;
    const check = (what: string, a: unknown, b: unknown) => {
      cells++;
      if (a === b) agree++;
      else if (known(what.split(" ")[0], what.split(" ")[1])) knownCells++;
      else if (bad.length < 40) bad.push(`${what}: tshark ${String(a)} nestcap ${String(b)}`);
    };
    for (const file of FILES) {
      const name = file.split("/").pop()!;
      const convs = TYPES.map((t) => new ConvCollector(`conv,${t}`));
      const eps = TYPES.map((t) => new EndpointsCollector(`endpoints,${t}`));
      const phs = new PhsCollector("io,phs");
      const io = new IoStatCollector("io,stat,1,,tcp,udp");
      run(file, [...convs, ...eps, phs, io]);
      const out = tshark(file);

      TYPES.forEach((t, k) => {
        // conversations: A, B (with ports), frames/bytes each way, total, rel start, duration
        const lines = (block(out, `${TITLES[t]} Conversations`) ?? []).filter((l) => l.includes("<->"));
        const mine = convs[k].conversations();
        check(`${name} conv,${t} count`, lines.length, mine.length);
        lines.forEach((l, i) => {
          const c = mine[i];
          const tok = l.trim().split(/\s+/);
          const ports = t === "tcp" || t === "udp";
          const a = c ? (ports ? `${c.addrA}:${c.portA}` : c.addrA) : "";
          const b = c ? (ports ? `${c.addrB}:${c.portB}` : c.addrB) : "";
          const at = `${name} conv,${t} row ${i}`;
          check(`${at} A`, tok[0], a);
          check(`${at} B`, tok[2], b);
          check(`${at} frames B→A`, Number(tok[3]), c?.framesBA);
          check(`${at} bytes B→A`, `${tok[4]} ${tok[5]}`, c && fmtSize(c.bytesBA));
          check(`${at} frames A→B`, Number(tok[6]), c?.framesAB);
          check(`${at} bytes A→B`, `${tok[7]} ${tok[8]}`, c && fmtSize(c.bytesAB));
          check(`${at} rel start`, tok[12], c?.start.toFixed(9));
          check(`${at} duration`, Math.abs(Number(tok[13]) - (c ? c.stop - c.start : NaN)) < 0.00006, true);
        });
        // endpoints: exact numbers
        const el = (block(out, `${TITLES[t]} Endpoints`) ?? []).slice(1).filter((l) => /^\S/.test(l) && /\d\s*$/.test(l));
        const me = eps[k].endpoints();
        check(`${name} endpoints,${t} count`, el.length, me.length);
        el.forEach((l, i) => {
          const tok = l.trim().split(/\s+/);
          const e = me[i];
          const ports = t === "tcp" || t === "udp";
          const mineRow = e ? [e.addr, ...(ports ? [String(e.port)] : []), e.txFrames + e.rxFrames, e.txBytes + e.rxBytes, e.txFrames, e.txBytes, e.rxFrames, e.rxBytes].map(String) : [];
          check(`${name} endpoints,${t} row ${i}`, tok.join(" "), mineRow.join(" "));
        });
      });

      // protocol hierarchy: (depth, protocol, frames, bytes) rows
      const pl = (block(out, "Protocol Hierarchy Statistics") ?? []).filter((l) => /frames:\d+ bytes:\d+/.test(l));
      const theirs = pl.map((l) => {
        const m = /^(\s*)(\S+)\s+frames:(\d+) bytes:(\d+)/.exec(l)!;
        return `${m[1].length / 2} ${m[2]} ${m[3]} ${m[4]}`;
      });
      const ours = phs.rows().map((r) => `${r.depth} ${r.abbrev} ${r.frames} ${r.bytes}`);
      let same = theirs.length === ours.length;
      theirs.forEach((r, i) => {
        phsRows++;
        if (r === ours[i]) phsAgree++;
        else {
          same = false;
          if (phsBad.length < 30) phsBad.push(`${name}: tshark "${r}" nestcap "${ours[i]}"`);
        }
      });
      if (same) phsFilesAgree++;
      else if (!known(name, "io,phs")) phsUnexpected.push(name);

      // io,stat: frames/bytes per interval for 3 columns
      const il = out.split("\n").filter((l) => /^\|\s*[\d.]+ <> /.test(l));
      check(`${name} io,stat rows`, il.length, io.intervals());
      il.forEach((l, i) => {
        const nums = l.split("|").slice(2, 8).map((s) => Number(s.trim()));
        const mine = io.columns.flatMap((c) => [c.frames[i] ?? 0, c.bytes[i] ?? 0]);
        check(`${name} io,stat interval ${i}`, nums.join(" "), mine.join(" "));
      });
    }
    console.log(`conv/endpoints/io,stat: ${agree}/${cells} values agree over ${FILES.length} files (${knownCells} known differences, see KNOWN)`);
    console.log(`io,phs: ${phsAgree}/${phsRows} rows agree; ${phsFilesAgree}/${FILES.length} files identical`);
    if (bad.length) console.log(bad.join("\n"));
    if (phsBad.length) console.log(phsBad.join("\n"));
    expect(bad).toEqual([]);
    // PHS rows also depend on which dissectors exist (a protocol we don't dissect is "data" here):
    // every file must agree exactly except those listed in KNOWN, and the corpus files whose
    // protocols we don't have yet.
    expect(phsUnexpected.filter((n) => !FILES.some((f) => f.includes("/corpora/") && f.endsWith("/" + n)))).toEqual([]);
    expect(phsFilesAgree).toBeGreaterThanOrEqual(8);
  }, 60_000);

  test("expert", () => {
    let rows = 0, agree = 0, knownRows = 0;
    const bad: string[] = [];
    for (const file of FILES.filter((f) => !f.includes("/corpora/"))) {
      const name = file.split("/").pop()!;
      const ex = new ExpertCollector("expert");
      run(file, [ex]);
      const out = tshark(file);
      const theirs: string[] = [];
      let sev = "";
      for (const l of out.split("\n")) {
        const h = /^(Errors|Warns|Notes|Chats|Comments) \(\d+\)/.exec(l);
        if (h) sev = { Errors: "error", Warns: "warn", Notes: "note", Chats: "chat", Comments: "comment" }[h[1]]!;
        else if (/^={20,}/.test(l)) sev = "";
        const m = /^\s+(\d+)\s+(\S.*?)\s{2,}(\S+)\s{2}(.*)$/.exec(l);
        if (m && sev) theirs.push(`${sev}|${m[1]}|${m[2]}|${m[3]}|${m[4]}`);
      }
      const ours = ex.counts().map((c) => `${c.severity}|${c.count}|${c.group}|${c.protocol}|${c.message}`);
      const ourSet = new Set(ours);
      const isKnown = known(name, "expert");
      for (const t of theirs) {
        rows++;
        if (ourSet.has(t)) agree++;
        else if (isKnown) knownRows++;
        else bad.push(`${name}: tshark "${t}" not in nestcap`);
      }
      for (const o of ours) if (!theirs.includes(o) && !isKnown) bad.push(`${name}: nestcap "${o}" not in tshark`);
    }
    console.log(`expert: ${agree}/${rows} tshark rows found in nestcap (${knownRows} known differences)`);
    if (bad.length) console.log(bad.join("\n"));
    expect(bad).toEqual([]);
    expect(agree).toBeGreaterThan(20);
  }, 30_000);

  test("dns,tree", () => {
    const file = join(FIXTURES, "dns.pcap");
    if (!existsSync(file)) return;
    const dt = new DnsTree("dns,tree");
    run(file, [dt]);
    const out = tshark(file);
    const count = (label: string): number => {
      const l = out.split("\n").find((x) => x.replace(/^\s+/, "").startsWith(label + " ") && /\s\d+\s/.test(x));
      return l ? Number(/\s(\d+)\s/.exec(l.slice(label.length + l.search(/\S/)))![1]) : NaN;
    };
    expect(dt.total.total).toBe(count("Total Packets"));
    expect(dt.rcode.total).toBe(count("rcode"));
    expect(dt.opcodes.total).toBe(count("opcodes"));
    expect(dt.qr.counts.get("Query")).toBe(count("Query"));
    expect(dt.qr.counts.get("Response")).toBe(count("Response"));
    expect(dt.qtype.total).toBe(count("Query Type"));
    expect(dt.qclass.total).toBe(count("Class"));
    // per-label counts: the multiset of counts must match tshark's (label texts differ: "A (Host Address)")
    const sub = (title: string, next: string) => {
      const ls = out.split("\n");
      const i = ls.findIndex((l) => l.trim().startsWith(title + " "));
      const res: number[] = [];
      for (let j = i + 1; j < ls.length && !ls[j].trim().startsWith(next); j++) res.push(Number(/\s(\d+)\s/.exec(ls[j].trim().replace(/^.*?\s{2,}/, " "))?.[1]));
      return res.sort((a, b) => a - b);
    };
    const mine = (c: { counts: Map<string, number> }) => [...c.counts.values()].sort((a, b) => a - b);
    expect(mine(dt.qtype)).toEqual(sub("Query Type", "Class"));
    expect(mine(dt.rcode)).toEqual(sub("rcode", "opcodes"));
    expect(dt.rcode.counts.get("No such name")).toBe(count("No such name"));
  });
});

describe("makeStats", () => {
  test("known specs make collectors with their fields", () => {
    expect(makeStats("conv,ip").fields.map((f) => f.abbrev)).toEqual(["ip.src", "ip.dst"]);
    expect(makeStats("conv,tcp,tcp.port==80").fields.map((f) => f.abbrev)).toContain("tcp.port");
    expect(makeStats("io,phs").needsTree).toBe(true);
    expect(makeStats("layers").needsTree).toBe(true);
    expect(makeStats("io,stat,1,ip.len>100,udp").fields.map((f) => f.abbrev)).toEqual(expect.arrayContaining(["ip.len", "udp"]));
    expect(makeStats("expert,warn")).toBeInstanceOf(ExpertCollector);
    expect(makeStats("dns,tree")).toBeInstanceOf(DnsTree);
  });
  test("bad specs throw tshark-like messages", () => {
    expect(() => makeStats("nope")).toThrow(/invalid -z argument "nope"/);
    expect(() => makeStats("conv,sctpx")).toThrow(/conv type "sctpx"/);
    expect(() => makeStats("io,stat,abc")).toThrow(/interval/);
    expect(() => makeStats("io,stat")).toThrow(/interval/);
    expect(() => makeStats("io,stat,1,ip.src==")).toThrow(/invalid filter/);
    expect(() => makeStats("conv,ip,foo.bar==1")).toThrow(/invalid filter/);
    expect(() => makeStats("io,stat,1,SUM(frame.len)frame.len")).toThrow(/not supported/);
  });
  test("openvpn,tree uses the OpenVPN dissector's fields (or says it's missing)", () => {
    if (!fieldByAbbrev("openvpn.opcode")) {
      expect(() => makeStats("openvpn,tree")).toThrow(/openvpn.opcode.*not available/);
      return;
    }
    const file = join(FIXTURES, "openvpn", "tls-udp.pcap");
    if (!existsSync(file)) return;
    const t = new OpenVpnTree("openvpn,tree");
    run(file, [t]);
    // every OpenVPN frame has one opcode: the opcode total equals the frames tshark sees as openvpn
    const n = haveTshark() ? Number(spawnSync("sh", ["-c", `tshark -n -r ${file} -Y openvpn 2>/dev/null | wc -l`], { encoding: "utf8" }).stdout.trim()) : t.opcodes.total;
    expect(t.opcodes.total).toBe(n);
    expect(t.opcodes.counts.size).toBeGreaterThan(2);
    expect(t.bytes.total).toBeGreaterThan(0);
    expect(t.render("table", PLAIN)).toMatch(/Opcodes/);
  });
});

describe("rendering", () => {
  test("table, csv and json carry the same numbers", () => {
    const file = join(FIXTURES, "http.pcapng");
    if (!existsSync(file)) return;
    const c = makeStats("conv,tcp");
    run(file, [c]);
    const table = c.render("table", PLAIN);
    const csv = c.render("csv", PLAIN);
    const json = JSON.parse(c.render("json", PLAIN));
    const convs = (c as ConvCollector).conversations();
    expect(convs.length).toBeGreaterThan(0);
    expect(table).toContain("TCP Conversations");
    expect(csv.split("\n")[0]).toBe("Address A,Port A,Address B,Port B,Frames A→B,Bytes A→B,Frames B→A,Bytes B→A,Frames,Bytes,Rel Start,Duration");
    expect(csv.trim().split("\n").length).toBe(convs.length + 1);
    expect(json.sections[0].rows[0].frames).toBe(convs[0].framesAB + convs[0].framesBA);
    expect(json.sections[0].rows[0].bytes_a_to_b).toBe(convs[0].bytesAB);
    for (const cv of convs) expect(table).toContain(String(cv.bytesAB + cv.bytesBA));
  });
  test("tree statistics render indented rows; csv has a depth column", () => {
    const file = join(FIXTURES, "http.pcapng");
    if (!existsSync(file)) return;
    const p = makeStats("io,phs");
    run(file, [p]);
    expect(p.render("table", PLAIN)).toMatch(/\n\s*│?\s*eth\s/);
    expect(p.render("csv", PLAIN).split("\n")[0]).toBe("depth,Protocol,Frames,% Frames,Bytes,% Bytes");
  });
  test("an empty statistic renders", () => {
    for (const s of ["conv,ip", "io,phs", "expert", "io,stat,1", "layers", "dns,tree"]) {
      const c = makeStats(s);
      for (const f of ["table", "csv", "json"] as const) expect(typeof c.render(f, PLAIN)).toBe("string");
    }
  });
});

describe("unit", () => {
  test("conversation direction, self-talk and ordering", () => {
    const c = new ConvCollector("conv,ip");
    const e = new EndpointsCollector("endpoints,ip");
    const src = fieldByAbbrev("ip.src")!, dst = fieldByAbbrev("ip.dst")!;
    const mk = (num: number, s: number, d: number, len: number, ts: number): Dissection => {
      const tree = new Tree(false, null);
      tree.record(src, s);
      tree.record(dst, d);
      const layers = ["frame", "eth", "ethertype", "ip"];
      return {
        frame: { num, tsSec: ts, tsNsec: 0, caplen: len, len, data: new Uint8Array(0), linkType: 1, interfaceId: 0 },
        tree, pinfo: { layers, session: { firstTs: { s: 100, ns: 0 } } },
      } as unknown as Dissection;
    };
    const A = 0x0a000001, B = 0x0a000002, L = 0x7f000001;
    for (const d of [mk(1, B, A, 100, 100), mk(2, A, B, 60, 101), mk(3, B, A, 100, 103), mk(4, L, L, 50, 104), mk(5, L, L, 50, 104)]) {
      c.add(d);
      e.add(d);
    }
    const cv = c.conversations();
    expect(cv.map((x) => `${x.addrA}>${x.addrB} ${x.framesAB}/${x.bytesAB} ${x.framesBA}/${x.bytesBA} ${x.start}-${x.stop}`)).toEqual([
      "10.0.0.2>10.0.0.1 2/200 1/60 0-3", // A side = first packet's source
      "127.0.0.1>127.0.0.1 2/100 0/0 4-4", // self-talk counts one way
    ]);
    const ep = e.endpoints();
    expect(ep.map((x) => `${x.addr} ${x.txFrames}/${x.rxFrames}`)).toEqual(["127.0.0.1 2/2", "10.0.0.2 2/1", "10.0.0.1 1/2"]); // by total frames
  });
  test("io,stat intervals: whole capture with 0, filter commas kept inside quotes", async () => {
    const { splitFilters } = await import("../../src/output/stats/iostat.js");
    expect(splitFilters('ip,dns.qry.name=="a,b",tcp.port in {80,443}')).toEqual(["ip", 'dns.qry.name=="a,b"', "tcp.port in {80,443}"]);
    const file = join(FIXTURES, "dns.pcap");
    if (!existsSync(file)) return;
    const io = new IoStatCollector("io,stat,0");
    run(file, [io]);
    expect(io.intervals()).toBe(1);
    expect(io.columns[0].frames[0]).toBe(readCaptureSync(file).frames.length);
  });
  test("io,stat over timestamps that jump by 50 million seconds: only the intervals with frames, no giant table", () => {
    // frames at 0 s, 0.5 s, 1.2 s and 50,000,000.25 s (a fuzzed file's clock): 50,000,001 one-second intervals
    const ts: [number, number][] = [[1000, 0], [1000, 500000], [1001, 200000], [50001000, 250000]];
    const file = join(mkdtempSync(join(tmpdir(), "nc-iostat-")), "jump.pcap");
    writeFileSync(file, pcap(ts.map(([sec, frac], i) => ({ sec, frac, data: payload(60 + i) }))));
    const io = new IoStatCollector("io,stat,1");
    run(file, [io]);
    expect(io.intervals()).toBe(50_000_001);
    const r = io.report();
    expect(r.summary).toContain("50000001 intervals: only the 3 with frames are listed");
    expect(r.sections[0].rows).toEqual([
      [0, 1, 2, 60 + 61],
      [1, 2, 1, 62],
      [50000000, "50000000.25 (end)", 1, 63],
    ]);
    expect(io.intervals()).toBeGreaterThan(MAX_ROWS);
    // under the limit every interval has its row, empty ones too (as tshark): 0.2 s intervals over 1.2 s
    const io2 = new IoStatCollector("io,stat,0.2");
    const near = join(mkdtempSync(join(tmpdir(), "nc-iostat-")), "near.pcap");
    writeFileSync(near, pcap(ts.slice(0, 3).map(([sec, frac], i) => ({ sec, frac, data: payload(60 + i) }))));
    run(near, [io2]);
    expect(io2.report().sections[0].rows.map((row) => row[2])).toEqual([1, 0, 1, 0, 0, 0]);
  });
  test("http,tree and http,req from a hand-built tree", () => {
    const reg = (abbrev: string, type: "string" | "uint16") => fieldByAbbrev(abbrev) ?? registerField({ abbrev, name: abbrev, type });
    const method = reg("http.request.method", "string"), code = reg("http.response.code", "uint16");
    const host = reg("http.host", "string"), uri = reg("http.request.uri", "string");
    const ht = new HttpTree("http,tree"), hr = new HttpReq("http,req");
    const frames: [string, unknown][][] = [
      [["m", "GET"], ["h", "a.example"], ["u", "/x"]],
      [["c", 200]],
      [["m", "POST"], ["h", "a.example"], ["u", "/y"]],
      [["c", 404]],
      [["m", "GET"], ["h", "b.example"], ["u", "/x"]],
      [],
    ];
    for (const fr of frames) {
      const t = new Tree(false, null);
      for (const [k, v] of fr) t.record({ m: method, c: code, h: host, u: uri }[k]!, v as string);
      const d = { frame: { len: 100 }, tree: t, pinfo: { layers: [] } } as unknown as Dissection;
      ht.add(d);
      hr.add(d);
    }
    expect(ht.all.total).toBe(5);
    expect([...ht.requests.counts]).toEqual([["GET", 2], ["POST", 1]]);
    expect(ht.responses.counts.get("2xx: Success")).toBe(1);
    expect(ht.responses.counts.get("4xx: Client Error")).toBe(1);
    expect([...hr.hosts.counts]).toEqual([["a.example", 2], ["b.example", 1]]);
    expect([...hr.hosts.sub.get("a.example")!]).toEqual([["/x", 1], ["/y", 1]]);
    expect(hr.render("table", PLAIN)).toContain("/y");
  });
});

describe("fuzz", () => {
  test("random frames through every collector never throw", () => {
    const specs = ["conv,eth", "conv,ip", "conv,ipv6", "conv,tcp", "conv,udp", "endpoints,tcp", "io,phs", "io,stat,0.5,tcp", "expert", "dns,tree", "layers"];
    const cs = specs.map(makeStats);
    const d = new Dissector({ wanted: cs.flatMap((c) => c.fields), tree: true });
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    const base = readCaptureSync(join(FIXTURES, "http.pcapng")).frames.slice(0, 30);
    for (let i = 0; i < 400; i++) {
      const src = base.length ? base[i % base.length].data : new Uint8Array(60);
      const data = Uint8Array.from(src);
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? data.subarray(0, Math.floor(rnd() * data.length)) : data;
      const r = d.dissect({ num: i + 1, tsSec: 1000 + i, tsNsec: 0, caplen: cut.length, len: data.length, data: cut, linkType: 1, interfaceId: 0 });
      for (const c of cs) c.add(r);
    }
    for (const c of cs) for (const f of ["table", "csv", "json"] as const) expect(c.render(f, PLAIN).length).toBeGreaterThan(0);
  });
});
