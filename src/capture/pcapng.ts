/**
 * pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): blocks of
 * type, total length, body, total length again. Sections (SHB) set the byte order and
 * their own interface list (IDB); packets come in EPB, SPB and the obsolete PB.
 *
 * Interface ids are per section; like Wireshark, frames carry a global id (the IDB's
 * index among all IDBs of the file).
 *
 * Block layout, timestamps and the option / NRB readers are in pcapng-blocks.ts
 * (re-exported here); this file holds the parser that walks the blocks.
 */
import type { Frame, InterfaceInfo } from "./frame.js";
import {
  BT_EPB,
  BT_IDB,
  BT_NRB,
  BT_PB,
  BT_SHB,
  BT_SPB,
  BYTE_ORDER_MAGIC,
  MAX_BLOCK_SIZE,
  MIN_SIZE,
  OPT_COMMENT,
  TWO32,
  packetOptions,
  parseNrb,
  readOptions,
  splitTs,
  str,
  type Iface,
} from "./pcapng-blocks.js";
import {
  CaptureError,
  MAX_BATCH,
  maxSnaplenFor,
  pseudoHeaderError,
  pseudoHeaderLen,
  u16be,
  u16le,
  u32be,
  u32le,
  unsupported,
  cutShortOther,
  type CaptureInfo,
  type RecordParser,
} from "./record-parser.js";

export { BT_EPB, BT_IDB, BT_ISB, BT_NRB, BT_PB, BT_SHB, BT_SPB, BYTE_ORDER_MAGIC, MAX_BLOCK_SIZE, splitTs } from "./pcapng-blocks.js";

export class PcapngParser implements RecordParser {
  readonly info: CaptureInfo;
  need = 0;
  error: CaptureError | null = null;
  private le = true;
  private num = 0;
  /** Interfaces of the current section. */
  private section: Iface[] = [];
  private readonly all: Iface[] = [];
  private readonly name: string;
  private readonly ts = { s: 0, ns: 0 };
  /** Set once the first SHB is parsed. */
  private started = false;

  constructor(name: string) {
    this.name = name;
    this.info = { format: "pcapng", interfaces: [], bigEndian: false, sections: 0 };
  }

  private corrupt(msg: string, off: number): CaptureError {
    return new CaptureError("corrupt", `The file "${this.name}" appears to be damaged or corrupt.\n(pcapng: ${msg})`, off);
  }

  /** Still in the SHB and the IDBs right after it (Wireshark reads them when opening the file). */
  headerPhase = true;

  atEof(remaining: number): CaptureError | string | null {
    if (!this.started && remaining < 12) return new CaptureError("format", `The file "${this.name}" isn't a capture file in a format nestcap understands.`);
    if (this.headerPhase) return cutShortOther(this.name);
    return null;
  }

  parse(b: Uint8Array, pos: number, end: number, out: Frame[], fileOffset: number): number {
    this.need = 0;
    while (true) {
      if (out.length >= MAX_BATCH) return pos;
      const avail = end - pos;
      if (avail < 8) {
        if (avail > 0) this.need = 12;
        return pos;
      }
      let type: number;
      let total: number;
      let le = this.le;
      if (u32le(b, pos) === BT_SHB) {
        // The byte order comes from the SHB itself.
        if (avail < 12) {
          this.need = 12;
          return pos;
        }
        const bom = u32le(b, pos + 8);
        if (bom === BYTE_ORDER_MAGIC) le = true;
        else if (u32be(b, pos + 8) === BYTE_ORDER_MAGIC) le = false;
        else {
          if (!this.started) {
            this.error = new CaptureError("format", `The file "${this.name}" isn't a capture file in a format nestcap understands.`, fileOffset + pos);
          } else {
            this.error = this.corrupt(`unknown byte-order magic number 0x${u32be(b, pos + 8).toString(16).padStart(8, "0")}`, fileOffset + pos);
          }
          return pos;
        }
        type = BT_SHB;
        total = le ? u32le(b, pos + 4) : u32be(b, pos + 4);
        if (total < 28) {
          this.error = new CaptureError("corrupt", `The file "${this.name}" appears to have been cut short in the middle of a packet.`, fileOffset + pos);
          return pos;
        }
      } else {
        if (!this.started) {
          this.error = new CaptureError("format", `The file "${this.name}" isn't a capture file in a format nestcap understands.`, fileOffset + pos);
          return pos;
        }
        type = le ? u32le(b, pos) : u32be(b, pos);
        total = le ? u32le(b, pos + 4) : u32be(b, pos + 4);
        const min = MIN_SIZE[type];
        if (min !== undefined && total < min[0]) {
          this.error = this.corrupt(`total block length ${total} of ${min[1]} is less than the minimum ${min[2]} size ${min[0]}`, fileOffset + pos);
          return pos;
        }
      }
      if (total < 12) {
        this.error = this.corrupt(`total block length ${total} of block is too small (< 12)`, fileOffset + pos);
        return pos;
      }
      if (total > MAX_BLOCK_SIZE) {
        this.error = this.corrupt(`total block length ${total} is too large (> ${MAX_BLOCK_SIZE})`, fileOffset + pos);
        return pos;
      }
      // Wireshark 4.0 reads a length that is not a multiple of 4 as if padded to one.
      const size = (total + 3) & ~3;
      if (avail < size) {
        this.need = size;
        return pos;
      }
      const trailer = le ? u32le(b, pos + size - 4) : u32be(b, pos + size - 4);
      if (trailer !== total) {
        this.error = this.corrupt(`total block lengths (first ${total} and second ${trailer}) don't match`, fileOffset + pos);
        return pos;
      }
      const body = pos + 8;
      const bodyEnd = pos + size - 4;
      let err: CaptureError | null = null;
      if (type !== BT_IDB && type !== BT_SHB) this.headerPhase = false;
      switch (type) {
        case BT_EPB:
          err = this.epb(b, body, bodyEnd, le, out, fileOffset + pos);
          break;
        case BT_SPB:
          err = this.spb(b, body, bodyEnd, le, out, fileOffset + pos);
          break;
        case BT_PB:
          err = this.pb(b, body, bodyEnd, le, out, fileOffset + pos);
          break;
        case BT_IDB:
          err = this.idb(b, body, bodyEnd, le);
          break;
        case BT_SHB:
          if (this.started) this.headerPhase = false;
          err = this.shb(b, body, bodyEnd, le, fileOffset + pos);
          if (!err) this.le = le;
          break;
        case BT_NRB:
          parseNrb(b, body, bodyEnd, le, this.info);
          break;
        default:
          // ISB, DSB, custom, systemd journal, unknown: skipped.
          break;
      }
      if (err) {
        this.error = err;
        return pos;
      }
      pos += size;
    }
  }

  private shb(b: Uint8Array, p: number, e: number, le: boolean, off: number): CaptureError | null {
    if (e - p < 16) return this.corrupt(`block length ${e - p + 12} of SHB is too small`, off);
    const major = le ? u16le(b, p + 4) : u16be(b, p + 4);
    const minor = le ? u16le(b, p + 6) : u16be(b, p + 6);
    if (!(major === 1 && minor <= 2)) return unsupported(this.name, `pcapng: unknown SHB version ${major}.${minor}`);
    if (!this.started) {
      this.started = true;
      this.info.bigEndian = !le;
      const shb: { comments: string[]; hardware?: string; os?: string; userAppl?: string } = { comments: [] };
      readOptions(b, p + 16, e, le, (code, vp, vl) => {
        if (code === OPT_COMMENT) shb.comments.push(str(b, vp, vl));
        else if (code === 2) shb.hardware = str(b, vp, vl);
        else if (code === 3) shb.os = str(b, vp, vl);
        else if (code === 4) shb.userAppl = str(b, vp, vl);
      });
      this.info.shb = shb;
    }
    this.info.sections = (this.info.sections ?? 0) + 1;
    this.section = [];
    return null;
  }

  private idb(b: Uint8Array, p: number, e: number, le: boolean): CaptureError | null {
    const linkType = le ? u16le(b, p) : u16be(b, p);
    const snaplen = le ? u32le(b, p + 4) : u32be(b, p + 4);
    const info: InterfaceInfo = { linkType, snaplen, tsresol: 1e6, tsoffset: 0 };
    let tsresolByte = 6;
    readOptions(b, p + 8, e, le, (code, vp, vl) => {
      switch (code) {
        case 2:
          info.name = str(b, vp, vl);
          break;
        case 3:
          info.description = str(b, vp, vl);
          break;
        case 9:
          if (vl >= 1) tsresolByte = b[vp];
          break;
        case 14:
          if (vl >= 8) {
            // int64 seconds
            const lo = le ? u32le(b, vp) : u32be(b, vp + 4);
            const hi = le ? u32le(b, vp + 4) : u32be(b, vp);
            info.tsoffset = (hi | 0) * TWO32 + lo;
          }
          break;
      }
    });
    const exp = tsresolByte & 0x7f;
    const units = tsresolByte & 0x80 ? 2 ** exp : 10 ** exp;
    info.tsresol = units;
    const ifc: Iface = {
      info,
      global: this.all.length,
      local: this.section.length,
      sectionNum: this.info.sections ?? 1,
      units,
      tsoffset: info.tsoffset,
      phdr: pseudoHeaderLen(linkType),
      maxCaplen: maxSnaplenFor(linkType),
    };
    this.all.push(ifc);
    this.section.push(ifc);
    this.info.interfaces.push(info);
    return null;
  }

  /** Common tail of EPB/PB/SPB: checks, pseudo-header, the frame. */
  private frame(b: Uint8Array, d: number, caplen: number, len: number, ifc: Iface, off: number): Frame | CaptureError {
    if (caplen > ifc.maxCaplen) return this.corrupt(`cap_len ${caplen} is larger than ${ifc.maxCaplen}`, off);
    const fr: Frame = {
      num: 0,
      tsSec: 0,
      tsNsec: 0,
      caplen,
      len,
      data: b.subarray(d, d + caplen),
      linkType: ifc.info.linkType,
      interfaceId: ifc.global,
      iface: ifc.info,
      section: ifc.sectionNum,
    };
    if (ifc.local !== ifc.global) fr.localInterfaceId = ifc.local;
    const ph = ifc.phdr;
    if (ph !== 0) {
      if (caplen < ph) return this.corrupt(pseudoHeaderError(ifc.info.linkType, caplen), off);
      fr.pseudoHeader = b.subarray(d, d + ph);
      fr.data = b.subarray(d + ph, d + caplen);
      fr.caplen = caplen - ph;
      fr.len = (len - ph) >>> 0;
    }
    return fr;
  }

  private epb(b: Uint8Array, p: number, e: number, le: boolean, out: Frame[], off: number): CaptureError | null {
    let id, hi, lo, caplen, len;
    if (le) {
      id = u32le(b, p);
      hi = u32le(b, p + 4);
      lo = u32le(b, p + 8);
      caplen = u32le(b, p + 12);
      len = u32le(b, p + 16);
    } else {
      id = u32be(b, p);
      hi = u32be(b, p + 4);
      lo = u32be(b, p + 8);
      caplen = u32be(b, p + 12);
      len = u32be(b, p + 16);
    }
    const d = p + 20;
    if (caplen > e - d) {
      return this.corrupt(`total block length ${e - p + 12} of an EPB is too small for ${caplen} bytes of packet data`, off);
    }
    const ifc = this.section[id];
    if (ifc === undefined) return this.badIface(id, off);
    const fr = this.frame(b, d, caplen, len, ifc, off);
    if (fr instanceof CaptureError) return fr;
    const ts = this.ts;
    splitTs(hi, lo, ifc.units, ts);
    fr.tsSec = ts.s + ifc.tsoffset;
    fr.tsNsec = ts.ns;
    const o = d + ((caplen + 3) & ~3);
    if (o + 4 <= e) packetOptions(b, o, e, le, fr);
    fr.num = ++this.num;
    out.push(fr);
    return null;
  }

  private badIface(id: number, off: number): CaptureError {
    return this.corrupt(`interface index ${id} is not less than section interface count ${this.section.length}`, off);
  }

  private spb(b: Uint8Array, p: number, e: number, le: boolean, out: Frame[], off: number): CaptureError | null {
    const ifc = this.section[0];
    if (ifc === undefined) return this.corrupt(`SPB appeared before any IDBs in the section`, off);
    const len = le ? u32le(b, p) : u32be(b, p);
    // Captured length: the original length, cut to the interface snaplen; it must fit the block.
    const snap = ifc.info.snaplen;
    const caplen = snap !== 0 && len > snap ? snap : len;
    if (caplen > e - (p + 4)) {
      return this.corrupt(`total block length ${e - p + 12} of an SPB is too small for ${len} bytes of packet data`, off);
    }
    const fr = this.frame(b, p + 4, caplen, len, ifc, off);
    if (fr instanceof CaptureError) return fr;
    fr.noTimestamp = true;
    fr.num = ++this.num;
    out.push(fr);
    return null;
  }

  private pb(b: Uint8Array, p: number, e: number, le: boolean, out: Frame[], off: number): CaptureError | null {
    const id = le ? u16le(b, p) : u16be(b, p);
    const hi = le ? u32le(b, p + 4) : u32be(b, p + 4);
    const lo = le ? u32le(b, p + 8) : u32be(b, p + 8);
    const caplen = le ? u32le(b, p + 12) : u32be(b, p + 12);
    const len = le ? u32le(b, p + 16) : u32be(b, p + 16);
    const d = p + 20;
    if (caplen > e - d) {
      return this.corrupt(`total block length ${e - p + 12} of a PB is too small for ${caplen} bytes of packet data`, off);
    }
    const ifc = this.section[id];
    if (ifc === undefined) return this.badIface(id, off);
    const fr = this.frame(b, d, caplen, len, ifc, off);
    if (fr instanceof CaptureError) return fr;
    const ts = this.ts;
    splitTs(hi, lo, ifc.units, ts);
    fr.tsSec = ts.s + ifc.tsoffset;
    fr.tsNsec = ts.ns;
    const o = d + ((caplen + 3) & ~3);
    if (o + 4 <= e) packetOptions(b, o, e, le, fr);
    fr.num = ++this.num;
    out.push(fr);
    return null;
  }
}
