/**
 * The canonical Huffman code of HPACK (RFC 7541 Appendix B), decoded with a 4-bit state
 * machine (256 states x 16 nibbles) built once at module load from the code table, so each
 * input octet costs two table look-ups. The build checks the table is a complete prefix
 * code. Used by hpack.ts.
 */

/** Code of each symbol 0..255 and EOS (256), aligned to the least significant bit. */
const HUFFMAN_CODES: readonly number[] = [
  0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7, // 0-7
  0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec, // 8-15
  0xfffffed, 0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3, // 16-23
  0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb, // 24-31
  0x14, 0x3f8, 0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa, // 32-39  ' ' ! " # $ % & '
  0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18, // 40-47  ( ) * + , - . /
  0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, // 48-55  0-7
  0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb, 0x3fc, // 56-63  8 9 : ; < = > ?
  0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, // 64-71  @ A-G
  0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, // 72-79  H-O
  0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, // 80-87  P-W
  0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22, // 88-95  X Y Z [ \ ] ^ _
  0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26, // 96-103  ` a-g
  0x27, 0x6, 0x74, 0x75, 0x28, 0x29, 0x2a, 0x7, // 104-111  h-o
  0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78, // 112-119  p-w
  0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd, 0x1ffd, 0xffffffc, // 120-127  x y z { | } ~ DEL
  0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9, // 128-135
  0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf, // 136-143
  0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3, // 144-151
  0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef, // 152-159
  0x3fffda, 0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde, // 160-167
  0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec, // 168-175
  0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef, // 176-183
  0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1, // 184-191
  0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2, 0x3fffe8, 0x1ffffec, // 192-199
  0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed, // 200-207
  0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2, // 208-215
  0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4, 0x7ffffe5, // 216-223
  0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3, // 224-231
  0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4, // 232-239
  0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea, // 240-247
  0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee, // 248-255
  0x3fffffff, // 256 EOS
];

/** Code length in bits of each symbol 0..255 and EOS (256). */
const HUFFMAN_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // 32-47
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // 48-63
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 64-79
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 80-95
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // 96-111
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 112-127
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
  30, // 256 EOS
];

const EOS = 256;

/** Transition word layout: bits 0-7 next state, 8-15 emitted symbol, then flags. */
const T_EMIT = 1 << 16;
const T_EOS = 1 << 17;

/**
 * Decoding state machine. A state is an internal node of the code tree (0 = root,
 * 256 nodes for 257 leaves); HUFF_STEP[state * 16 + nibble] walks four bits from
 * that node. The shortest code has 5 bits, so one nibble completes at most one symbol.
 */
const HUFF_STEP = new Uint32Array(256 * 16);
/** States where the string may end: the root, or <= 7 bits down the all-ones (EOS) path. */
const HUFF_ACCEPT = new Uint8Array(256);

(function buildHuffmanDecoder(): void {
  // kids[node * 2 + bit]: > 0 internal node, < 0 leaf -(symbol + 1), 0 empty (the root is never a child)
  const kids: number[] = [0, 0];
  let nodes = 1;
  for (let sym = 0; sym <= EOS; sym++) {
    const code = HUFFMAN_CODES[sym];
    const len = HUFFMAN_LENGTHS[sym];
    let node = 0;
    for (let i = len - 1; i > 0; i--) {
      const slot = node * 2 + ((code >>> i) & 1);
      let next = kids[slot];
      if (next < 0) throw new Error(`hpack: Huffman code of ${sym} extends another code`);
      if (next === 0) {
        next = nodes++;
        kids[slot] = next;
        kids.push(0, 0);
      }
      node = next;
    }
    const slot = node * 2 + (code & 1);
    if (kids[slot] !== 0) throw new Error(`hpack: Huffman code of ${sym} is a prefix of another code`);
    kids[slot] = -(sym + 1);
  }
  if (nodes !== 256 || kids.includes(0, 2)) throw new Error("hpack: Huffman code table is not complete");

  // The all-ones path from the root, up to 7 bits deep, is valid padding.
  let onesNode = 0;
  HUFF_ACCEPT[0] = 1;
  for (let depth = 1; depth <= 7; depth++) {
    onesNode = kids[onesNode * 2 + 1];
    HUFF_ACCEPT[onesNode] = 1;
  }

  for (let state = 0; state < 256; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let word = 0;
      for (let b = 3; b >= 0; b--) {
        const next = kids[node * 2 + ((nibble >> b) & 1)];
        if (next >= 0) {
          node = next;
          continue;
        }
        const sym = -next - 1;
        if (sym === EOS) {
          word = T_EOS;
          break;
        }
        word = T_EMIT | (sym << 8);
        node = 0;
      }
      HUFF_STEP[state * 16 + nibble] = word === T_EOS ? T_EOS : word | node;
    }
  }
})();

/** Reusable output buffer for Huffman decoding (grown on demand). */
let huffScratch = new Uint8Array(256);

/** What huffmanDecodeRange returns for a string with the EOS symbol in it. */
export const HUFFMAN_EOS = -1;
/** … and for padding longer than 7 bits or not all ones. */
export const HUFFMAN_BAD_PADDING = -2;

/** Huffman-decode src[start, end) (RFC 7541 5.2): the octets, or why it cannot be decoded. */
export function huffmanDecodeRange(src: Uint8Array, start: number, end: number): Uint8Array | typeof HUFFMAN_EOS | typeof HUFFMAN_BAD_PADDING {
  const max = Math.floor(((end - start) * 8) / 5);
  if (huffScratch.length < max) huffScratch = new Uint8Array(Math.max(max, huffScratch.length * 2));
  const out = huffScratch;
  let n = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const byte = src[i];
    let t = HUFF_STEP[(state << 4) | (byte >> 4)];
    if (t & T_EOS) return HUFFMAN_EOS;
    if (t & T_EMIT) out[n++] = (t >> 8) & 0xff;
    state = t & 0xff;
    t = HUFF_STEP[(state << 4) | (byte & 0x0f)];
    if (t & T_EOS) return HUFFMAN_EOS;
    if (t & T_EMIT) out[n++] = (t >> 8) & 0xff;
    state = t & 0xff;
  }
  return HUFF_ACCEPT[state] ? out.slice(0, n) : HUFFMAN_BAD_PADDING;
}

/** Huffman-decode (RFC 7541 5.2). Returns null on invalid input (EOS in the string, padding longer than 7 bits or not all ones). */
export function huffmanDecode(b: Uint8Array): Uint8Array | null {
  const out = huffmanDecodeRange(b, 0, b.length);
  return typeof out === "number" ? null : out;
}
