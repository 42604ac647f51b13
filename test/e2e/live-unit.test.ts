/**
 * The libpcap backend in-process: text helpers (no privileges), the device list, opening
 * handles (errors as libpcap words them), and LiveCapture on `lo` with the worker threads
 * (root; a BPF filter on a port of our own keeps other traffic on lo out).
 */
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Frame } from "../../src/capture/frame.js";
import { dltToLinkType, findAllDevs, ipv6Text, loadPcap, OpenFailure, openHandle, type Device } from "../../src/capture/libpcap.js";
import { LiveCapture } from "../../src/capture/live.js";
import { formatInterfaces, statsText } from "../../src/cli/live.js";
import { ROOT } from "../helpers/tshark.js";

let pcapWhy: string | null = null;
try {
  loadPcap();
} catch (e) {
  pcapWhy = (e as Error).message;
}
const rootWhy = pcapWhy ?? (process.getuid?.() !== 0 ? "not root" : process.platform !== "linux" ? "not Linux" : null);
if (pcapWhy) console.log(`libpcap tests skipped: ${pcapWhy}`);
else if (rootWhy) console.log(`capture tests skipped: ${rootWhy}`);

describe("live capture helpers", () => {
  it("statsText: the closing line, with per-interface lines when there are several", () => {
    expect(statsText(7, ["eth0"], [{ received: 7, dropped: 0, ifDropped: 0 }])).toBe("7 packets captured, 0 dropped by kernel, 0 dropped by interface\n");
    expect(statsText(1, ["eth0"], [null])).toBe("1 packet captured\n");
    expect(statsText(10, ["a", "b"], [{ received: 8, dropped: 2, ifDropped: 1 }, { received: 5, dropped: 3, ifDropped: 0 }])).toBe(
      "10 packets captured, 5 dropped by kernel, 1 dropped by interface\n" +
        "  'a': 8 received by filter, 2 dropped by kernel, 1 dropped by interface\n" +
        "  'b': 5 received by filter, 3 dropped by kernel, 0 dropped by interface\n",
    );
  });

  it("formatInterfaces: tshark -D numbering and labels, addresses after a tab", () => {
    const devs: Device[] = [
      { name: "eth0", addresses: [{ addr: "192.0.2.2", family: 4 }, { addr: "fe80::1", family: 6 }], flags: 6, loopback: false },
      { name: "any", description: "Pseudo-device that captures on all interfaces", addresses: [], flags: 6, loopback: false },
      { name: "lo", addresses: [{ addr: "127.0.0.1", family: 4 }], flags: 7, loopback: true },
      { name: "nflog", description: "Linux netfilter log (NFLOG) interface", addresses: [], flags: 0, loopback: false },
    ];
    expect(formatInterfaces(devs)).toBe("1. eth0\t192.0.2.2, fe80::1\n2. any\n3. lo (Loopback)\t127.0.0.1\n4. nflog (Linux netfilter log (NFLOG) interface)\n");
  });

  it("ipv6Text: RFC 5952 compression", () => {
    const b = (s: string) => Uint8Array.from(Buffer.from(s.replace(/ /g, ""), "hex"));
    expect(ipv6Text(b("0000 0000 0000 0000 0000 0000 0000 0001"))).toBe("::1");
    expect(ipv6Text(b("fe80 0000 0000 0000 00fc 00ff fe00 0001"))).toBe("fe80::fc:ff:fe00:1");
    expect(ipv6Text(b("2001 0db8 0000 0001 0000 0000 0000 0001"))).toBe("2001:db8:0:1::1"); // longest run
    expect(ipv6Text(b("2001 0db8 0000 0001 0002 0003 0004 0005"))).toBe("2001:db8:0:1:2:3:4:5"); // a single 0 stays
    expect(ipv6Text(b("0000 0000 0000 0000 0000 0000 0000 0000"))).toBe("::");
  });

  it("dltToLinkType: DLT_RAW's platform values become LINKTYPE_RAW", () => {
    expect(dltToLinkType(1)).toBe(1);
    expect(dltToLinkType(12)).toBe(101);
    expect(dltToLinkType(14)).toBe(101);
    expect(dltToLinkType(113)).toBe(113);
    expect(dltToLinkType(276)).toBe(276);
  });
});

describe.skipIf(pcapWhy !== null)("libpcap device list", () => {
  it("pcap_findalldevs lists lo as a loopback with 127.0.0.1", () => {
    const devs = findAllDevs();
    const lo = devs.find((d) => d.name === "lo");
    expect(lo, devs.map((d) => d.name).join(",")).toBeDefined();
    expect(lo!.loopback).toBe(true);
    expect(lo!.addresses.map((a) => a.addr)).toContain("127.0.0.1");
    expect(devs.some((d) => d.name === "any")).toBe(true);
  });
});

describe.skipIf(rootWhy !== null)("libpcap handles and LiveCapture (root)", () => {
  const base = { snaplen: 262144, promisc: false, timeoutMs: 100, bufferSize: 1 << 20, immediate: false };

  it("openHandle: lo opens with nanosecond timestamps; errors carry libpcap's message", () => {
    const h = openHandle({ ...base, device: "lo", filter: "udp port 9" });
    expect(h.linkType).toBe(1);
    expect(h.tsresol).toBe(1e9);
    expect(h.fd).toBeGreaterThanOrEqual(0);
    loadPcap().close(h.p);

    const fail = (o: Parameters<typeof openHandle>[0]): OpenFailure => {
      try {
        openHandle(o);
      } catch (e) {
        expect(e).toBeInstanceOf(OpenFailure);
        return e as OpenFailure;
      }
      throw new Error("opened");
    };
    const nodev = fail({ ...base, device: "nosuch-ncl9" });
    expect(nodev.kind).toBe("nodev");
    expect(nodev.message).toMatch(/No such device/);
    const bpf = fail({ ...base, device: "lo", filter: "udp and and" });
    expect(bpf.kind).toBe("filter");
    expect(bpf.message).toBe("can't parse filter expression: syntax error");
    const bpf2 = fail({ ...base, device: "lo", filter: "port 99999" });
    expect(bpf2.kind).toBe("filter");
    expect(bpf2.message).toBe("illegal port number 99999 > 65535");
  });

  it("LiveCapture: the same packets on two handles (lo twice), kernel timestamps, stats, stop", async () => {
    if (!existsSync(join(ROOT, "dist", "src", "capture", "live-worker.js"))) throw new Error("build first (dist/src/capture/live-worker.js)");
    const port = 42000 + (process.pid % 1000);
    const frames: Frame[] = [];
    const copies: { id: number; data: Buffer; ts: number }[] = [];
    const cap = new LiveCapture({ interfaces: ["lo", "lo"], filter: `udp dst port ${port}`, bufferSize: 4 << 20 }, (fr) => {
      frames.push(fr);
      copies.push({ id: fr.interfaceId, data: Buffer.from(fr.data), ts: fr.tsSec + fr.tsNsec / 1e9 });
    });
    let batches = 0;
    cap.onBatchEnd = () => void batches++;
    await cap.open();
    expect(cap.ifaces.map((i) => [i.name, i.linkType])).toEqual([["lo", 1], ["lo", 1]]);
    cap.start();
    const sock = createSocket("udp4");
    const t0 = Date.now() / 1000;
    const N = 300;
    for (let i = 0; i < N; i++) await new Promise<void>((r) => sock.send(`ncl-${i}`, port, "127.0.0.1", () => r()));
    const t1 = Date.now() / 1000;
    sock.close();
    for (let i = 0; i < 50 && copies.length < 2 * N; i++) await new Promise((r) => setTimeout(r, 100));
    const stats = await cap.close();
    expect(batches).toBeGreaterThan(0);
    expect(copies).toHaveLength(2 * N);
    expect(frames.map((f) => f.num)).toEqual(Array.from({ length: 2 * N }, (_, i) => i + 1));
    expect(cap.captured).toBe(2 * N);
    for (const id of [0, 1]) {
      const mine = copies.filter((c) => c.id === id);
      // each handle: every datagram once, in order, with kernel timestamps inside the sending window
      expect(mine.map((c) => c.data.subarray(42).toString())).toEqual(Array.from({ length: N }, (_, i) => `ncl-${i}`));
      for (let i = 1; i < mine.length; i++) expect(mine[i].ts).toBeGreaterThanOrEqual(mine[i - 1].ts);
      expect(mine[0].ts).toBeGreaterThanOrEqual(t0 - 0.05);
      expect(mine[N - 1].ts).toBeLessThanOrEqual(t1 + 0.05);
      // lo: the outgoing copies are not queued (PACKET_IGNORE_OUTGOING), so ps_recv is exact
      expect(stats[id]).toEqual({ received: N, dropped: 0, ifDropped: 0 });
    }
  }, 30000);
});
