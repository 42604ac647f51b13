/**
 * Parallel reading (--threads) rests on one claim: a frame dissected by a worker that sees
 * only its own flows (and moves the clock on for the others) prints exactly what it prints
 * when one dissector sees every frame. Checked here in-process, over every fixture and
 * corpus file, for the summary line and a set of fields that depend on earlier frames
 * (TCP analysis, reassembly, fragments, DNS and ICMP request/response pairs, OpenVPN).
 * test/e2e/threads.test.ts then runs the real workers through the CLI.
 */
import { describe, expect, it } from "vitest";
import { FlowRouter, ipOffset } from "../../src/capture/flow-route.js";
import type { Frame } from "../../src/capture/frame.js";
import { readCaptureSync, readCaptureSyncPartial } from "../../src/capture/reader.js";
import { Dissector, type Dissection } from "../../src/core/dissect.js";
import { fieldByAbbrev } from "../../src/core/field.js";
import { makeStyle } from "../../src/output/color.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine } from "../../src/output/fields.js";
import { summaryLine } from "../../src/output/summary.js";
import { corpus, fixtures } from "../helpers/tshark.js";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../../src/core/session.js";
import { keylogFromLogs } from "../../src/openvpn/fromlog.js";
import { formatKeyLog } from "../../src/openvpn/keylog.js";
import { FIXTURES } from "../helpers/tshark.js";

const PLAIN = makeStyle("never", false);
const FIELDS = [
  "frame.number", "frame.time_delta", "frame.time_relative", "ip.src", "ipv6.dst", "ip.reassembled_in", "ip.fragment.count",
  "tcp.seq", "tcp.ack", "tcp.analysis.flags", "tcp.analysis.bytes_in_flight", "tcp.reassembled_in", "tcp.time_delta",
  "tcp.analysis.acks_frame", "tcp.segments", "ip.fragments", "udp.length", "udp.time_relative", "dns.qry.name", "dns.response_to",
  "dns.time", "icmp.resp_to", "icmp.resptime", "icmpv6.resp_to", "http.request.uri", "http.request_in", "http.prev_request_in", "http.time",
  "openvpn.opcode", "openvpn.mpid", "tls.handshake.type", "_ws.expert.message",
].map((a) => {
  const f = fieldByAbbrev(a);
  if (f === undefined) throw new Error(`no field ${a}`);
  return f;
});

function line(d: Dissection): string {
  return summaryLine(d, PLAIN) + "\n" + fieldsLine(d.tree, FIELDS, DEFAULT_FIELDS_OPTIONS);
}

/** Each frame's output with one dissector, then with `n` workers' dissectors (as parallel.ts runs them). */
function splitDiffers(frames: readonly Frame[], n: number, prefs: Record<string, string> = {}): string[] {
  const dissector = (): Dissector => new Dissector({ columns: true, wanted: FIELDS }, new Session({ prefs }));
  const one = dissector();
  const serial = frames.map((fr) => line(one.dissect(fr)));
  const bad: string[] = [];
  for (let i = 0; i < n; i++) {
    const router = new FlowRouter(n);
    const d = dissector();
    frames.forEach((fr, k) => {
      if (router.route(fr) !== i) return d.skip(fr);
      const got = line(d.dissect(fr));
      if (got !== serial[k]) bad.push(`frame ${fr.num} (worker ${i} of ${n}):\n  one:   ${serial[k]}\n  split: ${got}`);
    });
  }
  return bad;
}

function framesOf(file: string): Frame[] {
  return readCaptureSyncPartial(file).frames;
}

describe("flow routing", () => {
  it("sends both directions of a flow, and every fragment of a datagram, to the same worker", () => {
    for (const name of ["http.pcapng", "ping-frag.pcap", "ipv6.pcapng", "dns.pcap", "vlan.pcap"]) {
      const frames = readCaptureSync(join(FIXTURES, name)).frames;
      for (const n of [2, 3, 4]) {
        const r = new FlowRouter(n);
        const byFlow = new Map<string, number>();
        for (const fr of frames) {
          const w = r.route(fr);
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThan(n);
          const k = flowKey(fr);
          if (k === null) continue;
          if (byFlow.has(k)) expect(w, `${name} frame ${fr.num}`).toBe(byFlow.get(k));
          else byFlow.set(k, w);
        }
      }
    }
  });

  it("spreads flows over the workers by load", () => {
    const frames = fixtures().flatMap((f) => readCaptureSync(f).frames).filter((fr) => fr.linkType === 1);
    const r = new FlowRouter(2);
    for (const fr of frames) r.route(fr);
    const [a, b] = r.load;
    expect(a + b).toBe(frames.length);
    // the fixtures hold a few dozen flows: neither worker is left with under a quarter
    expect(Math.min(a, b)).toBeGreaterThan(frames.length / 4);
  });

  it("never throws and stays in range on cut and random bytes", () => {
    let seed = 7;
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xff;
    const r = new FlowRouter(3);
    for (let k = 0; k < 5000; k++) {
      const len = rnd() % 80;
      const data = Uint8Array.from({ length: len }, rnd);
      if (len > 14 && k % 2 === 0) (data[12] = 0x08), (data[13] = 0), (data[14] = 0x45);
      for (const lt of [0, 1, 101, 108, 113, 228, 229, 276, 147]) {
        const w = r.route({ num: k, tsSec: 0, tsNsec: 0, caplen: len, len, data, linkType: lt, interfaceId: 0 });
        expect(w >= 0 && w < 3).toBe(true);
      }
    }
    expect(ipOffset(1, new Uint8Array(10))).toBe(-1);
  });
});

describe("a split dissection prints what one dissector prints", () => {
  const files = [...fixtures(), ...corpus("tcpdump"), ...corpus("suricata-verify"), ...corpus("zeek-openvpn")];
  it(`over ${files.length} fixture and corpus files, 2 and 3 workers`, { timeout: 600_000 }, () => {
    const bad: string[] = [];
    let frames = 0;
    for (const f of files) {
      const fr = framesOf(f);
      frames += fr.length;
      for (const n of [2, 3]) for (const b of splitDiffers(fr, n)) bad.push(`${f}: ${b}`);
    }
    console.log(`split dissection: ${files.length} files, ${frames} frames, ${bad.length} differing lines`);
    expect(bad.slice(0, 10)).toEqual([]);
  });

  const OVPN = join(FIXTURES, "openvpn");
  const tunnels = existsSync(OVPN) ? ["tls-udp", "tls-tcp", "tls-crypt", "tls-auth", "static-udp", "reneg", "data-v1", "p2p-cbc", "tls-udp-port"] : [];
  it.skipIf(tunnels.length === 0)("over the OpenVPN fixtures, decrypted (the tunnels' inner flows stay with their outer one)", () => {
    const dir = mkdtempSync(join(tmpdir(), "nestcap-split-"));
    try {
      const logs = tunnels.flatMap((t) => ["client", "server"].map((w) => ({ name: `${t}-${w}`, text: readFileSync(join(OVPN, `${t}-${w}.log`), "utf8") })));
      const kl = join(dir, "all.keylog");
      writeFileSync(kl, formatKeyLog(keylogFromLogs(logs).entries));
      const prefs = { "openvpn.keylog": kl, "openvpn.tls_crypt_key": join(OVPN, "keys", "tls-crypt.key"), "openvpn.static_key": join(OVPN, "keys", "static.key") };
      const bad: string[] = [];
      let inner = 0;
      for (const t of tunnels) {
        const frames = framesOf(join(OVPN, `${t}.pcap`));
        const d = new Dissector({ columns: true }, new Session({ prefs }));
        // the keys work: inner IP packets are decrypted and dissected
        for (const fr of frames) if (d.dissect(fr).pinfo.layers.filter((l) => l === "ip").length > 1) inner++;
        for (const n of [2, 3]) for (const b of splitDiffers(frames, n, prefs)) bad.push(`${t}: ${b}`);
      }
      expect(inner).toBeGreaterThan(100);
      expect(bad.slice(0, 10)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The unordered address pair (and ports for TCP/UDP) of an unfragmented IPv4 frame, or of
 * the packet an ICMP error quotes; the IPv4 datagram for a fragment.
 */
function flowKey(fr: Frame): string | null {
  const o = ipOffset(fr.linkType, fr.data);
  return o < 0 ? null : ipv4Key(fr.data, o);
}

function ipv4Key(b: Uint8Array, o: number): string | null {
  if (o + 40 > b.length) return null;
  if (b[o] >> 4 === 4) {
    const a = [...b.subarray(o + 12, o + 16)].join(".");
    const z = [...b.subarray(o + 16, o + 20)].join(".");
    const ff = (b[o + 6] << 8) | b[o + 7];
    if (ff & 0x3fff) return `frag ${[a, z].sort().join("|")} ${(b[o + 4] << 8) | b[o + 5]}`;
    const l4 = o + (b[o] & 15) * 4;
    if (b[o + 9] === 1 && [3, 4, 5, 11, 12].includes(b[l4])) return ipv4Key(b, l4 + 8);
    const ports = b[o + 9] === 6 || b[o + 9] === 17 ? [(b[l4] << 8) | b[l4 + 1], (b[l4 + 2] << 8) | b[l4 + 3]] : [0, 0];
    return [`${a}:${ports[0]}`, `${z}:${ports[1]}`].sort().join("|") + ` ${b[o + 9]}`;
  }
  return null;
}
