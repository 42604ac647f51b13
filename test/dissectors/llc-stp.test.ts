/**
 * IEEE 802.2 LLC and STP against tshark: hand-built 802.3 frames (every control-field
 * kind, SNAP with and without an Ethertype, basic XID, every BPDU type and version, MST
 * with an MSTI, cut-short BPDUs) and the corpus's spanning-tree captures, -V line for line.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { corpus, haveTshark, nestcapFields, runCli, tsharkFields } from "../helpers/tshark.js";

const hex = (s: string): number[] => [...Buffer.from(s.replace(/\s+/g, ""), "hex")];

/** An IEEE 802.3 frame to the bridge group address (or `dst`), padded to 60 bytes. */
function e8023(payload: number[], dst = "0180c2000000"): number[] {
  const fr = [...hex(dst), ...hex("001906eab885"), payload.length >> 8, payload.length & 255, ...payload];
  while (fr.length < 60) fr.push(0);
  return fr;
}

function pcap(frames: number[][]): string {
  const b: number[] = [];
  const u32 = (v: number) => b.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  u32(0xa1b2c3d4); b.push(2, 0, 4, 0); u32(0); u32(0); u32(65535); u32(1);
  frames.forEach((f, i) => {
    u32(1000 + i); u32(0); u32(f.length); u32(f.length);
    b.push(...f);
  });
  const p = join(mkdtempSync(join(tmpdir(), "nestcap-llc-")), "llc.pcap");
  writeFileSync(p, Uint8Array.from(b));
  return p;
}

const ip = hex("45000020000100004011000 00a0000010a000002 04d2270f000c0000 61626364".replace(/ /g, ""));
const conf = hex("0000 00 01 8001001906eab880 00000004 8001001906eab885 8005 0100 1400 0200 0f00");
const rst = hex("0000 02 02 7f 8001001906eab880 00000004 8001001906eab885 8005 0100 1400 0200 0f00 00");
const msti = hex("7c 6001001ef705a880 00000000 60 80 14");
const mst = [
  ...hex("0000 03 02 38 0000001f27b47d80 00030d40 8000001646b58c80 8012 0100 1400 0200 0f00 00 0050 00"),
  ...Buffer.from("Brewery".padEnd(32, "\0")), 0, 0, ...Array.from({ length: 16 }, (_, i) => i),
  ...hex("00030d40 8000001ef705a880 14"), ...msti,
];
// the pre-standard layout: Version 3 Length 0, the format selector byte holding the length
const altMsti = hex("0001 7c 6001001ef705a880 00000000 8001001ef705a880 8005 14");
const altMst = [
  ...hex("0000 03 02 38 0000001f27b47d80 00030d40 8000001646b58c80 8012 0100 1400 0200 0f00 00 0000"), 64 + 26,
  ...Buffer.from("Region".padEnd(32, "\0")), 0, 1, ...Array.from({ length: 16 }, (_, i) => 255 - i),
  ...hex("8000001ef705a880 00030d40 14"), ...altMsti, 0,
];
const LLC_UI = [0x42, 0x42, 0x03];
const PVST = hex("aaaa03 00000c 010b");
const FRAMES = [
  e8023([...hex("aaaa03 000000 0800"), ...ip]), // SNAP, Ethertype IPv4
  e8023([...LLC_UI, ...hex("00000080")]), // TCN
  e8023(hex("04050107")), // S frame, RR, final
  e8023([...hex("4242af"), 0x81, 0x01, 0x00]), // basic XID
  e8023([...hex("4243e3"), ...Buffer.from("test data")]), // TEST response with data
  e8023([...hex("121303"), ...Buffer.from("xyz")]), // unknown SAPs
  e8023([...hex("aaaa03 123456 0001"), ...Buffer.from("abc")]), // SNAP, unknown OUI
  e8023(hex("42")), // cut short in the SSAP
  e8023([...LLC_UI, ...conf]),
  e8023([...LLC_UI, ...rst]),
  e8023([...LLC_UI, ...mst]),
  e8023([...LLC_UI, ...hex("0000 00 05 0102030405")]), // unknown BPDU type
  e8023([...LLC_UI, ...hex("0000 07 00"), ...conf.slice(4)]), // unknown version
  e8023([...LLC_UI, ...conf.slice(0, 20)]), // configuration BPDU cut short
  e8023([...hex("aaaa03 000000 1234"), ...Buffer.from("abc")]), // SNAP, unknown Ethertype
  e8023([...LLC_UI, ...conf], "0180c2000025"), // a GARP application's address
  e8023([...hex("060603"), ...ip]), // DSAP 0x06: IPv4
  e8023(hex("42420f")), // SARM
  e8023(hex("424273")), // UA, poll
  e8023([...LLC_UI, ...altMst]),
  e8023([...PVST, ...conf, ...hex("0000 0002 0005")], "01000ccccccd"), // PVST+ with its originating VLAN
  e8023([...PVST, ...rst, ...hex("0007 0003 aabbcc")], "01000ccccccd"), // an unknown TLV, no VLAN TLV
  e8023([...PVST, ...rst, ...hex("0000 0003 000500")], "01000ccccccd"), // a VLAN TLV of the wrong length
  // BPDUs followed by bytes the 802.3 length still covers: the STP item spans them all
  e8023([...LLC_UI, ...conf, ...hex("0102030405")]),
  e8023([...LLC_UI, ...rst, ...hex("0102030405060708")]),
  e8023([...LLC_UI, ...hex("00000080 aabbcc")]), // TCN
];

describe.skipIf(!haveTshark())("LLC and STP vs tshark", () => {
  const file = pcap(FRAMES);

  it("-V of hand-built 802.3 frames, line for line", () => {
    const want = execFileSync("tshark", ["-n", "-r", file, "-V"], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }).split("\n");
    const got = runCli(["-r", file, "-V"]).stdout.split("\n");
    const firstDiff = got.findIndex((l, i) => l !== want[i]);
    expect(firstDiff === -1 ? null : `line ${firstDiff + 1}: ours ${JSON.stringify(got[firstDiff])} tshark ${JSON.stringify(want[firstDiff])}`).toBeNull();
    expect(got.length).toBe(want.length);
    expect(got.filter((l) => l === "Spanning Tree Protocol").length).toBe(14);
  });

  it("summary lines (Protocol and Info columns)", () => {
    const want = execFileSync("tshark", ["-n", "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
    expect(runCli(["-r", file]).stdout).toBe(want);
  });

  it("-T fields of every LLC and STP field", () => {
    const fields = [
      "frame.protocols", "llc.dsap", "llc.dsap.sap", "llc.dsap.ig", "llc.ssap", "llc.ssap.sap", "llc.ssap.cr",
      "llc.control", "llc.control.u_modifier_cmd", "llc.control.u_modifier_resp", "llc.control.n_r", "llc.control.p", "llc.control.f",
      "llc.control.s_ftype", "llc.oui", "llc.pid", "llc.type", "basicxid.llc.xid.types", "basicxid.llc.xid.wsize",
      "stp.protocol", "stp.version", "stp.type", "stp.flags", "stp.flags.tcack", "stp.flags.port_role", "stp.flags.tc", "stp.root.prio",
      "stp.root.ext", "stp.root.hw", "stp.root.cost", "stp.bridge.hw", "stp.port", "stp.msg_age", "stp.max_age", "stp.hello", "stp.forward",
      "stp.version_1_length", "mstp.version_3_length", "mstp.config_name", "mstp.config_digest", "mstp.cist_bridge.prio",
      "mstp.cist_remaining_hops", "mstp.msti.flags", "mstp.msti.priority", "mstp.msti.msti_id", "mstp.msti.root.hw", "mstp.msti.bridge_priority",
    ];
    const want = tsharkFields(file, fields);
    const got = nestcapFields(file, fields);
    expect(got.length).toBe(FRAMES.length);
    for (let i = 0; i < want.length; i++) expect(got[i], `frame ${i + 1}`).toEqual(want[i]);
  });

  // 802.1D, 802.1w, MSTP (in a VLAN too), SPB (version 4) and Cisco Rapid PVST+ BPDUs, and
  // captures cut inside a BPDU; VTP/DTP frames of the PVST+ capture are not ours (-Y stp)
  const files = corpus("tcpdump", (n) => /spanning_tree|rapid_STP|MSTP|spb_bpduv4|stp-heapoverflow|rpvstp/.test(n));
  it.skipIf(files.length === 0)("-V of the corpus's spanning-tree captures", () => {
    for (const f of files) {
      const filter = f.includes("rpvstp") ? ["-Y", "stp"] : [];
      const want = execFileSync("tshark", ["-n", "-r", f, "-V", ...filter], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
      expect(want.length).toBeGreaterThan(1000);
      expect(runCli(["-r", f, "-V", ...filter]).stdout, f).toBe(want);
    }
    expect(files.length).toBe(9);
  });

  // every item's bytes (what -T pdml and --highlight show), the hand-built frames and the
  // corpus's captures: a short version-4 BPDU among them, whose STP item tshark does not cut
  // to the RST size
  const pdmlFiles = [...files.filter((f) => !f.includes("rpvstp")), ...corpus("tcpdump", (n) => n === "stp-v4-length-sigsegv.pcap")];
  it("-T pdml: every item's offset and length", () => {
    const normal = (s: string): string => s.replace(/ creator="[^"]*" time="[^"]*"/, "");
    let stpItems = 0;
    for (const f of [file, ...pdmlFiles]) {
      const want = execFileSync("tshark", ["-n", "-r", f, "-T", "pdml"], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
      stpItems += want.split('<proto name="stp"').length - 1;
      expect(normal(runCli(["-r", f, "-T", "pdml"]).stdout), f).toBe(normal(want));
    }
    expect(stpItems).toBeGreaterThan(files.length > 0 ? 14 : 13);
  });
});
