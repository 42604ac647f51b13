/**
 * The items' bytes in the JSON outputs (tshark's -x with -T json and -T ek, and -T jsonraw),
 * and -T pdml -e: what each member holds, the command-line errors tshark gives, and byte for
 * byte tshark 4.0's output on the fixtures (also decrypted, and the tunnels' inner captures)
 * and on the first 60 HTTP/DNS captures of suricata-verify (skipped when ../shared is absent).
 */
import { describe, expect, it } from "vitest";
import { readCapture } from "../../src/index.js";
import { firstDiff, fixtures, haveTshark, KEYED, runCli, treeCaptures, tsharkText } from "../helpers/tshark.js";

type Raw = [string, number, number, number, number];
type Layers = Record<string, Record<string, unknown>>;

/** The record's bytes of frame `num` (nestcap's reader). */
async function frameBytes(file: string, num: number): Promise<Uint8Array> {
  for await (const fr of readCapture(file)) if (fr.num === num) return fr.data;
  throw new Error(`no frame ${num}`);
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

describe("-x with -T json, -T jsonraw, -T ek", () => {
  it('-T json -x puts "<key>_raw": [hex, offset, length, bitmask, type] before each item with bytes', async () => {
    // the first SYN of the capture
    const r = runCli(["-r", "fixtures/http.pcapng", "-T", "json", "-x", "-Y", "tcp.flags.syn == 1"]);
    expect(r.status).toBe(0);
    const layers = (JSON.parse(r.stdout) as { _source: { layers: Layers } }[])[0]._source.layers;
    const bytes = await frameBytes("fixtures/http.pcapng", Number(layers.frame["frame.number"]));
    // the frame: every byte, at 0, FT_PROTOCOL (1)
    expect(layers.frame_raw).toEqual([hex(bytes), 0, bytes.length, 0, 1]);
    const tcp = layers.tcp;
    // a port: its two bytes where the TCP header starts (14 + 20), FT_UINT16 (5)
    expect(tcp["tcp.srcport_raw"]).toEqual([hex(bytes.subarray(34, 36)), 34, 2, 0, 5]);
    expect(tcp["tcp.srcport"]).toBe(String((bytes[34] << 8) | bytes[35]));
    // a bit field: its value in hex instead of the bytes, and its mask; FT_BOOLEAN (2) (the
    // flags' second byte: tshark adds the one-byte flags over it)
    const flags = tcp["tcp.flags_tree"] as Record<string, unknown>;
    expect(flags["tcp.flags.syn_raw"]).toEqual(["1", 47, 1, 2, 2]);
    // a generated item with no bytes (tcp.stream) gets no _raw beside its value
    expect(tcp["tcp.stream"]).toBe("0");
    expect(tcp["tcp.stream_raw"]).toBeUndefined();
  });

  it("-T jsonraw: the _raw members and the trees, no values", () => {
    const r = runCli(["-r", "fixtures/http.pcapng", "-T", "jsonraw", "-Y", "tcp"]);
    expect(r.status).toBe(0);
    const tcp = (JSON.parse(r.stdout) as { _source: { layers: Layers } }[])[0]._source.layers.tcp;
    expect(tcp["tcp.srcport"]).toBeUndefined();
    expect((tcp["tcp.srcport_raw"] as Raw)[1]).toBe(34);
    // here even an item without bytes has one: no hex when Wireshark added it without a tvb
    expect(tcp["tcp.stream_raw"]).toEqual(["", 34, 0, 0, 7]);
    expect(tcp["tcp.completeness_raw"]).toEqual([0, 0, 0, 4]);
    expect(tcp["tcp.flags_tree"]).toBeTypeOf("object");
  });

  it('-T ek -x: "<name>_raw" with the hex before each member', () => {
    const r = runCli(["-r", "fixtures/http.pcapng", "-T", "ek", "-x", "-Y", "tcp.flags.syn == 1"]);
    const doc = JSON.parse(r.stdout.split("\n")[1]) as { layers: Layers };
    expect(doc.layers.frame_raw).toMatch(/^[0-9a-f]+$/);
    expect(doc.layers.tcp.tcp_tcp_srcport_raw).toBe(hex(Buffer.from(doc.layers.frame_raw as unknown as string, "hex").subarray(34, 36)));
    expect(doc.layers.tcp.tcp_tcp_flags_syn_raw).toBe("1");
  });

  it("the errors tshark gives: -x with fields, PDML or PSML; -e with jsonraw or the text output", () => {
    for (const t of ["fields", "pdml", "psml"]) {
      const e = t === "psml" ? [] : ["-e", "frame.number"];
      const r = runCli(["-r", "fixtures/sample.pcapng", "-T", t, ...e, "-x"]);
      expect(r.status, t).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual(["nestcap: Raw packet hex data can only be printed as text, PostScript, JSON, JSONRAW or EK JSON"]);
    }
    for (const t of ["jsonraw", "text"]) {
      const r = runCli(["-r", "fixtures/sample.pcapng", "-T", t, "-e", "frame.number"]);
      expect(r.status, t).toBe(1);
      expect(r.stderr).toContain('"-Tek, -Tfields, -Tjson or -Tpdml" was not specified');
    }
  });
});

describe("-T pdml -e", () => {
  it("geninfo, then each occurrence of each field as <field name value>", () => {
    const r = runCli(["-r", "fixtures/dns.pcap", "-T", "pdml", "-e", "dns.qry.name", "-e", "ip.src", "-Y", "dns"]);
    expect(r.status).toBe(0);
    const packet = r.stdout.slice(r.stdout.indexOf("<packet>"), r.stdout.indexOf("</packet>"));
    expect(packet).toContain('<proto name="geninfo"');
    expect(packet).toMatch(/\n {2}<field name="dns\.qry\.name" value="[^"]+"\/>\n {2}<field name="ip\.src" value="\d+\.\d+\.\d+\.\d+"\/>\n$/);
  });
});

describe.skipIf(!haveTshark())("vs tshark", () => {
  // (CONNECT to 443 carrying plain HTTP: -V differs too, see README)
  const files = treeCaptures();
  const keyed = KEYED;
  const modes = [["-T", "json", "-x"], ["-T", "jsonraw"], ["-T", "ek", "-x"]];
  for (const mode of modes) {
    it(`${mode.join(" ")}: the same output (${files.length} captures, ${keyed.length} with their key logs)`, () => {
      for (const f of files) {
        const want = tsharkText(["-n", "-r", f, ...mode]);
        expect(firstDiff(runCli(["-r", f, ...mode]).stdout, want), f).toBeNull();
      }
      for (const [f, k] of keyed) {
        const o = ["-o", `tls.keylog_file:${k}`];
        const want = tsharkText(["-n", "-r", f, ...o, ...mode]);
        expect(want, f).toMatch(/"http2?"/); // decrypted
        expect(firstDiff(runCli(["-r", f, ...o, ...mode]).stdout, want), `${f} with keys`).toBeNull();
      }
    }, 600_000);
  }

  it("--no-duplicate-keys and -j/-J with them: the same output on the fixtures", () => {
    const variants = [["-T", "json", "-x", "--no-duplicate-keys"], ["-T", "json", "-x", "-j", "ip tcp"], ["-T", "jsonraw", "-J", "tcp"]];
    for (const f of fixtures()) {
      for (const v of variants) {
        const want = tsharkText(["-n", "-r", f, ...v]);
        expect(firstDiff(runCli(["-r", f, ...v]).stdout, want), `${f} ${v.join(" ")}`).toBeNull();
      }
    }
    // (grouped: TCP's two tcp.port items are one array)
    const tcp = (JSON.parse(runCli(["-r", "fixtures/http.pcapng", "-T", "json", "--no-duplicate-keys", "-Y", "tcp"]).stdout) as { _source: { layers: Layers } }[])[0]._source.layers.tcp;
    expect(tcp["tcp.port"]).toEqual([tcp["tcp.srcport"], tcp["tcp.dstport"]]);
  }, 300_000);

  it("-T pdml -e: the same output on the fixtures (a summary column and a repeated field too)", () => {
    const e = ["ip.src", "ip.addr", "tcp.flags.syn", "frame.time", "http.request.line", "dns.qry.name", "_ws.col.Info", "ip.addr", "_ws.expert"].flatMap((x) => ["-e", x]);
    const strip = (s: string): string => s.replace(/^<pdml version.*\n/m, "");
    for (const f of fixtures()) {
      const want = strip(tsharkText(["-n", "-r", f, "-T", "pdml", ...e]));
      expect(want, f).toContain("<field name=");
      expect(firstDiff(strip(runCli(["-r", f, "-T", "pdml", ...e]).stdout), want), f).toBeNull();
    }
  }, 300_000);
});
