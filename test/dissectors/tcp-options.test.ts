/**
 * TCP options few stacks send, on hand-built segments, against tshark 4.0: SCPS capabilities
 * (the vector with every bit, a connection id, reserved bits; the extended form before and
 * after a capabilities option in the same direction), Quick-Start responses at every rate,
 * echo and echo reply, SCPS record boundary and corruption experienced, SNACK. -V, PDML (every item's bytes) and the
 * summary lines are compared whole.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pcap } from "../helpers/build.js";
import { haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

const u16 = (v: number) => [(v >>> 8) & 255, v & 255];
const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

/** Ethernet/IPv4/TCP, client 10.0.0.1:40000 → 10.0.0.2:5001 (or back), options padded with EOL. */
function segment(fromClient: boolean, seq: number, ack: number, flags: number, opts: number[]): Uint8Array {
  const o = [...opts];
  while (o.length % 4) o.push(0);
  const tcp = [...u16(fromClient ? 40000 : 5001), ...u16(fromClient ? 5001 : 40000), ...u32(seq), ...u32(ack), (5 + o.length / 4) << 4, flags, ...u16(65535), 0, 0, 0, 0, ...o];
  const c = [10, 0, 0, 1], s = [10, 0, 0, 2];
  const ip = [0x45, 0, ...u16(20 + tcp.length), 0, 1, 0x40, 0, 64, 6, 0, 0, ...(fromClient ? c : s), ...(fromClient ? s : c)];
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, ...ip, ...tcp]);
}

const SYN = 0x02, ACK = 0x10;
const FRAMES: Uint8Array[] = [
  segment(true, 100, 0, SYN, [0x14, 0x02]), // extended form before any capabilities: illegal
  segment(true, 100, 0, SYN, [0x14, 0x04, 0xff, 0x05, 0x02, 0x04, 0x05, 0xb4]), // every bit (reserved ones too), connection id 5
  segment(false, 500, 101, SYN | ACK, [0x14, 0x04, 0x00, 0x00]), // no capabilities, id 0
  segment(true, 101, 501, ACK, [0x14, 0x08, 0x01, 0x20, 0xaa, 0xbb, 0x02, 0x00]), // extended, legal now: two binding spaces
  segment(true, 101, 501, ACK, [0x14, 0x04, 0xa8, 0x00]), // BETS, SNACK2, NLTS
  segment(true, 101, 501, ACK, [0x06, 0x06, 0, 0, 0, 6, 0x07, 0x06, 0, 0, 0, 7]), // echo, echo reply
  segment(true, 101, 501, ACK, [0x1b, 0x07, 0x01, 0x02, 0x03, 0x04, 0x05]), // Quick-Start of the wrong length
  ...Array.from({ length: 16 }, (_, r) => segment(false, 501, 101, ACK, [0x1b, 0x08, 0xf0 | r, r * 3, 1, 2, 3, 4])),
  segment(true, 101, 501, ACK, [0x09, 0x02, 0x0e, 0x03, 0x01, 0x16, 0x02, 0x17, 0x02]), // unknown to tshark; SCPS record boundary, corruption experienced
  segment(true, 101, 501, ACK, [0x16, 0x03, 0x00, 0x17, 0x04, 0x00, 0x00]), // the same, longer
  segment(true, 101, 501, ACK, [0x15, 0x04, 0x00, 0x10]), // a SNACK of the wrong length
  segment(true, 101, 501, ACK, [0x02, 0x04, 0x05, 0xb4, 0x15, 0x06, 0x00, 0x10, 0x00, 0x20]), // a SNACK (malformed in tshark 4.0, see tcp-options.ts)
];

describe.skipIf(!haveTshark())("rare TCP options vs tshark", () => {
  const file = join(mkdtempSync(join(tmpdir(), "nestcap-tcpopt-")), "options.pcap");
  writeFileSync(file, pcap(FRAMES.map((data, i) => ({ sec: 1700000000 + i, frac: 0, data }))));
  it("-V, PDML and the summary lines", () => {
    const v = tsharkText(["-n", "-r", file, "-V"]);
    expect(v).toContain("Illegal SCPS Extended Capabilities (2 bytes)");
    expect(v).toContain("SCPS Extended Capabilities (8 bytes)");
    expect(v).toContain("QS Rate: 1.31072 Gbit/s (15)");
    expect(runCli(["-r", file, "-V"]).stdout).toBe(v);
    const norm = (s: string) => s.replace(/ creator="[^"]*" time="[^"]*"/, "");
    expect(norm(runCli(["-r", file, "-T", "pdml"]).stdout)).toBe(norm(tsharkText(["-n", "-r", file, "-T", "pdml"])));
    const summary = tsharkText(["-n", "-r", file]);
    expect(summary).toContain("SCPS[BETS, SNACK1, SNACK2, COMP, NLTS, RESERVED] Connection ID=5");
    expect(summary).toContain("QSresp=80 Kbit/s");
    expect(runCli(["-r", file]).stdout).toBe(summary);
  });
});
