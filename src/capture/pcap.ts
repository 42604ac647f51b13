/**
 * Classic libpcap file format (https://www.tcpdump.org/manpages/pcap-savefile.5.html):
 * a 24-byte file header, then records of a 16-byte header and the captured bytes.
 *
 * The parser works on a caller-owned buffer: `parse()` turns every complete record
 * in buf[pos, end) into a Frame whose data is a view into that buffer, and tells the
 * caller how many bytes it still needs when it stops in the middle of a record.
 *
 * What pcapng shares with it (CaptureError, CaptureInfo, RecordParser, byte readers,
 * snaplen and pseudo-header rules) is in record-parser.ts.
 */
import type { Frame, InterfaceInfo } from "./frame.js";
import {
  CaptureError,
  MAX_BATCH,
  cutShortOther,
  maxSnaplenFor,
  pseudoHeaderError,
  pseudoHeaderLen,
  u16be,
  u16le,
  u32be,
  u32le,
  unsupported,
  type CaptureInfo,
  type RecordParser,
} from "./record-parser.js";

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Alexey Kuznetsov's modified pcap (24-byte record headers). */
export const PCAP_MAGIC_KUZNETSOV = 0xa1b2cd34;

/**
 * LINKTYPE_ values Wireshark 4.0's pcap reader knows (others: "network type N unknown or
 * unsupported"). Found by asking capinfos about every value below 600.
 */
export const KNOWN_LINKTYPES: ReadonlySet<number> = new Set([
  0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 18, 19, 32, 50, 51, 99, 100, 101, 104, 105, 106, 107, 108, 109,
  112, 113, 114, 117, 118, 119, 121, 122, 123, 127, 128, 129, 130, 131, 133, 135, 136, 137, 138, 139, 140, 141, 142,
  143, 144, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 165, 167, 169, 170,
  171, 172, 173, 177, 178, 179, 180, 181, 183, 184, 186, 187, 188, 189, 190, 192, 195, 196, 197, 199, 200, 201, 202,
  203, 204, 209, 210, 211, 212, 213, 214, 215, 220, 224, 225, 226, 227, 228, 229, 230, 231, 235, 236, 237, 239, 240,
  241, 242, 243, 245, 248, 249, 250, 251, 252, 253, 254, 255, 256, 258, 259, 260, 264, 266, 268, 270, 271, 272, 273,
  274, 275, 276, 279, 280, 283, 287, 288, 290, 292, 293, 294, 295,
]);

/** The header of a classic pcap file, or null when the magic is not one. */
export function probePcap(b: Uint8Array): { le: boolean; ns: boolean; kuznetsov: boolean } | null {
  if (b.length < 4) return null;
  const be = u32be(b, 0);
  const le = u32le(b, 0);
  if (le === PCAP_MAGIC_US) return { le: true, ns: false, kuznetsov: false };
  if (le === PCAP_MAGIC_NS) return { le: true, ns: true, kuznetsov: false };
  if (le === PCAP_MAGIC_KUZNETSOV) return { le: true, ns: false, kuznetsov: true };
  if (be === PCAP_MAGIC_US) return { le: false, ns: false, kuznetsov: false };
  if (be === PCAP_MAGIC_NS) return { le: false, ns: true, kuznetsov: false };
  if (be === PCAP_MAGIC_KUZNETSOV) return { le: false, ns: false, kuznetsov: true };
  return null;
}

export const PCAP_HEADER_LEN = 24;

/** Record-header layouts of the pcap variants Wireshark tells apart. */
export const enum Variant {
  PCAP,
  NSEC,
  AIX,
  SS990417,
  SS990915,
  SS991029,
  NOKIA,
}
const VARIANT_HDR_LEN = [16, 16, 16, 24, 28, 24, 20];
const VARIANT_NAMES = ["pcap", "nsecpcap", "aixpcap", "rh6_1pcap", "suse6_3pcap", "modpcap", "nokiapcap"];

/** Lengths order in the record header (files before 2.3 had them the other way round). */
const enum LenOrder {
  NORMAL,
  SWAPPED,
  MAYBE,
}

export interface PcapOpenOptions {
  /** Reading from a pipe: no look-ahead to guess the variant (as Wireshark). */
  pipe?: boolean;
  /** `head` holds the whole file. */
  eof?: boolean;
}

export class PcapParser implements RecordParser {
  readonly info: CaptureInfo;
  need = 0;
  error: CaptureError | null = null;
  private readonly le: boolean;
  private readonly variant: Variant;
  private readonly hdrLen: number;
  private readonly linkType: number;
  private readonly iface: InterfaceInfo;
  private readonly maxCaplen: number;
  private readonly lenOrder: LenOrder;
  private readonly phdr: number;
  private num = 0;
  private headerDone = false;
  private readonly name: string;

  /** `head` holds at least the first 24 bytes of the file (more helps to guess the variant). */
  constructor(head: Uint8Array, name: string, opts: PcapOpenOptions = {}) {
    const p = probePcap(head);
    if (!p) throw new CaptureError("format", `The file "${name}" isn't a capture file in a format nestcap understands.`);
    if (head.length < PCAP_HEADER_LEN) throw cutShortOther(name);
    this.name = name;
    this.le = p.le;
    const r32 = p.le ? u32le : u32be;
    const r16 = p.le ? u16le : u16be;
    const major = r16(head, 4);
    const minor = r16(head, 6);
    const snaplen = r32(head, 16);
    let network = r32(head, 20);
    if (major < 2) throw unsupported(name, `pcap: major version ${major} unsupported`);
    // The record layout is guessed for version 2.4+ files with the µs or the modified
    // magic (not AIX ones); older versions are plain pcap, nanosecond files too.
    let variant: Variant | null = p.ns ? Variant.NSEC : null;
    let lenOrder = LenOrder.NORMAL;
    if (major === 2) {
      if (minor < 3) lenOrder = LenOrder.SWAPPED;
      else if (minor === 3) lenOrder = LenOrder.MAYBE;
      if (minor <= 3 && !p.kuznetsov && !p.ns) variant = Variant.PCAP;
    } else if (major === 543) {
      lenOrder = LenOrder.SWAPPED;
      if (!p.kuznetsov && !p.ns) variant = Variant.PCAP;
    }
    this.lenOrder = lenOrder;
    if (!p.ns && !p.kuznetsov && major === 2 && minor === 2) {
      const aix: Record<number, number> = { 6: 1, 9: 6, 15: 10, 24: 0 };
      if (aix[network] !== undefined) {
        network = aix[network];
        variant = Variant.AIX;
      }
    }
    if ((network & 0x03ff0000) !== 0) {
      throw unsupported(name, `pcap: network type reserved field not zero (0x${(network & 0x03ff0000).toString(16).padStart(8, "0")})`);
    }
    this.linkType = network & 0xffff;
    if (!KNOWN_LINKTYPES.has(this.linkType)) {
      throw unsupported(name, `pcap: network type ${network} unknown or unsupported`);
    }
    this.maxCaplen = maxSnaplenFor(this.linkType);
    if (variant === null) {
      if (p.kuznetsov) {
        if (opts.pipe) throw unsupported(name, "pcap: that type of pcap file can't be read from a pipe");
        variant = this.guess(head, [Variant.SS991029, Variant.SS990915], snaplen, opts.eof ?? false);
      } else {
        variant = opts.pipe ? Variant.PCAP : this.guess(head, [Variant.PCAP, Variant.SS990417, Variant.NOKIA], snaplen, opts.eof ?? false);
      }
    }
    this.variant = variant;
    this.hdrLen = VARIANT_HDR_LEN[variant];
    this.phdr = variant === Variant.NOKIA && this.linkType === 123 ? 12 : pseudoHeaderLen(this.linkType);
    const ns = variant === Variant.NSEC || variant === Variant.AIX;
    this.iface = { linkType: this.linkType, snaplen, tsresol: ns ? 1e9 : 1e6, tsoffset: 0 };
    this.info = {
      format: "pcap",
      interfaces: [this.iface],
      version: { major, minor },
      bigEndian: !p.le,
      nanosecond: ns,
      variant: VARIANT_NAMES[variant],
    };
    if (network & 0x04000000) this.info.fcsBits = ((network >>> 28) & 0xf) * 16;
  }

  /**
   * Wireshark's libpcap_try_variants: read the first 3 records as each candidate layout
   * and count what looks wrong (fractions ≥ 10^6, lengths over the maximum or the
   * snaplen, captured > original, odd extra fields); the first with nothing wrong wins,
   * else the least wrong. A short read counts only when the file really ends there.
   */
  private guess(b: Uint8Array, variants: Variant[], snaplen: number, eof: boolean): Variant {
    const r32 = this.le ? u32le : u32be;
    const r16 = this.le ? u16le : u16be;
    const order = this.lenOrder;
    const merits: number[] = [];
    const pen = eof ? 1 : 0;
    for (const v of variants) {
      let merit = 0;
      let pos = PCAP_HEADER_LEN;
      const end = b.length;
      const hl = VARIANT_HDR_LEN[v];
      for (let i = 0; i < 3; i++) {
        if (pos === end && eof) break; // clean end of file
        const avail = end - pos;
        if (avail < 8) {
          merit += pen;
          break;
        }
        if (r32(b, pos + 4) >= 1000000) merit++;
        if (avail < 16) {
          merit += pen;
          break;
        }
        let incl = r32(b, pos + 8);
        let orig = r32(b, pos + 12);
        if (order !== LenOrder.NORMAL && (order === LenOrder.SWAPPED || incl > orig)) {
          const t = incl;
          incl = orig;
          orig = t;
        }
        let inclOk = true;
        if (incl > this.maxCaplen) {
          inclOk = false;
          merit++;
        }
        if (incl > snaplen) merit++;
        if (orig > 128 * 1024 * 1024) merit++;
        if (incl > orig) merit++;
        if (v === Variant.SS990417 || v === Variant.SS991029 || v === Variant.SS990915) {
          if (avail < 23) {
            merit += pen;
            break;
          }
          if (r32(b, pos + 16) > 10000) merit++;
          const proto = r16(b, pos + 20);
          if (!(proto >= 0x0600 || proto === 0x0060 || proto === 0x0200 || proto === 0x0400 || proto <= 0x0017)) merit++;
          if (b[pos + 22] > 4) merit++;
          if (avail < hl) {
            merit += pen;
            break;
          }
        } else if (v === Variant.NOKIA) {
          if (avail < 20) {
            merit += pen;
            break;
          }
          const ns = r32(b, pos + 16);
          const p1 = (ns & 0xf0000000) >>> 0;
          const p2 = ns & 0x0000f000;
          const p3 = ns & 0x00000f00;
          const p4 = ns & 0x0000000f;
          const nokiaOk =
            (ns & 0x0fff00f0) === 0x0fbf0000 &&
            (p1 === 0x90000000 || p1 === 0xb0000000) &&
            (p2 === 0xb000 || p2 === 0xd000) &&
            (p3 === 0x600 || p3 === 0x900) &&
            (p4 === 1 || p4 === 2);
          if (!nokiaOk) merit++;
        }
        if (!inclOk) break;
        if (end - (pos + hl) < incl) {
          merit += pen;
          break;
        }
        pos += hl + incl;
      }
      if (merit === 0) return v;
      merits.push(merit);
    }
    let best = 0;
    for (let i = 1; i < merits.length; i++) if (merits[i] < merits[best]) best = i;
    return variants[best];
  }

  parse(b: Uint8Array, pos: number, end: number, out: Frame[], fileOffset: number): number {
    this.need = 0;
    if (!this.headerDone) {
      if (end - pos < PCAP_HEADER_LEN) {
        this.need = PCAP_HEADER_LEN;
        return pos;
      }
      pos += PCAP_HEADER_LEN;
      this.headerDone = true;
    }
    const le = this.le;
    const hl = this.hdrLen;
    const nsec = this.variant === Variant.NSEC || this.variant === Variant.AIX;
    const lt = this.linkType;
    const max = this.maxCaplen;
    const order = this.lenOrder;
    const phdr = this.phdr;
    while (true) {
      if (out.length >= MAX_BATCH) return pos;
      if (end - pos < hl) {
        if (end > pos) this.need = hl;
        return pos;
      }
      let sec, frac, caplen, len;
      if (le) {
        sec = u32le(b, pos);
        frac = u32le(b, pos + 4);
        caplen = u32le(b, pos + 8);
        len = u32le(b, pos + 12);
      } else {
        sec = u32be(b, pos);
        frac = u32be(b, pos + 4);
        caplen = u32be(b, pos + 8);
        len = u32be(b, pos + 12);
      }
      if (order !== LenOrder.NORMAL && (order === LenOrder.SWAPPED || caplen > len)) {
        const t = caplen;
        caplen = len;
        len = t;
      }
      if (caplen > max) {
        this.error = new CaptureError(
          "corrupt",
          `The file "${this.name}" appears to be damaged or corrupt.\n(pcap: File has ${caplen}-byte packet, bigger than maximum of ${max})`,
          fileOffset + pos,
        );
        return pos;
      }
      const recEnd = pos + hl + caplen;
      if (recEnd > end) {
        this.need = hl + caplen;
        return pos;
      }
      let d = pos + hl;
      const fr: Frame = {
        num: 0,
        tsSec: sec,
        // C arithmetic: guint32 * 1000 stored in an int.
        tsNsec: nsec ? frac | 0 : Math.imul(frac, 1000),
        caplen,
        len,
        data: b.subarray(d, recEnd),
        linkType: lt,
        interfaceId: 0,
        tsresol: nsec ? 1e9 : 1e6,
      };
      if (phdr !== 0) {
        if (caplen < phdr) {
          this.error = new CaptureError(
            "corrupt",
            `The file "${this.name}" appears to be damaged or corrupt.\n(pcap: ${pseudoHeaderError(lt, caplen)})`,
            fileOffset + pos,
          );
          return pos;
        }
        fr.pseudoHeader = b.subarray(d, d + phdr);
        d += phdr;
        fr.data = b.subarray(d, recEnd);
        fr.caplen = caplen - phdr;
        fr.len = (len - phdr) >>> 0;
      }
      fr.num = ++this.num;
      out.push(fr);
      pos = recEnd;
    }
  }
}
