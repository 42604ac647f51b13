/**
 * HPACK decoder (src/http2/hpack.ts) against RFC 7541:
 *
 *  - every Appendix C example (C.2 single representations, C.3/C.4 request sequences
 *    sharing one decoder, C.5/C.6 response sequences with a 256-octet table): decoded
 *    headers, representations, byte ranges, and the dynamic table after each block,
 *    entry by entry with the sizes the RFC lists;
 *  - huffmanDecode of every Huffman literal of C.4 and C.6, and its padding/EOS rules;
 *  - the Appendix B code, written out here a second time from its "code as bits"
 *    column: checked to be a complete canonical prefix code, then used by a small
 *    encoder for a round trip over random strings of all 256 octet values, which
 *    validates the decoder's whole table;
 *  - malformed blocks: each reports an error and keeps the fields decoded before it.
 */
import { describe, it, expect } from "vitest";
import { HpackDecoder, huffmanDecode, STATIC_TABLE, type HpackResult } from "../../src/http2/hpack.js";

/** Octets from a hex dump as printed in Appendix C (spaces and newlines ignored). */
function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
}

function str(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}

function bytes(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, "latin1"));
}

/** "name: value" lines of a decoded header list. */
function headers(r: HpackResult): string[] {
  return r.fields.map((f) => `${str(f.name)}: ${str(f.value)}`);
}

/** The dynamic table as Appendix C prints it: [entry size, "name: value"], newest first. */
function table(d: HpackDecoder): [number, string][] {
  return d.entries().map((e) => [e.name.length + e.value.length + 32, `${str(e.name)}: ${str(e.value)}`]);
}

describe("static table (Appendix A)", () => {
  it("has the 61 entries", () => {
    expect(STATIC_TABLE.length).toBe(61);
    expect(STATIC_TABLE[0]).toEqual([":authority", ""]);
    expect(STATIC_TABLE[1]).toEqual([":method", "GET"]);
    expect(STATIC_TABLE[15]).toEqual(["accept-encoding", "gzip, deflate"]);
    expect(STATIC_TABLE[60]).toEqual(["www-authenticate", ""]);
    // values exist only for :method, :path, :scheme, :status and accept-encoding
    const withValue = STATIC_TABLE.map((e, i) => (e[1] !== "" ? i + 1 : 0)).filter((i) => i > 0);
    expect(withValue).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16]);
  });

  it("every entry decodes through an indexed field", () => {
    const d = new HpackDecoder();
    const block = Uint8Array.from({ length: 61 }, (_, i) => 0x80 | (i + 1));
    const r = d.decode(block);
    expect(r.error).toBeNull();
    expect(r.fields.map((f) => [str(f.name), str(f.value)])).toEqual(STATIC_TABLE.map((e) => [...e]));
    expect(r.fields.map((f) => f.index)).toEqual(STATIC_TABLE.map((_, i) => i + 1));
  });
});

describe("C.2 header field representations", () => {
  it("C.2.1 literal header field with indexing", () => {
    const d = new HpackDecoder();
    const block = hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
    const r = d.decode(block);
    expect(r.error).toBeNull();
    expect(headers(r)).toEqual(["custom-key: custom-header"]);
    expect(r.fields[0]).toMatchObject({ rep: "incremental-new-name", index: 0, start: 0, end: block.length });
    expect(table(d)).toEqual([[55, "custom-key: custom-header"]]);
    expect(d.size).toBe(55);
  });

  it("C.2.2 literal header field without indexing", () => {
    const d = new HpackDecoder();
    const block = hex("040c 2f73 616d 706c 652f 7061 7468");
    const r = d.decode(block);
    expect(r.error).toBeNull();
    expect(headers(r)).toEqual([":path: /sample/path"]);
    expect(r.fields[0]).toMatchObject({ rep: "without-indexing-indexed-name", index: 4, start: 0, end: 14 });
    expect(table(d)).toEqual([]);
    expect(d.size).toBe(0);
  });

  it("C.2.3 literal header field never indexed", () => {
    const d = new HpackDecoder();
    const r = d.decode(hex("1008 7061 7373 776f 7264 0673 6563 7265 74"));
    expect(r.error).toBeNull();
    expect(headers(r)).toEqual(["password: secret"]);
    expect(r.fields[0]).toMatchObject({ rep: "never-indexed-new-name", index: 0, start: 0, end: 17 });
    expect(table(d)).toEqual([]);
    expect(d.size).toBe(0);
  });

  it("C.2.4 indexed header field", () => {
    const d = new HpackDecoder();
    const r = d.decode(hex("82"));
    expect(r.error).toBeNull();
    expect(headers(r)).toEqual([":method: GET"]);
    expect(r.fields[0]).toMatchObject({ rep: "indexed", index: 2, start: 0, end: 1 });
    expect(table(d)).toEqual([]);
  });
});

/** Request header lists of C.3 and C.4 (the same lists, plain and Huffman-coded). */
const REQUEST_LISTS = [
  [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"],
  [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com", "cache-control: no-cache"],
  [":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com", "custom-key: custom-value"],
];

const REQUEST_TABLES: [number, string][][] = [
  [[57, ":authority: www.example.com"]],
  [
    [53, "cache-control: no-cache"],
    [57, ":authority: www.example.com"],
  ],
  [
    [54, "custom-key: custom-value"],
    [53, "cache-control: no-cache"],
    [57, ":authority: www.example.com"],
  ],
];
const REQUEST_SIZES = [57, 110, 164];

/** Representation and index of each field of the three requests (same in C.3 and C.4). */
const REQUEST_REPS = [
  [
    ["indexed", 2],
    ["indexed", 6],
    ["indexed", 4],
    ["incremental-indexed-name", 1],
  ],
  [
    ["indexed", 2],
    ["indexed", 6],
    ["indexed", 4],
    ["indexed", 62],
    ["incremental-indexed-name", 24],
  ],
  [
    ["indexed", 2],
    ["indexed", 7],
    ["indexed", 5],
    ["indexed", 63],
    ["incremental-new-name", 0],
  ],
];

function runSequence(
  d: HpackDecoder,
  blocks: string[],
  lists: string[][],
  tables: [number, string][][],
  sizes: number[],
): HpackResult[] {
  const results: HpackResult[] = [];
  blocks.forEach((b, i) => {
    const r = d.decode(hex(b));
    expect(r.error, `block ${i + 1}`).toBeNull();
    expect(r.sizeUpdates).toEqual([]);
    expect(headers(r), `block ${i + 1}`).toEqual(lists[i]);
    expect(table(d), `table after block ${i + 1}`).toEqual(tables[i]);
    expect(d.size, `size after block ${i + 1}`).toBe(sizes[i]);
    // the fields tile the block
    let at = 0;
    for (const f of r.fields) {
      expect(f.start).toBe(at);
      expect(f.end).toBeGreaterThan(f.start);
      at = f.end;
    }
    expect(at).toBe(hex(b).length);
    results.push(r);
  });
  return results;
}

describe("C.3 requests without Huffman coding", () => {
  it("C.3.1-C.3.3 on one decoder", () => {
    const d = new HpackDecoder();
    const rs = runSequence(
      d,
      [
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
      ],
      REQUEST_LISTS,
      REQUEST_TABLES,
      REQUEST_SIZES,
    );
    rs.forEach((r, i) => expect(r.fields.map((f) => [f.rep, f.index])).toEqual(REQUEST_REPS[i]));
    expect(rs[0].fields.map((f) => [f.start, f.end])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 20],
    ]);
    expect(d.maxSize).toBe(4096);
  });
});

describe("C.4 requests with Huffman coding", () => {
  it("C.4.1-C.4.3 on one decoder", () => {
    const d = new HpackDecoder();
    const rs = runSequence(
      d,
      [
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
      ],
      REQUEST_LISTS,
      REQUEST_TABLES,
      REQUEST_SIZES,
    );
    rs.forEach((r, i) => expect(r.fields.map((f) => [f.rep, f.index])).toEqual(REQUEST_REPS[i]));
    expect(rs[2].fields[4]).toMatchObject({ start: 4, end: 24 });
  });
});

/** Response header lists of C.5 and C.6. */
const RESPONSE_LISTS = [
  [":status: 302", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT", "location: https://www.example.com"],
  [":status: 307", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT", "location: https://www.example.com"],
  [
    ":status: 200",
    "cache-control: private",
    "date: Mon, 21 Oct 2013 20:13:22 GMT",
    "location: https://www.example.com",
    "content-encoding: gzip",
    "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
  ],
];

const RESPONSE_TABLES: [number, string][][] = [
  [
    [63, "location: https://www.example.com"],
    [65, "date: Mon, 21 Oct 2013 20:13:21 GMT"],
    [52, "cache-control: private"],
    [42, ":status: 302"],
  ],
  [
    [42, ":status: 307"],
    [63, "location: https://www.example.com"],
    [65, "date: Mon, 21 Oct 2013 20:13:21 GMT"],
    [52, "cache-control: private"],
  ],
  [
    [98, "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"],
    [52, "content-encoding: gzip"],
    [65, "date: Mon, 21 Oct 2013 20:13:22 GMT"],
  ],
];
const RESPONSE_SIZES = [222, 222, 215];

const RESPONSE_REPS = [
  [
    ["incremental-indexed-name", 8],
    ["incremental-indexed-name", 24],
    ["incremental-indexed-name", 33],
    ["incremental-indexed-name", 46],
  ],
  [
    ["incremental-indexed-name", 8],
    ["indexed", 65],
    ["indexed", 64],
    ["indexed", 63],
  ],
  [
    ["indexed", 8],
    ["indexed", 65],
    ["incremental-indexed-name", 33],
    ["indexed", 64],
    ["incremental-indexed-name", 26],
    ["incremental-indexed-name", 55],
  ],
];

describe("C.5 responses without Huffman coding (256-octet table)", () => {
  it("C.5.1-C.5.3 on one decoder, with evictions", () => {
    const d = new HpackDecoder(256);
    expect(d.maxSize).toBe(256);
    const rs = runSequence(
      d,
      [
        `4803 3330 3258 0770 7269 7661 7465 611d
         4d6f 6e2c 2032 3120 4f63 7420 3230 3133
         2032 303a 3133 3a32 3120 474d 546e 1768
         7474 7073 3a2f 2f77 7777 2e65 7861 6d70
         6c65 2e63 6f6d`,
        "4803 3330 37c1 c0bf",
        `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420
         3230 3133 2032 303a 3133 3a32 3220 474d
         54c0 5a04 677a 6970 7738 666f 6f3d 4153
         444a 4b48 514b 425a 584f 5157 454f 5049
         5541 5851 5745 4f49 553b 206d 6178 2d61
         6765 3d33 3630 303b 2076 6572 7369 6f6e
         3d31`,
      ],
      RESPONSE_LISTS,
      RESPONSE_TABLES,
      RESPONSE_SIZES,
    );
    rs.forEach((r, i) => expect(r.fields.map((f) => [f.rep, f.index])).toEqual(RESPONSE_REPS[i]));
  });
});

describe("C.6 responses with Huffman coding (256-octet table)", () => {
  it("C.6.1-C.6.3 on one decoder, with evictions", () => {
    const d = new HpackDecoder(256);
    const rs = runSequence(
      d,
      [
        `4882 6402 5885 aec3 771a 4b61 96d0 7abe
         9410 54d4 44a8 2005 9504 0b81 66e0 82a6
         2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8
         e9ae 82ae 43d3`,
        "4883 640e ffc1 c0bf",
        `88c1 6196 d07a be94 1054 d444 a820 0595
         040b 8166 e084 a62d 1bff c05a 839b d9ab
         77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b
         3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
         9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
      ],
      RESPONSE_LISTS,
      RESPONSE_TABLES,
      RESPONSE_SIZES,
    );
    rs.forEach((r, i) => expect(r.fields.map((f) => [f.rep, f.index])).toEqual(RESPONSE_REPS[i]));
  });
});

describe("huffmanDecode", () => {
  it("decodes every Huffman literal of C.4 and C.6", () => {
    const cases: [string, string][] = [
      ["f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com"],
      ["a8eb 1064 9cbf", "no-cache"],
      ["25a8 49e9 5ba9 7d7f", "custom-key"],
      ["25a8 49e9 5bb8 e8b4 bf", "custom-value"],
      ["6402", "302"],
      ["aec3 771a 4b", "private"],
      ["d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff", "Mon, 21 Oct 2013 20:13:21 GMT"],
      ["9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3", "https://www.example.com"],
      ["640e ff", "307"],
      ["d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff", "Mon, 21 Oct 2013 20:13:22 GMT"],
      ["9bd9 ab", "gzip"],
      [
        `94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587
         3160 65c0 03ed 4ee5 b106 3d50 07`,
        "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
      ],
    ];
    for (const [h, s] of cases) {
      const out = huffmanDecode(hex(h));
      expect(out, s).not.toBeNull();
      expect(str(out!)).toBe(s);
      expect(out).toBeInstanceOf(Uint8Array);
    }
  });

  it("accepts the empty string and up to 7 bits of all-ones padding", () => {
    expect(huffmanDecode(new Uint8Array(0))).toEqual(new Uint8Array(0));
    // '0' is 00000: 3 padding bits
    expect(str(huffmanDecode(hex("07"))!)).toBe("0");
    // ':' is 1011100 (7 bits) + 1 padding bit
    expect(str(huffmanDecode(hex("b9"))!)).toBe(":");
    // '&' is 11111000: no padding at all
    expect(str(huffmanDecode(hex("f8"))!)).toBe("&");
    // "00" = 00000 00000 + 6 padding bits
    expect(str(huffmanDecode(hex("003f"))!)).toBe("00");
  });

  it("rejects padding that is not all ones", () => {
    expect(huffmanDecode(hex("00"))).toBeNull(); // '0' then 000
    expect(huffmanDecode(hex("06"))).toBeNull(); // '0' then 110
    expect(huffmanDecode(hex("1e"))).toBeNull(); // 'a' (00011) then 110
  });

  it("rejects padding longer than 7 bits", () => {
    expect(huffmanDecode(hex("ff"))).toBeNull(); // 8 bits of padding alone
    expect(huffmanDecode(hex("07ff"))).toBeNull(); // '0' + 11 ones
    expect(huffmanDecode(hex("f8ff"))).toBeNull(); // '&' + a whole octet of ones
  });

  it("rejects the EOS symbol", () => {
    expect(huffmanDecode(hex("ffffffff"))).toBeNull(); // EOS (30 ones) + 2 padding bits
    expect(huffmanDecode(hex("ffffffff 07"))).toBeNull(); // EOS, then more
    // 'a' (00011) then EOS (30 ones) then 5 padding bits
    expect(huffmanDecode(hex("1fffffffff"))).toBeNull();
  });
});

/**
 * RFC 7541 Appendix B, column "code as bits" (MSB first; "|" marks octet boundaries as
 * in the RFC), one symbol per line, 256 = EOS. Kept separate from the decoder's hex
 * table so that the round trip below checks one transcription against the other.
 */
const APPENDIX_B_BITS = `
  0 11111111|11000
  1 11111111|11111111|1011000
  2 11111111|11111111|11111110|0010
  3 11111111|11111111|11111110|0011
  4 11111111|11111111|11111110|0100
  5 11111111|11111111|11111110|0101
  6 11111111|11111111|11111110|0110
  7 11111111|11111111|11111110|0111
  8 11111111|11111111|11111110|1000
  9 11111111|11111111|11101010
 10 11111111|11111111|11111111|111100
 11 11111111|11111111|11111110|1001
 12 11111111|11111111|11111110|1010
 13 11111111|11111111|11111111|111101
 14 11111111|11111111|11111110|1011
 15 11111111|11111111|11111110|1100
 16 11111111|11111111|11111110|1101
 17 11111111|11111111|11111110|1110
 18 11111111|11111111|11111110|1111
 19 11111111|11111111|11111111|0000
 20 11111111|11111111|11111111|0001
 21 11111111|11111111|11111111|0010
 22 11111111|11111111|11111111|111110
 23 11111111|11111111|11111111|0011
 24 11111111|11111111|11111111|0100
 25 11111111|11111111|11111111|0101
 26 11111111|11111111|11111111|0110
 27 11111111|11111111|11111111|0111
 28 11111111|11111111|11111111|1000
 29 11111111|11111111|11111111|1001
 30 11111111|11111111|11111111|1010
 31 11111111|11111111|11111111|1011
 32 010100
 33 11111110|00
 34 11111110|01
 35 11111111|1010
 36 11111111|11001
 37 010101
 38 11111000
 39 11111111|010
 40 11111110|10
 41 11111110|11
 42 11111001
 43 11111111|011
 44 11111010
 45 010110
 46 010111
 47 011000
 48 00000
 49 00001
 50 00010
 51 011001
 52 011010
 53 011011
 54 011100
 55 011101
 56 011110
 57 011111
 58 1011100
 59 11111011
 60 11111111|1111100
 61 100000
 62 11111111|1011
 63 11111111|00
 64 11111111|11010
 65 100001
 66 1011101
 67 1011110
 68 1011111
 69 1100000
 70 1100001
 71 1100010
 72 1100011
 73 1100100
 74 1100101
 75 1100110
 76 1100111
 77 1101000
 78 1101001
 79 1101010
 80 1101011
 81 1101100
 82 1101101
 83 1101110
 84 1101111
 85 1110000
 86 1110001
 87 1110010
 88 11111100
 89 1110011
 90 11111101
 91 11111111|11011
 92 11111111|11111110|000
 93 11111111|11100
 94 11111111|111100
 95 100010
 96 11111111|1111101
 97 00011
 98 100011
 99 00100
100 100100
101 00101
102 100101
103 100110
104 100111
105 00110
106 1110100
107 1110101
108 101000
109 101001
110 101010
111 00111
112 101011
113 1110110
114 101100
115 01000
116 01001
117 101101
118 1110111
119 1111000
120 1111001
121 1111010
122 1111011
123 11111111|1111110
124 11111111|100
125 11111111|111101
126 11111111|11101
127 11111111|11111111|11111111|1100
128 11111111|11111110|0110
129 11111111|11111111|010010
130 11111111|11111110|0111
131 11111111|11111110|1000
132 11111111|11111111|010011
133 11111111|11111111|010100
134 11111111|11111111|010101
135 11111111|11111111|1011001
136 11111111|11111111|010110
137 11111111|11111111|1011010
138 11111111|11111111|1011011
139 11111111|11111111|1011100
140 11111111|11111111|1011101
141 11111111|11111111|1011110
142 11111111|11111111|11101011
143 11111111|11111111|1011111
144 11111111|11111111|11101100
145 11111111|11111111|11101101
146 11111111|11111111|010111
147 11111111|11111111|1100000
148 11111111|11111111|11101110
149 11111111|11111111|1100001
150 11111111|11111111|1100010
151 11111111|11111111|1100011
152 11111111|11111111|1100100
153 11111111|11111110|11100
154 11111111|11111111|011000
155 11111111|11111111|1100101
156 11111111|11111111|011001
157 11111111|11111111|1100110
158 11111111|11111111|1100111
159 11111111|11111111|11101111
160 11111111|11111111|011010
161 11111111|11111110|11101
162 11111111|11111110|1001
163 11111111|11111111|011011
164 11111111|11111111|011100
165 11111111|11111111|1101000
166 11111111|11111111|1101001
167 11111111|11111110|11110
168 11111111|11111111|1101010
169 11111111|11111111|011101
170 11111111|11111111|011110
171 11111111|11111111|11110000
172 11111111|11111110|11111
173 11111111|11111111|011111
174 11111111|11111111|1101011
175 11111111|11111111|1101100
176 11111111|11111111|00000
177 11111111|11111111|00001
178 11111111|11111111|100000
179 11111111|11111111|00010
180 11111111|11111111|1101101
181 11111111|11111111|100001
182 11111111|11111111|1101110
183 11111111|11111111|1101111
184 11111111|11111110|1010
185 11111111|11111111|100010
186 11111111|11111111|100011
187 11111111|11111111|100100
188 11111111|11111111|1110000
189 11111111|11111111|100101
190 11111111|11111111|100110
191 11111111|11111111|1110001
192 11111111|11111111|11111000|00
193 11111111|11111111|11111000|01
194 11111111|11111110|1011
195 11111111|11111110|001
196 11111111|11111111|100111
197 11111111|11111111|1110010
198 11111111|11111111|101000
199 11111111|11111111|11110110|0
200 11111111|11111111|11111000|10
201 11111111|11111111|11111000|11
202 11111111|11111111|11111001|00
203 11111111|11111111|11111011|110
204 11111111|11111111|11111011|111
205 11111111|11111111|11111001|01
206 11111111|11111111|11110001
207 11111111|11111111|11110110|1
208 11111111|11111110|010
209 11111111|11111111|00011
210 11111111|11111111|11111001|10
211 11111111|11111111|11111100|000
212 11111111|11111111|11111100|001
213 11111111|11111111|11111001|11
214 11111111|11111111|11111100|010
215 11111111|11111111|11110010
216 11111111|11111111|00100
217 11111111|11111111|00101
218 11111111|11111111|11111010|00
219 11111111|11111111|11111010|01
220 11111111|11111111|11111111|1101
221 11111111|11111111|11111100|011
222 11111111|11111111|11111100|100
223 11111111|11111111|11111100|101
224 11111111|11111110|1100
225 11111111|11111111|11110011
226 11111111|11111110|1101
227 11111111|11111111|00110
228 11111111|11111111|101001
229 11111111|11111111|00111
230 11111111|11111111|01000
231 11111111|11111111|1110011
232 11111111|11111111|101010
233 11111111|11111111|101011
234 11111111|11111111|11110111|0
235 11111111|11111111|11110111|1
236 11111111|11111111|11110100
237 11111111|11111111|11110101
238 11111111|11111111|11111010|10
239 11111111|11111111|1110100
240 11111111|11111111|11111010|11
241 11111111|11111111|11111100|110
242 11111111|11111111|11111011|00
243 11111111|11111111|11111011|01
244 11111111|11111111|11111100|111
245 11111111|11111111|11111101|000
246 11111111|11111111|11111101|001
247 11111111|11111111|11111101|010
248 11111111|11111111|11111101|011
249 11111111|11111111|11111111|1110
250 11111111|11111111|11111101|100
251 11111111|11111111|11111101|101
252 11111111|11111111|11111101|110
253 11111111|11111111|11111101|111
254 11111111|11111111|11111110|000
255 11111111|11111111|11111011|10
256 11111111|11111111|11111111|111111
`;

/** Symbol -> code bits ("0"/"1" string), parsed from APPENDIX_B_BITS. */
const CODE_BITS: string[] = (() => {
  const out: string[] = [];
  for (const line of APPENDIX_B_BITS.split("\n")) {
    const m = /^\s*(\d+)\s+([01|]+)\s*$/.exec(line);
    if (!m) continue;
    if (Number(m[1]) !== out.length) throw new Error(`APPENDIX_B_BITS: symbol ${m[1]} out of order`);
    out.push(m[2].replace(/\|/g, ""));
  }
  return out;
})();

/** Test-only Huffman encoder (5.2): codes MSB first, padded with the high bits of EOS. */
function huffmanEncode(data: Uint8Array | number[], withEos = false): Uint8Array {
  let bits = "";
  for (const b of data) bits += CODE_BITS[b];
  if (withEos) bits += CODE_BITS[256];
  while (bits.length % 8 !== 0) bits += "1";
  const out = new Uint8Array(bits.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  return out;
}

/** Small deterministic PRNG (xorshift32). */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe("Huffman code table (Appendix B)", () => {
  it("the transcription is a complete canonical prefix code", () => {
    expect(CODE_BITS.length).toBe(257);
    // Kraft sum exactly 1: every bit string decodes (no gaps)
    let kraft = 0;
    for (const c of CODE_BITS) kraft += 2 ** -c.length;
    expect(kraft).toBe(1);
    // canonical: ordered by (length, symbol), each code is the previous one plus one, shifted
    const order = CODE_BITS.map((c, sym) => ({ sym, len: c.length, code: parseInt(c, 2) })).sort(
      (a, b) => a.len - b.len || a.sym - b.sym,
    );
    let expected = 0;
    let len = order[0].len;
    for (const e of order) {
      expected *= 2 ** (e.len - len);
      len = e.len;
      expect(e.code, `symbol ${e.sym}`).toBe(expected);
      expected++;
    }
    // known rows: 47 '/' is 011000 (the RFC's own example), EOS is 30 ones
    expect(CODE_BITS[47]).toBe("011000");
    expect(CODE_BITS[256]).toBe("1".repeat(30));
    expect(Math.min(...CODE_BITS.map((c) => c.length))).toBe(5);
    expect(Math.max(...CODE_BITS.map((c) => c.length))).toBe(30);
  });

  it("the encoder reproduces the RFC's Huffman literals", () => {
    expect(huffmanEncode(bytes("www.example.com"))).toEqual(hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"));
    expect(huffmanEncode(bytes("custom-value"))).toEqual(hex("25a8 49e9 5bb8 e8b4 bf"));
    expect(huffmanEncode(bytes("foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"))).toEqual(
      hex(`94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587
           3160 65c0 03ed 4ee5 b106 3d50 07`),
    );
  });

  it("every single octet round-trips", () => {
    for (let b = 0; b < 256; b++) {
      const out = huffmanDecode(huffmanEncode([b]));
      expect(out, `octet ${b}`).toEqual(Uint8Array.of(b));
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(huffmanDecode(huffmanEncode(all))).toEqual(all);
  });

  it("random strings of all 256 octet values round-trip", () => {
    const rnd = prng(0x5eed7541);
    for (let iter = 0; iter < 3000; iter++) {
      const len = rnd() % 48;
      const data = new Uint8Array(len);
      // half the strings are uniform over 0..255, half favour short (printable) codes
      const printable = iter % 2 === 1;
      for (let i = 0; i < len; i++) data[i] = printable ? 32 + (rnd() % 95) : rnd() & 0xff;
      const enc = huffmanEncode(data);
      const dec = huffmanDecode(enc);
      expect(dec, `iteration ${iter}`).toEqual(data);
      // the same string with EOS inside is always rejected
      expect(huffmanDecode(huffmanEncode(data, true))).toBeNull();
    }
  });
});

describe("integers and strings", () => {
  it("multi-octet integers (5.1): a 200-octet value and a dynamic index above 127", () => {
    const d = new HpackDecoder(65536);
    const value = "v".repeat(200);
    // literal without indexing, new name: 00 | name len 1 'x' | value len 200 = 7f 49
    const r = d.decode(Uint8Array.from([0x00, 0x01, 0x78, 0x7f, 0x49, ...bytes(value)]));
    expect(r.error).toBeNull();
    expect(headers(r)).toEqual([`x: ${value}`]);
    // fill the dynamic table with 100 entries, then reach the oldest: index 61 + 100 = 161
    const fill: number[] = [];
    for (let i = 0; i < 100; i++) fill.push(0x40, 0x02, ...bytes(`h${String.fromCharCode(48 + (i % 10))}`), 0x01, 0x30 + (i % 10));
    expect(d.decode(Uint8Array.from(fill)).error).toBeNull();
    expect(d.entries().length).toBe(100);
    // 161 with a 7-bit prefix: 7f, 161 - 127 = 34 = 0x22
    const r2 = d.decode(hex("ff22"));
    expect(r2.error).toBeNull();
    expect(headers(r2)).toEqual(["h0: 0"]);
    expect(r2.fields[0]).toMatchObject({ rep: "indexed", index: 161, start: 0, end: 2 });
  });

  it("the size update integer of C.1.2 (1337 on a 5-bit prefix)", () => {
    const d = new HpackDecoder(4096);
    const r = d.decode(hex("3f 9a 0a"));
    expect(r.error).toBeNull();
    expect(r.sizeUpdates).toEqual([{ size: 1337, start: 0, end: 3 }]);
    expect(d.maxSize).toBe(1337);
  });

  it("literal octets are copied, not views of the block", () => {
    const d = new HpackDecoder();
    const block = Buffer.from(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
    const r = d.decode(block);
    block.fill(0);
    expect(headers(r)).toEqual(["custom-key: custom-header"]);
    expect(table(d)).toEqual([[55, "custom-key: custom-header"]]);
  });

  it("empty name and value", () => {
    const d = new HpackDecoder();
    const r = d.decode(hex("40 00 00"));
    expect(r.error).toBeNull();
    expect(headers(r)).toEqual([": "]);
    expect(d.size).toBe(32);
  });
});

describe("dynamic table", () => {
  it("an entry larger than the max size empties the table and is not added (4.4)", () => {
    const d = new HpackDecoder(100);
    expect(d.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")).error).toBeNull();
    expect(d.size).toBe(55);
    // 10 + 59 + 32 = 101 > 100
    const r = d.decode(Uint8Array.from([0x40, 0x0a, ...bytes("custom-key"), 0x3b, ...bytes("x".repeat(59))]));
    expect(r.error).toBeNull();
    expect(r.fields.length).toBe(1);
    expect(d.entries()).toEqual([]);
    expect(d.size).toBe(0);
    // exactly the max size fits
    const r2 = d.decode(Uint8Array.from([0x40, 0x0a, ...bytes("custom-key"), 0x3a, ...bytes("x".repeat(58))]));
    expect(r2.error).toBeNull();
    expect(d.size).toBe(100);
  });

  it("a literal may name the entry that its own insertion evicts", () => {
    const d = new HpackDecoder(60);
    d.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")); // 55 octets
    // incremental indexing with name index 62 (the entry above), value "v": 10 + 1 + 32 = 43
    const r = d.decode(Uint8Array.from([0x7e, 0x01, 0x76]));
    expect(r.error).toBeNull();
    expect(headers(r)).toEqual(["custom-key: v"]);
    expect(r.fields[0]).toMatchObject({ rep: "incremental-indexed-name", index: 62 });
    expect(table(d)).toEqual([[43, "custom-key: v"]]);
  });

  it("size updates at the start of a block evict and change the max size (6.3)", () => {
    const d = new HpackDecoder();
    runSequence(
      d,
      ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865"],
      REQUEST_LISTS,
      REQUEST_TABLES,
      REQUEST_SIZES,
    );
    // size update to 60 (3f 1d), then :method GET: the older entry is evicted
    const r = d.decode(hex("3f1d 82"));
    expect(r.error).toBeNull();
    expect(r.sizeUpdates).toEqual([{ size: 60, start: 0, end: 2 }]);
    expect(r.fields[0]).toMatchObject({ start: 2, end: 3 });
    expect(table(d)).toEqual([[53, "cache-control: no-cache"]]);
    expect(d.maxSize).toBe(60);
    // two updates in a row (0 then 4096) empty the table and restore the size
    const r2 = d.decode(hex("20 3fe11f 82"));
    expect(r2.error).toBeNull();
    expect(r2.sizeUpdates).toEqual([
      { size: 0, start: 0, end: 1 },
      { size: 4096, start: 1, end: 4 },
    ]);
    expect(d.entries()).toEqual([]);
    expect(d.size).toBe(0);
    expect(d.maxSize).toBe(4096);
  });

  it("setLimit bounds later size updates", () => {
    const d = new HpackDecoder();
    d.setLimit(8192);
    expect(d.maxSize).toBe(4096); // unchanged until the encoder signals
    const r = d.decode(hex("3fe13f")); // 31 + 0x61 + 0x3f * 128 = 8192
    expect(r.error).toBeNull();
    expect(d.maxSize).toBe(8192);
    d.setLimit(1024);
    expect(d.decode(hex("3fe11f")).error).toMatch(/above the limit/); // 4096 > 1024
    const r2 = d.decode(hex("3fe107")); // 31 + 97 + 7 * 128 = 1024
    expect(r2.error).toBeNull();
    expect(d.maxSize).toBe(1024);
  });
});

describe("malformed blocks", () => {
  function fresh(block: string, maxTableSize = 4096): HpackResult {
    return new HpackDecoder(maxTableSize).decode(hex(block));
  }

  it("index 0 in an indexed field", () => {
    const r = fresh("82 80 86");
    expect(r.error).toMatch(/index 0/);
    expect(headers(r)).toEqual([":method: GET"]);
  });

  it("index beyond the table", () => {
    const r = fresh("82 be");
    expect(r.error).toMatch(/index 62 beyond the table/);
    expect(headers(r)).toEqual([":method: GET"]);
    // as the name of a literal (incremental indexing, name index 62)
    const r2 = fresh("82 84 7e 01 61");
    expect(r2.error).toMatch(/index 62 beyond the table/);
    expect(headers(r2)).toEqual([":method: GET", ":path: /"]);
    // one past the dynamic entries
    const d = new HpackDecoder();
    expect(d.decode(hex("41 01 61")).error).toBeNull();
    expect(d.decode(hex("be")).error).toBeNull();
    expect(d.decode(hex("bf")).error).toMatch(/index 63 beyond the table \(61 static \+ 1 dynamic/);
  });

  it("truncated string", () => {
    const r = fresh("82 400a 6375 7374");
    expect(r.error).toMatch(/truncated name/);
    expect(headers(r)).toEqual([":method: GET"]);
    const r2 = fresh("82 44 0c 2f73 616d");
    expect(r2.error).toMatch(/truncated value/);
    expect(headers(r2)).toEqual([":method: GET"]);
    // the value's length octet is missing altogether
    const r3 = fresh("82 04");
    expect(r3.error).toMatch(/truncated value/);
    expect(headers(r3)).toEqual([":method: GET"]);
  });

  it("truncated integer", () => {
    const r = fresh("82 ff");
    expect(r.error).toMatch(/truncated integer/);
    expect(headers(r)).toEqual([":method: GET"]);
    const r2 = fresh("86 7f 80");
    expect(r2.error).toMatch(/truncated integer/);
    expect(headers(r2)).toEqual([":scheme: http"]);
  });

  it("integer above 2^31 or too long", () => {
    const r = fresh("82 0f ffffffff0f");
    expect(r.error).toMatch(/above 2\^31/);
    expect(headers(r)).toEqual([":method: GET"]);
    const r2 = fresh("82 ff 8080808080 00");
    expect(r2.error).toMatch(/too long/);
    expect(headers(r2)).toEqual([":method: GET"]);
  });

  it("bad Huffman padding", () => {
    // value "0" Huffman-coded with padding 000
    const r = fresh("82 44 81 00");
    expect(r.error).toMatch(/invalid padding/);
    expect(headers(r)).toEqual([":method: GET"]);
    // padding of 8 bits and more
    const r2 = fresh("82 44 82 07ff");
    expect(r2.error).toMatch(/invalid padding/);
    expect(headers(r2)).toEqual([":method: GET"]);
    // in a name
    const r3 = fresh("82 40 81 06 00");
    expect(r3.error).toMatch(/Huffman-coded name has invalid padding/);
  });

  it("EOS symbol in a Huffman string", () => {
    const r = fresh("82 44 84 ffffffff 87");
    expect(r.error).toMatch(/EOS/);
    expect(headers(r)).toEqual([":method: GET"]);
  });

  it("size update above the limit", () => {
    const r = fresh("3fe21f 82"); // 4097
    expect(r.error).toMatch(/4097 above the limit 4096/);
    expect(r.fields).toEqual([]);
    expect(r.sizeUpdates).toEqual([]);
    const r2 = fresh("3fe11f 82"); // 4096 is fine
    expect(r2.error).toBeNull();
    const r3 = fresh("82 3f11", 256); // after a field is checked first
    expect(r3.error).toMatch(/after a header field/);
  });

  it("size update after a field", () => {
    const r = fresh("82 20 86");
    expect(r.error).toMatch(/size update after a header field/);
    expect(headers(r)).toEqual([":method: GET"]);
  });

  it("fields decoded before an error stay in the dynamic table", () => {
    const d = new HpackDecoder();
    const r = d.decode(hex("41 01 61 80"));
    expect(r.error).toMatch(/index 0/);
    expect(headers(r)).toEqual([":authority: a"]);
    expect(table(d)).toEqual([[43, ":authority: a"]]);
  });

  it("never throws on random input", () => {
    const rnd = prng(42);
    for (let iter = 0; iter < 2000; iter++) {
      const d = new HpackDecoder(rnd() % 5000);
      for (let k = 0; k < 3; k++) {
        const block = Uint8Array.from({ length: rnd() % 40 }, () => rnd() & 0xff);
        const r = d.decode(block);
        expect(r.error === null || typeof r.error === "string").toBe(true);
        for (const f of r.fields) expect(f.end).toBeLessThanOrEqual(block.length);
        expect(d.size).toBeLessThanOrEqual(d.maxSize);
      }
    }
  });
});
