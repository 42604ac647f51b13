/**
 * What the classic pcap and the pcapng parsers share: CaptureError, CaptureInfo, the
 * RecordParser contract the reader drives, the byte readers, Wireshark's per-link-type
 * snaplen maxima and pseudo-header lengths, and the common error messages.
 * Re-exported by pcap.ts.
 */
import type { Frame, InterfaceInfo } from "./frame.js";

/** A file that is not a capture file ("format") or one whose records make no sense ("corrupt"). */
export class CaptureError extends Error {
  /** format: not a capture file; corrupt: bad or cut-short data; unsupported: a capture file nestcap can't read (tshark's "contains record data that … doesn't support"). */
  readonly kind: "format" | "corrupt" | "unsupported";
  /** Byte offset in the file of the bad record, when known. */
  readonly offset?: number;
  constructor(kind: "format" | "corrupt" | "unsupported", message: string, offset?: number) {
    super(message);
    this.name = "CaptureError";
    this.kind = kind;
    if (offset !== undefined) this.offset = offset;
  }
}

/** One pcapng Name Resolution Block record. */
export interface NameRecord {
  /** 4 (IPv4) or 6 (IPv6). */
  family: 4 | 6;
  address: Uint8Array;
  names: string[];
}

export interface CaptureInfo {
  format: "pcap" | "pcapng";
  /** Interfaces seen so far (classic pcap: exactly one). */
  interfaces: InterfaceInfo[];
  /** Classic pcap: version, and whether timestamps are nanoseconds. */
  version?: { major: number; minor: number };
  /** True when the file was written in big-endian order (the first section's for pcapng). */
  bigEndian: boolean;
  /** Classic pcap: nanosecond timestamps (magic a1b23c4d). */
  nanosecond?: boolean;
  /** pcapng: number of sections seen so far. */
  sections?: number;
  /** pcapng: name resolution records (NRB). */
  nameResolution?: NameRecord[];
  /** pcapng: the first section's comments / shb_hardware / shb_os / shb_userappl. */
  shb?: { comments: string[]; hardware?: string; os?: string; userAppl?: string };
  /** Classic pcap: the record layout Wireshark would pick (pcap, nsecpcap, aixpcap, rh6_1pcap, suse6_3pcap, modpcap, nokiapcap). */
  variant?: string;
  /** Classic pcap: FCS length in bits from the link-type field (when the FCS flag is set). */
  fcsBits?: number;
}

/** What the reader drives: a parser over a caller-owned block buffer. */
export interface RecordParser {
  readonly info: CaptureInfo;
  /**
   * Parse complete records in buf[pos, end), push frames onto `out`, return the new
   * position. `fileOffset` is the file offset of buf[0] (for error messages).
   * When it stops for lack of data, `need` is the number of bytes from the returned
   * position needed to finish the next record (0 when it did not stop for that).
   * When it finds a corrupt record, it sets `error` and stops before the record.
   */
  parse(buf: Uint8Array, pos: number, end: number, out: Frame[], fileOffset: number): number;
  need: number;
  error: CaptureError | null;
  /**
   * The input ended with `remaining` bytes of an incomplete record: a warning to add
   * (default: the cut-short message), or an error to throw (e.g. inside the file header).
   */
  atEof?(remaining: number): CaptureError | string | null;
}

/** Frames per parse() call: batches small enough for their objects to die young. */
export const MAX_BATCH = 2048;

/** Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD. */
export const MAX_PACKET_SIZE_STANDARD = 262144;
/** Larger maxima Wireshark allows for a few link types (wtap_max_snaplen_for_encap). */
export function maxSnaplenFor(linkType: number): number {
  switch (linkType) {
    case 249: // USBPCAP
    case 189: // USB_LINUX
    case 220: // USB_LINUX_MMAPPED
      return 128 * 1024 * 1024;
    case 231: // DBUS
      return 128 * 1024 * 1024;
    case 279: // EBHSCR
      return 8 * 1024 * 1024;
    default:
      return MAX_PACKET_SIZE_STANDARD;
  }
}

export function u32le(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
}
export function u32be(b: Uint8Array, p: number): number {
  return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}
export function u16le(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}
export function u16be(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

/** Link types Wireshark strips a fixed-length pseudo-header from (pcap_process_pseudo_header). */
const PHDR: Record<number, [number, string]> = {
  123: [4, "SunATM file has a %u-byte packet, too small to have even an ATM pseudo-header"],
  144: [16, "IrDA file has a %u-byte packet, too small to have even an IrDA pseudo-header"],
  139: [4, "MTP2 file has a %u-byte packet, too small to have even an MTP2 pseudo-header"],
  177: [16, "LAPD file has a %u-byte packet, too small to have even a LAPD pseudo-header"],
  196: [5, "SITA file has a %u-byte packet, too small to have even a SITA pseudo-header"],
  201: [4, "libpcap bluetooth file has a %u-byte packet, too small to have even a pseudo-header"],
  254: [4, "libpcap bluetooth monitor file has a %u-byte packet, too small to have even a pseudo-header"],
  245: [2, "libpcap llcp file too short"],
  204: [1, "libpcap ppp file has a %u-byte packet, too small to have even a pseudo-header"],
  209: [5, "I2C file has a %u-byte packet, too small to have even a I2C pseudo-header"],
};

/** Pseudo-header length for a link type (0 when none). */
export function pseudoHeaderLen(linkType: number): number {
  const p = PHDR[linkType];
  return p === undefined ? 0 : p[0];
}

/** Wireshark's message for a record too short for its pseudo-header. */
export function pseudoHeaderError(linkType: number, caplen: number): string {
  return PHDR[linkType][1].replace("%u", String(caplen));
}

export function cutShortOther(name: string): CaptureError {
  return new CaptureError("corrupt", `The file "${name}" appears to have been cut short in the middle of a packet or other data.`);
}

export function unsupported(name: string, detail: string): CaptureError {
  return new CaptureError("unsupported", `The file "${name}" contains record data that nestcap doesn't support.\n(${detail})`);
}
