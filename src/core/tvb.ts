/**
 * Tvb: a bounded, zero-copy view over the bytes of one data source
 * (the frame itself, or a reassembled / decrypted buffer).
 *
 * Reading past the captured end throws a BoundsError. The dispatcher catches it
 * in one place and marks the layer: past the *reported* end means the packet
 * itself is short ("[Malformed Packet]"), past only the *captured* end means the
 * snapshot length cut it ("[Packet size limited during capture]").
 */

export interface DataSource {
  /** Name shown above a hex dump: "Frame (74 bytes)", "Reassembled IPv4 (3008 bytes)". */
  name: string;
  data: Uint8Array;
}

export class BoundsError extends Error {
  /** true when the read went past the reported length (malformed), false when only past the captured length. */
  constructor(public readonly reported: boolean) {
    super(reported ? "Malformed Packet" : "Packet size limited during capture");
  }
}

export class Tvb {
  /** Absolute start of this view inside ds.data. */
  readonly off: number;
  /** Absolute end of captured bytes inside ds.data. */
  readonly end: number;
  /** Length the packet claims (may exceed captured bytes when the snaplen cut it). */
  readonly reportedLength: number;
  readonly ds: DataSource;
  private readonly d: Uint8Array;

  constructor(ds: DataSource, off = 0, capLen = ds.data.length - off, reportedLength = capLen) {
    this.ds = ds;
    this.d = ds.data;
    this.off = off;
    this.end = off + capLen;
    this.reportedLength = reportedLength;
  }

  static of(data: Uint8Array, name = "Frame"): Tvb {
    return new Tvb({ name, data });
  }

  /** Captured bytes in this view. */
  get length(): number {
    return this.end - this.off;
  }

  /** Bytes the view claims to hold, captured or not. */
  get reportedRemaining(): number {
    return this.reportedLength;
  }

  private fail(o: number, n: number): never {
    throw new BoundsError(o + n > this.reportedLength);
  }

  /** Throws unless [o, o+n) is captured. */
  ensure(o: number, n: number): void {
    if (o < 0 || n < 0 || this.off + o + n > this.end) this.fail(o, n);
  }

  has(o: number, n: number): boolean {
    return o >= 0 && n >= 0 && this.off + o + n <= this.end;
  }

  /** Bytes left after relative offset o (captured). */
  remaining(o: number): number {
    return Math.max(0, this.end - this.off - o);
  }

  /** Reported bytes left after o. */
  reportedRemainingFrom(o: number): number {
    return Math.max(0, this.reportedLength - o);
  }

  u8(o: number): number {
    const i = this.off + o;
    if (o < 0 || i + 1 > this.end) this.fail(o, 1);
    return this.d[i];
  }
  u16(o: number): number {
    const i = this.off + o;
    if (o < 0 || i + 2 > this.end) this.fail(o, 2);
    return (this.d[i] << 8) | this.d[i + 1];
  }
  u16le(o: number): number {
    const i = this.off + o;
    if (o < 0 || i + 2 > this.end) this.fail(o, 2);
    return this.d[i] | (this.d[i + 1] << 8);
  }
  u24(o: number): number {
    const i = this.off + o;
    if (o < 0 || i + 3 > this.end) this.fail(o, 3);
    return (this.d[i] << 16) | (this.d[i + 1] << 8) | this.d[i + 2];
  }
  u32(o: number): number {
    const i = this.off + o;
    if (o < 0 || i + 4 > this.end) this.fail(o, 4);
    return ((this.d[i] << 24) >>> 0) + ((this.d[i + 1] << 16) | (this.d[i + 2] << 8) | this.d[i + 3]);
  }
  u32le(o: number): number {
    const i = this.off + o;
    if (o < 0 || i + 4 > this.end) this.fail(o, 4);
    return ((this.d[i + 3] << 24) >>> 0) + ((this.d[i + 2] << 16) | (this.d[i + 1] << 8) | this.d[i]);
  }
  u64(o: number): bigint {
    return (BigInt(this.u32(o)) << 32n) | BigInt(this.u32(o + 4));
  }

  /** Zero-copy view of n bytes at o (n = -1: to the captured end). */
  bytes(o: number, n = -1): Uint8Array {
    if (n < 0) n = this.end - this.off - o;
    this.ensure(o, n);
    return this.d.subarray(this.off + o, this.off + o + n);
  }

  /** Latin-1/ASCII string of n bytes (n = -1: to the end). */
  ascii(o: number, n = -1): string {
    const b = this.bytes(o, n);
    let s = "";
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return s;
  }

  /**
   * A sub-view starting at o. len (default: rest) is the *reported* length of the
   * new view; the captured part is clipped to what this view holds. o beyond the
   * captured end throws.
   */
  sub(o: number, reportedLen = -1): Tvb {
    if (o < 0 || this.off + o > this.end) this.fail(o, 0);
    const rep = reportedLen < 0 ? Math.max(0, this.reportedLength - o) : reportedLen;
    const cap = Math.min(rep, this.end - this.off - o);
    return new Tvb(this.ds, this.off + o, cap, rep);
  }

  /** Offset of this view's byte o inside its data source (what the tree records). */
  abs(o: number): number {
    return this.off + o;
  }
}
