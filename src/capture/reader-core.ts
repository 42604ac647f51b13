/**
 * What the asynchronous reader (reader.ts) and the synchronous ones (reader-sync.ts) share:
 * the block buffer and its bookkeeping (Core), and the choice of parser from the first bytes.
 */
import { PcapParser, probePcap, PCAP_HEADER_LEN } from "./pcap.js";
import { CaptureError, MAX_BATCH, type RecordParser, type CaptureInfo } from "./record-parser.js";
import type { Frame } from "./frame.js";
import { BT_SHB, PcapngParser } from "./pcapng.js";

/** Default block size. */
export const BLOCK_SIZE = 4 * 1024 * 1024;

function notCapture(name: string): CaptureError {
  return new CaptureError("format", `The file "${name}" isn't a capture file in a format nestcap understands.`);
}

export function cutShortMessage(name: string): string {
  return `The file "${name}" appears to have been cut short in the middle of a packet.`;
}

/** An empty input: no frames (tshark reads a 0-byte file as an empty capture). */
class EmptyParser implements RecordParser {
  readonly info: CaptureInfo = { format: "pcap", interfaces: [], bigEndian: false };
  need = 0;
  error: CaptureError | null = null;
  parse(_b: Uint8Array, pos: number): number {
    return pos;
  }
}

/** Pick the parser from the first bytes of the file (at least 24 of them, unless the file is shorter). */
export function makeParser(head: Uint8Array, name: string, pipe: boolean, eof: boolean): RecordParser {
  if (head.length === 0 && eof) return new EmptyParser();
  if (head.length >= 4) {
    const m = (head[0] | (head[1] << 8) | (head[2] << 16)) + head[3] * 0x1000000;
    if (m === BT_SHB) return new PcapngParser(name);
  }
  if (probePcap(head)) return new PcapParser(head, name, { pipe, eof });
  throw notCapture(name);
}

/**
 * A block buffer: not zeroed (only bytes read from the input are ever looked at), and a
 * plain Uint8Array, not a Buffer, so that frame.data.slice() copies (Buffer#slice doesn't).
 */
export function allocBlock(size: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * The buffer and position bookkeeping shared by the sync and async readers.
 * Data lives in buf[start, end); fileOff is the file offset of buf[0].
 */
export class Core {
  buf: Uint8Array;
  start = 0;
  end = 0;
  fileOff = 0;
  eof = false;
  parser: RecordParser | null = null;
  readonly warnings: string[] = [];
  done = false;
  /** The last parse stopped at the batch limit: more complete records are buffered. */
  more = false;

  /** Size of the input when known (a regular file): tells the variant guesser where the file ends. */
  size = -1;

  constructor(
    readonly name: string,
    size: number,
    readonly pipe = false,
  ) {
    this.buf = allocBlock(size);
  }

  /**
   * Make room for reading: move the unparsed tail to the front, grow when a single
   * record needs more than the buffer. Returns [offset, length] to read into.
   */
  room(): [number, number] {
    const need = this.parser?.need ?? 0;
    const pending = this.end - this.start;
    if (this.start > 0) {
      // Only the unparsed tail (at most one partial record) moves.
      if (pending > 0) this.buf.copyWithin(0, this.start, this.end);
      this.fileOff += this.start;
      this.start = 0;
      this.end = pending;
    }
    if (need > this.buf.length - this.start) {
      let n = this.buf.length * 2;
      while (n < need) n *= 2;
      const nb = allocBlock(n);
      nb.set(this.buf.subarray(this.start, this.end));
      this.fileOff += this.start;
      this.end -= this.start;
      this.start = 0;
      this.buf = nb;
    }
    return [this.end, this.buf.length - this.end];
  }

  /** After `n` bytes were read (0 = end of input). */
  filled(n: number): void {
    if (n === 0) this.eof = true;
    else this.end += n;
  }

  /** Enough bytes to choose the parser? Creates it, or throws for a non-capture file. */
  ready(): boolean {
    if (this.parser) return true;
    const have = this.end - this.start;
    if (have < PCAP_HEADER_LEN && !this.eof) return false;
    const whole = this.eof || (this.size >= 0 && this.fileOff + this.end >= this.size);
    this.parser = makeParser(this.buf.subarray(this.start, this.end), this.name, this.pipe, whole);
    return true;
  }

  /** Parse what is buffered; returns the frames (possibly none). Throws a pending corruption after its frames were taken. */
  step(): Frame[] {
    const out: Frame[] = [];
    const p = this.parser!;
    if (p.error) throw p.error;
    this.start = p.parse(this.buf, this.start, this.end, out, this.fileOff);
    this.more = out.length >= MAX_BATCH;
    if (!p.error && this.eof && !this.more) {
      if (this.start < this.end) {
        const r = p.atEof ? p.atEof(this.end - this.start) : null;
        if (r instanceof CaptureError) throw r;
        this.warnings.push(r ?? cutShortMessage(this.name));
      }
      this.done = true;
    }
    return out;
  }
}
