/**
 * HTTP/2 fuzzing: a client's first segment of an h2c connection (the preface, SETTINGS,
 * a HEADERS block with literal and indexed fields, PRIORITY, PING, WINDOW_UPDATE,
 * RST_STREAM, DATA, GOAWAY) in one Ethernet/IPv4/TCP frame to port 80, truncated at every
 * length and with random bytes changed. Nothing may throw out of the dispatcher: a frame
 * that runs past its data is marked (without TCP reassembly, as tshark: "[BoundError
 * Unreassembled Packet: HTTP2]"; "[Malformed Packet: HTTP2]" otherwise) and the ones after
 * it are still dissected. tshark agrees on such packets except where the HPACK block itself
 * is garbage (see docs/http2.md). Last, a body too big to keep (over 16 MiB) is not kept.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { dissect, Dissector } from "../../src/core/dissect.js";
import { Session } from "../../src/core/session.js";
import { walk } from "../../src/core/tree.js";

const u16 = (n: number) => [(n >> 8) & 255, n & 255];
const u32 = (n: number) => [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
const frame = (type: number, flags: number, sid: number, payload: number[]) => [...u32(payload.length).slice(1), type, flags, ...u32(sid), ...payload];
const ascii = (s: string) => [...Buffer.from(s, "latin1")];

/** The HTTP/2 bytes: every frame type a client sends first. */
function h2Bytes(): number[] {
  // :method GET, :path /, :scheme http (indexed); :authority as a literal with incremental indexing
  const block = [0x82, 0x84, 0x86, 0x41, 9, ...ascii("127.0.0.1"), 0x40, 5, ...ascii("x-one"), 3, ...ascii("abc")];
  return [
    ...ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ...frame(4, 0, 0, [0, 3, ...u32(100), 0, 4, ...u32(65535)]),
    ...frame(1, 0x25, 1, [0x80, 0, 0, 0, 15, ...block]),
    ...frame(2, 0, 3, [0, 0, 0, 1, 200]),
    ...frame(6, 0, 0, ascii("nestcap!")),
    ...frame(8, 0, 0, u32(1 << 20)),
    ...frame(0, 0x09, 1, [2, ...ascii("body"), 0, 0]),
    ...frame(3, 0, 3, u32(8)),
    ...frame(7, 0, 0, [...u32(1), ...u32(0), ...ascii("bye")]),
  ];
}

/** Ethernet/IPv4/TCP from 40000 to 80 (HTTP, whose HTTP/2 heuristic takes the preface). */
function tcpFrame(payload: number[]): Uint8Array {
  const tcp = [0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0];
  const total = 20 + tcp.length + payload.length;
  const ip = [0x45, 0, ...u16(total), 0, 1, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1];
  return Uint8Array.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, ...ip, ...tcp, ...payload]);
}

/** One frame through a fresh dissector with columns and a full tree (reassembly off: nothing waits for more). */
function run(bytes: Uint8Array) {
  const d = new Dissector({ tree: true, columns: true }, new Session({ prefs: { "tcp.desegment_tcp_streams": false } }));
  return dissect(1, bytes, { dissector: d });
}

describe("HTTP/2 frames, broken", () => {
  test("the intact segment decodes (sanity): every frame, the headers, the columns", () => {
    const r = run(tcpFrame(h2Bytes()));
    expect(r.pinfo.malformed).toBe(false);
    expect(r.pinfo.layers).toEqual(["frame", "eth", "ethertype", "ip", "tcp", "http", "http2"]);
    expect(r.pinfo.cols?.info).toBe(
      "Magic, SETTINGS[0], HEADERS[1]: GET /, PRIORITY[3], PING[0], WINDOW_UPDATE[0], DATA[1], RST_STREAM[3], GOAWAY[0]",
    );
    const names = [...walk(r.tree.root)].filter((i) => i.field?.abbrev === "http2.header.name").map((i) => i.value);
    expect(names).toEqual([":method", ":path", ":scheme", ":authority", "x-one"]);
  });

  test("truncated at every length: never a throw; the frames before the cut stay whole", () => {
    const all = h2Bytes();
    for (let n = 0; n <= all.length; n++) {
      const r = run(tcpFrame(all.slice(0, n)));
      if (n >= 24) expect(r.pinfo.cols?.info.startsWith("Magic")).toBe(true);
    }
  });

  test("random byte changes never throw out of the dispatcher", () => {
    let broken = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 10 }), (edits) => {
        const b = h2Bytes();
        // (the preface stays: the edits land in the frames)
        for (const [at, v] of edits) b[24 + (at % (b.length - 24))] = v;
        const r = run(tcpFrame(b));
        expect(r.pinfo.layers).toContain("http2");
        // (without reassembly a frame read past its end is "unreassembled", as tshark marks it)
        if (r.pinfo.malformed || r.tree.experts.some((e) => e.abbrev === "_ws.unreassembled.expert")) broken++;
      }),
      { numRuns: 400 },
    );
    expect(broken).toBeGreaterThan(0);
  });
});

describe("HTTP/2 bodies, bounded", () => {
  /** One h2c client → server segment (port 40000 → 80) with sequence number `seq`. */
  function seg(payload: Uint8Array, seq: number): Uint8Array {
    const tcp = [0x9c, 0x40, 0, 80, ...u32(seq), 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0];
    const total = 20 + tcp.length + payload.length;
    const ip = [0x45, 0, ...u16(total & 0xffff), 0, 1, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1];
    const head = Uint8Array.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, ...ip, ...tcp]);
    const out = new Uint8Array(head.length + payload.length);
    out.set(head);
    out.set(payload, head.length);
    return out;
  }
  /** A POST of `size` bytes on stream 1 in 16 KiB DATA frames, one frame per segment; the last segment's dissection. */
  function post(size: number) {
    const d = new Dissector({ tree: true, columns: true });
    const block = [0x83, 0x84, 0x86, 0x41, 9, ...ascii("127.0.0.1")]; // POST / http, :authority
    let seq = 1;
    const first = Uint8Array.from([...ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), ...frame(1, 0x04, 1, block)]);
    dissect(1, seg(first, seq), { dissector: d });
    seq += first.length;
    const chunk = 16384;
    let last = null as ReturnType<typeof dissect> | null;
    for (let sent = 0; sent < size; sent += chunk) {
      const n = Math.min(chunk, size - sent);
      const fr = Uint8Array.from(frame(0, sent + n >= size ? 0x01 : 0, 1, []));
      fr[0] = (n >> 16) & 255; fr[1] = (n >> 8) & 255; fr[2] = n & 255;
      const pl = new Uint8Array(9 + n);
      pl.set(fr.subarray(0, 9));
      last = dissect(1, seg(pl, seq), { dissector: d });
      seq += pl.length;
    }
    return last!;
  }
  const reassembled = (r: ReturnType<typeof dissect>) => [...walk(r.tree.root)].find((i) => i.field?.abbrev === "http2.body.reassembled.length")?.value;

  test("a body is put together at END_STREAM; one past 16 MiB is not kept, its last DATA shows as itself", () => {
    expect(reassembled(post(1 << 20))).toBe(1 << 20);
    const big = post(17 << 20);
    expect(reassembled(big)).toBeUndefined();
    expect(big.pinfo.cols?.info).toBe("DATA[1]");
    expect([...walk(big.tree.root)].some((i) => i.field?.abbrev === "http2.data.data")).toBe(true);
  });
});
