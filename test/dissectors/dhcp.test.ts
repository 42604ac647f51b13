/**
 * DHCP/BOOTP against tshark 4.0: the corpus's DHCP captures (summary lines, -V and -T json
 * whole), hand-built packets (a DORA exchange and a relayed one, every option nestcap
 * decodes, vendor suboptions, odd and wrong lengths, a truncated capture, options that run
 * past the packet, no End, the overloaded sname/file fields, BOOTP without the cookie),
 * a sweep of every option code over several lengths, seeded random suboption lists, each
 * compared as summary lines, -V, -T json and -T fields of every dhcp.* field; then a fuzz
 * loop: random and mutated messages never throw.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dissector } from "../../src/core/dissect.js";
import { allFields } from "../../src/core/field.js";
import { CORPORA, haveTshark, runCli } from "../helpers/tshark.js";

// ---------------------------------------------------------------- builders

const enc = new TextEncoder();
type B = number[];
const bytes = (...parts: (B | Uint8Array | string | number)[]): B => {
  const out: B = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p & 255);
    else if (typeof p === "string") out.push(...enc.encode(p));
    else out.push(...p);
  }
  return out;
};
const hex = (s: string): B => [...Buffer.from(s.replace(/\s+/g, ""), "hex")];
const u16 = (v: number): B => [(v >> 8) & 255, v & 255];
const u32 = (v: number): B => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const ip4 = (s: string): B => s.split(".").map(Number);
const opt = (code: number, ...data: (B | Uint8Array | string | number)[]): B => {
  const v = bytes(...data);
  return [code, v.length, ...v];
};
const msg = (t: number): B => opt(53, t);
const END = [255];
const name = (...labels: string[]): B => bytes(...labels.flatMap((l) => [l.length, l]), 0);

interface Bootp {
  op?: number; htype?: number; hlen?: number; hops?: number; xid?: number; secs?: number; flags?: number;
  ci?: string; yi?: string; si?: string; gi?: string; chaddr?: B; sname?: B | string; file?: B | string;
  cookie?: boolean; opts?: B;
}

function bootp(b: Bootp = {}): B {
  const fixed = (v: B | string | undefined, n: number): B => {
    const a = typeof v === "string" ? bytes(v) : (v ?? []);
    return [...a, ...new Array(Math.max(0, n - a.length)).fill(0)].slice(0, n);
  };
  return [
    b.op ?? 1, b.htype ?? 1, b.hlen ?? 6, b.hops ?? 0, ...u32(b.xid ?? 0x3cd0af7e), ...u16(b.secs ?? 0), ...u16(b.flags ?? 0),
    ...ip4(b.ci ?? "0.0.0.0"), ...ip4(b.yi ?? "0.0.0.0"), ...ip4(b.si ?? "0.0.0.0"), ...ip4(b.gi ?? "0.0.0.0"),
    ...fixed(b.chaddr ?? hex("00163e112233"), 16), ...fixed(b.sname, 64), ...fixed(b.file, 128),
    ...(b.cookie === false ? [] : hex("63825363")), ...(b.opts ?? []),
  ];
}

function ipsum(h: B): number {
  let s = 0;
  for (let i = 0; i < h.length; i += 2) s += (h[i] << 8) | h[i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Ethernet + IPv4 + UDP around a payload. */
function udp(payload: B, o: { src?: string; dst?: string; sport?: number; dport?: number } = {}): B {
  const u = [...u16(o.sport ?? 68), ...u16(o.dport ?? 67), ...u16(8 + payload.length), 0, 0, ...payload];
  const h = [0x45, 0, ...u16(20 + u.length), 0, 1, 0, 0, 64, 17, 0, 0, ...ip4(o.src ?? "0.0.0.0"), ...ip4(o.dst ?? "255.255.255.255")];
  const c = ipsum(h);
  h[10] = c >> 8;
  h[11] = c & 255;
  return [...hex("ffffffffffff 00163e112233 0800"), ...h, ...u];
}

/** A frame, or a frame cut to `caplen` bytes (snapshot length). */
type Rec = B | { data: B; caplen: number };

function writePcap(recs: Rec[], tag: string): string {
  const out: number[] = [];
  const w32 = (v: number) => out.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  w32(0xa1b2c3d4);
  out.push(2, 0, 4, 0);
  w32(0); w32(0); w32(262144); w32(1);
  recs.forEach((r, i) => {
    const data = Array.isArray(r) ? r : r.data;
    const cap = Array.isArray(r) ? data.length : Math.min(r.caplen, data.length);
    w32(1_600_000_000 + i); w32(i * 1000); w32(cap); w32(data.length);
    out.push(...data.slice(0, cap));
  });
  const p = join(mkdtempSync(join(tmpdir(), "nestcap-dhcp-")), `${tag}.pcap`);
  writeFileSync(p, Uint8Array.from(out));
  return p;
}

// ---------------------------------------------------------------- hand-built packets

const MAC = hex("00163e112233");
const discover = bootp({
  flags: 0x8000,
  opts: [
    ...msg(1), ...opt(61, 1, MAC), ...opt(57, u16(1500)), ...opt(50, ip4("192.168.1.50")), ...opt(12, "laptop"),
    ...opt(60, "MSFT 5.0"), ...opt(55, 1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252, 108, 255, 0, 200),
    ...opt(145, 1), ...opt(161, "https://mud.example.com/v1"), ...END,
  ],
});
const offer = bootp({
  op: 2, yi: "192.168.1.50", si: "192.168.1.1", flags: 0x8000,
  opts: [
    ...msg(2), ...opt(54, ip4("192.168.1.1")), ...opt(51, u32(86400)), ...opt(58, u32(43200)), ...opt(59, u32(75600)),
    ...opt(1, ip4("255.255.255.0")), ...opt(3, ip4("192.168.1.1"), ip4("192.168.1.2")), ...opt(6, ip4("8.8.8.8"), ip4("1.1.1.1")),
    ...opt(15, "example.com"), ...opt(28, ip4("192.168.1.255")), ...opt(42, ip4("192.168.1.1")), ...opt(26, u16(1500)),
    ...opt(2, u32(-3600 >>> 0)), ...opt(4, ip4("10.0.0.4")), ...opt(116, 1), ...END, 0, 0, 0, 0,
  ],
});
const request = bootp({
  secs: 0x0300,
  opts: [
    ...msg(3), ...opt(50, ip4("192.168.1.50")), ...opt(54, ip4("192.168.1.1")), ...opt(12, "laptop"),
    ...opt(81, 0x01, 0, 0, "laptop.example.com"), ...opt(55, 1, 3, 6, 15), ...opt(77, 4, "corp", 3, "lab"), ...END,
  ],
});
const ack = bootp({
  op: 2, ci: "192.168.1.50", yi: "192.168.1.50", si: "192.168.1.1", sname: "dhcp-server", file: "/pxelinux.0",
  opts: [
    ...msg(5), ...opt(54, ip4("192.168.1.1")), ...opt(51, u32(0xffffffff)), ...opt(1, ip4("255.255.255.0")),
    ...opt(119, name("eng", "example", "com"), 3, "lab", 0xc0, 4), ...opt(121, 24, 10, 1, 2, ip4("192.168.1.1"), 0, ip4("192.168.1.254")),
    ...opt(249, 8, 10, ip4("192.168.1.3")), ...opt(252, "http://wpad/wpad.dat"), ...opt(66, "tftp.example.com"),
    ...opt(67, "boot/grub.efi"), ...opt(43, 1, 2, 3, 4), ...opt(81, 0x05, 255, 255, name("laptop", "example", "com")), ...END,
  ],
});
const nak = bootp({ op: 2, opts: [...msg(6), ...opt(54, ip4("192.168.1.1")), ...opt(56, "wrong network"), ...END] });
const release = bootp({ ci: "192.168.1.50", opts: [...msg(7), ...opt(54, ip4("192.168.1.1")), ...END] });
const inform = bootp({ ci: "192.168.1.50", opts: [...msg(8), ...opt(55, 1, 15, 6), ...opt(60, "dhcpcd-9.4.1"), ...END] });
const decline = bootp({ opts: [...msg(4), ...opt(50, ip4("192.168.1.50")), ...END, ...new Array(20).fill(0)] });

const relayed = bootp({
  hops: 1, gi: "10.1.0.1",
  opts: [
    ...msg(1),
    ...opt(82,
      opt(1, "eth0/1/0:100"), opt(2, hex("001122334455")), opt(5, ip4("10.1.0.0")), opt(6, "subscriber-1"),
      opt(11, ip4("10.0.0.53")), opt(151, "vrf-blue"), opt(151, 0), opt(151, hex("00000a00000001")), opt(13, 0, 1),
      opt(9, u32(4491), 4, 1, 2, 3, 0, u32(9), 2, 0xab, 0xcd), opt(10, 1), opt(4, u32(0x1234)), opt(19), opt(200, 1, 2),
      opt(0), opt(16, hex("0a0b0c0d0e0f")), opt(14, "net"), opt(12, 9, 9)),
    ...END,
  ],
});

const specials = [
  // client identifiers
  bootp({ opts: [...msg(1), ...opt(61, 6, MAC), ...opt(97, 0, hex("00112233445566778899aabbccddeeff")), ...END] }),
  bootp({ opts: [...msg(1), ...opt(61, 32, MAC), ...opt(61, 0, "host.example.com"), ...opt(61, 9, 9), ...END] }),
  bootp({ opts: [...msg(1), ...opt(61, 255, u32(0x01020304), u16(1), u16(1), u32(600000000), MAC), ...END] }),
  bootp({ opts: [...msg(1), ...opt(61, 255, u32(7), u16(2), u32(311), hex("a1b2c3")), ...opt(61, 255, u32(7), u16(3), u16(1), MAC), ...END] }),
  bootp({ opts: [...msg(1), ...opt(61, 0, hex("00112233445566778899aabbccddeeff")), ...opt(61, 255, u32(7), u16(4)), ...END] }),
  // vendor-specific: raw, PXE, Alcatel-Lucent, CableLabs, Aruba
  bootp({ opts: [...msg(1), ...opt(60, "PXEClient:Arch:00007:UNDI:003016"), ...opt(93, u16(7), u16(9)), ...opt(94, 1, 3, 16), ...opt(97, 0, hex("44454c4c4a00105a8050b4c04f4d3253")), ...END] }),
  bootp({
    op: 2,
    opts: [
      ...msg(2), ...opt(60, "PXEClient"),
      ...opt(43, opt(6, 3), opt(8, u16(1), 1, ip4("10.0.0.9")), opt(9, u16(0), 4, "boot"), opt(10, 5, "Press F8"), opt(71, u16(0), u16(0)), opt(1, ip4("224.0.1.1")), opt(2, u16(1758)), opt(4, 2), opt(50, 1), 255),
      ...END,
    ],
  }),
  bootp({ opts: [...msg(5), ...opt(43, opt(58, u16(100)), opt(64, ip4("10.0.0.1")), opt(66, 1), opt(67, "sip:pbx"), 255), ...END] }),
  bootp({ opts: [...msg(1), ...opt(60, "docsis3.0:"), ...opt(43, opt(2, "ECM"), opt(4, "SN123"), opt(8, hex("00a0bc")), opt(31, MAC), opt(32, u32(7)), opt(99, 1), 255), ...END] }),
  bootp({ opts: [...msg(1), ...opt(60, "ArubaInstantAP"), ...opt(43, "org,10.0.0.5,secret"), ...END] }),
  // V-I vendor class and information
  bootp({ opts: [...msg(1), ...opt(124, u32(3561), 6, "gw1234", u32(4491), 3, "abc"), ...opt(125, u32(3561), 12, opt(1, "00d0f8"), opt(2, "SN1"), opt(6, "")), ...opt(125, u32(4491), 9, opt(1, 1, 2, 3), opt(2, ip4("10.0.0.1")), u32(99), 4, opt(1, 0, 0)), ...END] }),
  // long options split over several options (RFC 3396), SIP servers
  bootp({ opts: [...msg(5), ...opt(119, 3, "eng", 7), ...opt(119, "example", 3, "com", 0), ...opt(120, 1, ip4("10.0.0.5"), ip4("10.0.0.6")), ...END] }),
  bootp({ opts: [...msg(5), ...opt(120, 0, name("sip", "example", "com")), ...opt(120, 0), ...opt(120, name("x")), ...END] }),
  // option overload: options in the sname and file fields
  bootp({
    sname: [...opt(12, "from-sname"), 255], file: [...opt(15, "from.file"), ...opt(53, 5)],
    opts: [...msg(2), ...opt(52, 3), ...END],
  }),
  // times, lists, flags, names
  bootp({ opts: [...msg(5), ...opt(24, u32(0)), ...opt(25, u16(68), u16(296), u16(576)), ...opt(19, 1), ...opt(20, 0), ...opt(46, 8), ...opt(21, ip4("10.0.0.0"), ip4("255.0.0.0")), ...opt(33, ip4("10.0.0.0"), ip4("10.0.0.1")), ...END] }),
  bootp({ opts: [...msg(10), ...opt(151, 0, "all good"), ...opt(152, u32(3900000000)), ...opt(153, u32(30)), ...opt(154, u32(0x10000000)), ...opt(155, u32(0)), ...opt(156, 2), ...opt(157, 1), ...opt(158, 5, ip4("10.0.0.7")), ...opt(159, 0, 6, 0x12, 0x34), ...END] }),
  bootp({ opts: [...msg(5), ...opt(90, 1, 1, 0, hex("0000000000000001"), u32(5), new Array(16).fill(0xaa)), ...opt(99, 0, "US", 1, 2, "CA", 3, 0), ...opt(117, u16(6), u16(0), u16(7)), ...opt(146, 0x01, ip4("10.0.0.1"), ip4("10.0.0.2"), name("corp")), ...END] }),
  bootp({ opts: [...msg(5), ...opt(123, hex("08800000000c4000000012400010000001")), ...opt(123, 1, 3, "abc", 2, 2, "de"), ...opt(212, 16, 32, hex("20010db8000000000000000000000000"), ip4("192.0.2.1"), ip4("192.0.2.2")), ...END] }),
  bootp({ opts: [...msg(5), ...opt(242, "MCIPADD=10.0.0.1,10.0.0.2,HTTPSRVR=10.0.0.3,L2Q=1,L2QVLAN=12,VLANTEST=x,STATIC=2,FOO=bar"), ...opt(83, hex("0007000f0003000000010a0000010a000002")), ...END] }),
  bootp({ opts: [...msg(5), ...opt(63, opt(1), opt(5, 1), opt(6, ip4("10.0.0.1")), opt(8, 3), opt(11, ip4("10.0.0.2"))), ...opt(78, 0x80, 0, ip4("10.0.0.9")), ...opt(79, 0, "scope"), ...opt(85, ip4("10.0.0.3")), ...opt(122, opt(1, ip4("10.0.0.1")), opt(3, 0, name("prov")), opt(6, name("REALM")), opt(9, 0, 3)), ...END] }),
  bootp({ opts: [...msg(5), ...opt(114, "https://portal.example/"), ...opt(160, "http://x"), ...opt(108, u32(1800)), ...opt(80), ...opt(209, "pxelinux.cfg/default"), ...opt(210, "/tftpboot/"), ...END] }),
  // proxyDHCP (UDP 4011): with the cookie it is DHCP; without, not
  { proxy: bootp({ opts: [...msg(3), ...opt(60, "PXEClient"), ...END] }) },
  { proxy: bootp({ cookie: false, opts: new Array(64).fill(0) }) },
];

const odd = [
  // wrong lengths for typed options, zero lengths, unknown codes
  bootp({ opts: [...msg(1), ...opt(1, 255, 255, 0), ...opt(51, 0, 1), ...opt(3, 1, 2, 3, 4, 5), ...opt(57, 5), ...opt(19, 1, 0), ...opt(200, "x"), ...opt(84), ...opt(12), ...END] }),
  bootp({ opts: [...opt(53), ...END] }), // message type of length 0: reads the End as the type, then runs out
  bootp({ opts: [...msg(1), ...opt(12, "host"), 15, 50, ...bytes("abc")] }), // an option running past the message
  bootp({ opts: [...msg(1), ...opt(12, "host")] }), // no End option
  bootp({ opts: [...msg(1), 0, 0, 0, ...opt(12, "h"), ...END, 0, 0, 1, 2] }), // pads, then padding after End
  bootp({ opts: [...msg(2), 12] }), // an option code with no length byte
  bootp({ opts: [...msg(1), ...opt(121, 33, 1, 2, 3, 4), ...opt(121, 24, 10, 0), ...opt(77, 9, "x"), ...opt(77, 1, "a", 0), ...opt(81, 4, 0, 0, 0xc0), ...END] }),
  bootp({ opts: [...msg(1), ...opt(82, 1, 10, 1), ...opt(82, 2), ...opt(125, u32(1), 9, 1), ...opt(43, 58, 2, 0), ...END] }),
  bootp({ opts: [...msg(1), ...opt(120, 2, 1), ...opt(120, 1, 1, 2), ...opt(117, 1, 2, 3), ...opt(52, 7), ...END] }),
  bootp({ opts: [...msg(19), ...opt(52), ...END] }), // unknown message type, empty overload
  // V-I vendor data claiming more than the option holds: tshark's ContainedBoundsError
  bootp({ opts: [...msg(1), ...opt(125, u32(3561), 20, 1, 10, "00"), ...END] }),
  bootp({ opts: [...msg(1), ...opt(125, u32(4491), 2, 1), ...END] }),
  bootp({ htype: 1, hlen: 0, opts: [...msg(1), ...END] }),
  bootp({ htype: 1, hlen: 17, opts: [...msg(1), ...END] }),
  bootp({ htype: 32, hlen: 16, chaddr: [...Array(16).keys()], opts: [...msg(1), ...END] }),
  bootp({ htype: 6, hlen: 4, chaddr: [1, 2, 3, 4], secs: 0x0500, flags: 0x8001, opts: [...msg(1), ...END] }),
  bootp({ sname: bytes("ab", 0, "cd"), file: bytes(1, "x", 0xe9, 0xff), opts: [...msg(1), ...opt(161, "ab", 0, "cd"), ...opt(15, 0xc3, 0xa9, "t"), ...END] }),
  bootp({ cookie: false, opts: new Array(64).fill(1) }), // BOOTP: vendor bytes instead of the cookie
  bootp({ op: 2, cookie: false, opts: new Array(64).fill(0) }),
  bootp({ op: 7 }), // unknown op, cookie, no options
  bootp(), // BOOTP request with the cookie and nothing after it
  bootp().slice(0, 100), // cut inside the sname field (the UDP length says so)
];

/** Every frame of the hand-built capture. */
function handBuilt(): Rec[] {
  const recs: Rec[] = [];
  const srv = { src: "192.168.1.1", dst: "192.168.1.50", sport: 67, dport: 68 };
  recs.push(udp(discover), udp(offer, srv), udp(request), udp(ack, srv), udp(nak, srv), udp(release), udp(inform), udp(decline));
  recs.push(udp(relayed, { src: "10.1.0.1", dst: "10.0.0.53", sport: 67, dport: 67 }));
  for (const s of specials) {
    if (Array.isArray(s)) recs.push(udp(s));
    else recs.push(udp(s.proxy, { sport: 68, dport: 4011 }));
  }
  for (const o of odd) recs.push(udp(o));
  // snapshot length cuts: inside the options (first pass runs out), inside the header
  const full = udp(ack, srv);
  const off = udp(offer, srv);
  recs.push({ data: full, caplen: 300 }, { data: full, caplen: 60 }, { data: off, caplen: off.length - 20 });
  return recs;
}

// ---------------------------------------------------------------- sweeps

/** A small deterministic generator (the tests repeat exactly). */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

/** Every option code 1..254 at several lengths, after a message type. */
function optionSweep(): Rec[] {
  const recs: Rec[] = [];
  for (let c = 1; c < 255; c++) {
    for (const len of [0, 1, 2, 4, 5, 8, 16]) {
      const data = Array.from({ length: len }, (_, i) => (i === 0 ? 1 : 0x41 + i));
      recs.push(udp(bootp({ opts: [...msg(1), ...opt(c, data), ...END] })));
    }
  }
  return recs;
}

/** Random suboption lists for the options that have them, and random values for the rest. */
function randomSweep(seed: number, count: number): Rec[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[r(a.length)];
  const rb = (n: number): B => Array.from({ length: n }, () => r(256));
  const rs = (n: number): B => Array.from({ length: n }, () => pick([...bytes("abcdefghij.-0123")]));
  const tlvs = (codes: number[], max: number): B => {
    let out: B = [];
    for (let i = 1 + r(4); i > 0; i--) {
      const len = r(max);
      out.push(pick(codes), len, ...(r(2) ? rb(len) : rs(len)));
    }
    if (r(10) === 0) out = out.slice(0, r(out.length + 1));
    return out;
  };
  const vcs = ["PXEClient:Arch:00007", "docsis3.0:", "CableHome", "ArubaAP", "ArubaInstantAP", "cisco", "AEROHIVE", "AAPLBSDPC/x", "MSFT 5.0"];
  const recs: Rec[] = [];
  for (let n = 0; n < count; n++) {
    const opts: B = [...msg(1 + r(18))];
    for (let k = 1 + r(3); k > 0; k--) {
      const c = pick([43, 63, 82, 125, 122, 77, 119, 121, 124, 81, 99, 61, 97, 242, 83, 52, 60, 1 + r(254)]);
      let v: B;
      switch (c) {
        case 43: {
          const vc = pick(vcs);
          opts.push(...opt(60, vc));
          v = vc.startsWith("ArubaI") ? rs(r(12)) : tlvs(vc.startsWith("AAPL") ? [0, 1, 2, 3, 5, 7, 9, 11, 12, 255] : [0, 1, 2, 4, 6, 8, 9, 10, 31, 58, 64, 66, 71, 179, 225, 226, 255], 10);
          break;
        }
        case 82: v = tlvs([1, 2, 4, 5, 6, 9, 10, 11, 13, 16, 19, 150, 151, 152, 0, 99], 9); break;
        case 125: {
          const e = pick([3561, 4491, 9]);
          const d = tlvs(e === 4491 ? [0, 1, 2, 3, 4, 6] : [0, 1, 2, 3, 6, 7], 8);
          v = [...u32(e), d.length, ...d];
          break;
        }
        case 63: v = tlvs([...Array(13).keys()], 6); break;
        case 122: v = tlvs([...Array(11).keys()], 14); break;
        case 61: case 97: v = pick([[1, ...rb(6)], [0, ...rb(16)], [255, ...rb(4), ...u16(1 + r(3)), ...rb(r(12))], rb(r(9))]); break;
        case 242: v = bytes(pick(["L2QVLAN=7", "SNMPADD=1.2.3.4,5.6.7.8", "bare,TLSSRVR=x", "PHY1STAT=5,DOT1X=9"])); break;
        default: v = r(2) ? rb(r(20)) : rs(r(20));
      }
      opts.push(...opt(c, v));
    }
    opts.push(...pick([END, END, [255, 0, 0], []]));
    const f = udp(bootp({ opts }));
    recs.push(r(20) === 0 ? { data: f, caplen: 42 + r(f.length - 42) } : f);
  }
  return recs;
}

// ---------------------------------------------------------------- comparisons

const env = { ...process.env, TZ: "UTC", LC_ALL: "C" };
const tshark = (args: string[]): string => execFileSync("tshark", args, { env, maxBuffer: 1 << 30, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
const nestcap = (args: string[]): string => runCli(args).stdout;

/** tshark's blank-line-separated -V blocks (one per frame). */
const blocks = (s: string): string[] => s.split("\n\n");

/** The first line where two texts differ, for a readable failure. */
function firstDiff(want: string, got: string, what: string): string | null {
  if (want === got) return null;
  const a = want.split("\n");
  const b = got.split("\n");
  const i = a.findIndex((l, k) => l !== b[k]);
  const k = i < 0 ? a.length : i;
  return `${what}: line ${k + 1}: tshark ${JSON.stringify(a[k])} nestcap ${JSON.stringify(b[k])}`;
}

/** Every dhcp.* field nestcap registers, plus the layers, Info and expert fields. */
function fieldList(): string[] {
  const seen = new Set<string>();
  for (const f of allFields()) if (f.abbrev.startsWith("dhcp.")) seen.add(f.abbrev);
  return ["frame.protocols", "_ws.col.Protocol", "_ws.col.Info", "_ws.expert", "_ws.malformed", ...seen];
}

/** Summary lines, -V, -T json and -T fields of all DHCP fields, against tshark. */
function compareAll(file: string, filter: string[] = [], withFields = true): void {
  const base = ["-n", "-r", file, ...filter];
  expect(firstDiff(tshark(base), nestcap(["-r", file, ...filter]), `${basename(file)} summary`)).toBeNull();
  const tv = blocks(tshark([...base, "-V"]));
  const nv = blocks(nestcap(["-r", file, ...filter, "-V"]));
  expect(nv.length, `${basename(file)} -V frames`).toBe(tv.length);
  for (let i = 0; i < tv.length; i++) expect(firstDiff(tv[i], nv[i], `${basename(file)} -V block ${i + 1}`)).toBeNull();
  expect(firstDiff(tshark([...base, "-T", "json"]), nestcap(["-r", file, ...filter, "-T", "json"]), `${basename(file)} -T json`)).toBeNull();
  if (!withFields) return;
  const e = fieldList().flatMap((x) => ["-e", x]);
  const tf = tshark([...base, "-T", "fields", ...e]).split("\n");
  const nf = nestcap(["-r", file, ...filter, "-T", "fields", ...e]).split("\n");
  const names = fieldList();
  expect(nf.length).toBe(tf.length);
  for (let i = 0; i < tf.length; i++) {
    const a = tf[i].split("\t");
    const b = nf[i].split("\t");
    for (let j = 0; j < a.length; j++) {
      if (a[j] !== b[j]) expect(`${basename(file)} frame ${i + 1} ${names[j]}: ${JSON.stringify(b[j])}`).toBe(`${basename(file)} frame ${i + 1} ${names[j]}: ${JSON.stringify(a[j])}`);
    }
  }
}

// ---------------------------------------------------------------- tests

const TCPDUMP = join(CORPORA, "tcpdump");
/** DHCP-only captures: compared whole. */
const CORPUS_WHOLE = ["dhcp-mud.pcap", "dhcp-rfc4388.pcap", "dhcp-rfc5859.pcap", "dhcp-option-108.pcapng", "bootp_asan.pcap", "bootp_asan-2.pcap"];
/**
 * Captures where DHCP sits beside protocols nestcap has no dissector for (LLDP, DCBX, AFS
 * Rx, NetBIOS/SMB, EAPOL…): their DHCP frames (-Y dhcp). ieee802.11_htc.pcap is left out:
 * its DHCP frame is inside radiotap/802.11, which nestcap does not dissect.
 */
const CORPUS_MIXED = ["dcb_pfc.pcap", "dcb_qcn.pcap", "rx_serviceid_oobr.pcap", "eapon1.pcap"];

describe.skipIf(!haveTshark())("DHCP vs tshark", () => {
  it.skipIf(!existsSync(TCPDUMP))("the corpus's DHCP captures: summary, -V, -T json, -T fields", () => {
    for (const f of CORPUS_WHOLE) compareAll(join(TCPDUMP, f));
    for (const f of CORPUS_MIXED) compareAll(join(TCPDUMP, f), ["-Y", "dhcp"]);
    // the leasequery capture: 34 DHCP and 2 BOOTP frames (the ICMP errors quoting a message)
    const rows = nestcap(["-r", join(TCPDUMP, "dhcp-rfc4388.pcap"), "-Y", "dhcp", "-T", "fields", "-e", "_ws.col.Protocol"]).trim().split("\n");
    expect(rows.filter((p) => p === "DHCP").length).toBe(34);
    expect(rows.length).toBe(36);
  });

  it("hand-built DORA, relayed and vendor messages, odd lengths and cut captures", () => {
    const file = writePcap(handBuilt(), "hand");
    compareAll(file);
    const info = nestcap(["-r", file]).split("\n");
    expect(info[0]).toContain("DHCP Discover - Transaction ID 0x3cd0af7e");
    expect(info[2]).toContain("DHCP Request  - Transaction ID 0x3cd0af7e");
    expect(info[3]).toContain("DHCP ACK      - Transaction ID 0x3cd0af7e");
  });

  it("every option code at lengths 0, 1, 2, 4, 5, 8 and 16", () => {
    compareAll(writePcap(optionSweep(), "sweep"));
  });

  it("seeded random suboption lists and values", () => {
    for (const seed of [1, 2, 3]) compareAll(writePcap(randomSweep(seed, 500), `random${seed}`));
  });
});

describe("DHCP fuzz", () => {
  // a full tree (-V), a sparse one recording every DHCP field (-T fields), and columns only
  const ds = [
    new Dissector({ tree: true, columns: true }),
    new Dissector({ tree: false, columns: false, wanted: allFields().filter((f) => f.abbrev.startsWith("dhcp.") || f.abbrev.startsWith("_ws.")) }),
    new Dissector({ tree: false, columns: true }),
  ];
  let turn = 0;
  const d = { dissect: (fr: Parameters<Dissector["dissect"]>[0]) => ds[turn++ % ds.length].dissect(fr) };
  const frame = (data: Uint8Array, len = data.length) => ({ num: 1, tsSec: 0, tsNsec: 0, caplen: data.length, len, data, linkType: 1, interfaceId: 0 });
  const seeds = handBuilt().map((r) => Uint8Array.from(Array.isArray(r) ? r : r.data));

  it("random payloads on port 67 never throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.boolean(), (b, cookie) => {
        const p = [...b];
        if (cookie && p.length > 240) p.splice(236, 4, 0x63, 0x82, 0x53, 0x63);
        d.dissect(frame(Uint8Array.from(udp(p))));
      }),
      { numRuns: 3000 },
    );
  });

  it("mutated and cut messages never throw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(450), fc.nat(255)), { maxLength: 8 }), fc.nat(400), fc.boolean(),
        (i, muts, cut, snap) => {
          const b = seeds[i].slice();
          for (const [o, v] of muts) if (42 + o < b.length) b[42 + o] = v; // anywhere in the BOOTP message
          const n = Math.max(42, b.length - (cut % 120));
          d.dissect(snap ? frame(b.subarray(0, n), b.length) : frame(b.subarray(0, n)));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("random option lists after the cookie never throw", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(255), fc.uint8Array({ maxLength: 40 })), { maxLength: 8 }), fc.boolean(), (opts, end) => {
        const o: B = [];
        for (const [c, v] of opts) o.push(...opt(c, v));
        if (end) o.push(255);
        d.dissect(frame(Uint8Array.from(udp(bootp({ opts: o })))));
      }),
      { numRuns: 3000 },
    );
  });
});
