/**
 * Reading capture files (classic pcap and pcapng) from a path, stdin or a stream.
 *
 * Speed: the file is read in big blocks into one reused buffer; records become
 * `subarray` views into it; only a record straddling two blocks is moved (to the
 * front of the buffer, together with whatever follows it). The buffer grows only
 * for a single record larger than itself. Memory stays bounded by the block size.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import { open as openAsync, type FileHandle } from "node:fs/promises";
import type { Frame } from "./frame.js";
import { maybeGunzip, type InputCounter } from "./gzip.js";
import { PcapParser, probePcap, PCAP_HEADER_LEN } from "./pcap.js";
import { CaptureError, MAX_BATCH, type CaptureInfo, type RecordParser } from "./record-parser.js";
import { BT_SHB, PcapngParser } from "./pcapng.js";

export { CaptureError };
export type { CaptureInfo, NameRecord } from "./record-parser.js";

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
function makeParser(head: Uint8Array, name: string, pipe: boolean, eof: boolean): RecordParser {
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
function allocBlock(size: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * The buffer and position bookkeeping shared by the sync and async readers.
 * Data lives in buf[start, end); fileOff is the file offset of buf[0].
 */
class Core {
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

export type CaptureSource = string | NodeJS.ReadableStream;

function sourceName(src: CaptureSource): string {
  return typeof src === "string" && src !== "-" ? src : "-";
}

/** Incremental reader over a path, "-" (stdin) or a readable stream. */
export class CaptureReader {
  private readonly core: Core;
  private fh: FileHandle | null = null;
  private stream: AsyncIterator<unknown> | null = null;
  private leftover: Uint8Array | null = null;
  private closed = false;

  private constructor(core: Core) {
    this.core = core;
  }

  get info(): CaptureInfo {
    return this.core.parser!.info;
  }

  get warnings(): string[] {
    return this.core.warnings;
  }

  /** Bytes of the input parsed into records so far (decompressed, for a gzip file). */
  get bytesRead(): number {
    return this.core.fileOff + this.core.start;
  }

  private readonly input: InputCounter = { compressed: false, bytes: 0 };

  /** How far into the file on disk (the progress bar's position): its compressed bytes read, for a gzip file. */
  get inputPosition(): number {
    return this.input.compressed ? this.input.bytes : this.bytesRead;
  }

  static async open(src: CaptureSource, opts: { blockSize?: number } = {}): Promise<CaptureReader> {
    const name = sourceName(src);
    const isFile = typeof src === "string" && src !== "-";
    const r = new CaptureReader(new Core(name, opts.blockSize ?? BLOCK_SIZE, !isFile));
    if (isFile) {
      r.fh = await openAsync(src, "r");
      let regular = false;
      try {
        const st = await r.fh.stat();
        regular = st.isFile();
        if (regular) r.core.size = st.size;
      } catch {
        // not a regular file: size unknown
      }
      // a pipe (`-r <(zcat f.pcap.gz)`) can't be read at an offset: read where it is
      r.stream = maybeGunzip(readAhead(r.fh, opts.blockSize ?? BLOCK_SIZE, regular), name, r.input);
    } else {
      const s = typeof src === "string" ? process.stdin : src;
      r.stream = maybeGunzip((s as AsyncIterable<unknown>)[Symbol.asyncIterator](), name, r.input);
    }
    try {
      while (!r.core.ready()) await r.fill();
      // For pcapng, a corrupt/foreign first block is a format error: find out now.
      const first = r.core.step();
      const err = r.core.parser!.error;
      if (err && err.kind === "format" && first.length === 0) throw err;
      r.pendingFirst = first;
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  private pendingFirst: Frame[] | null = null;

  private async fill(): Promise<void> {
    const c = this.core;
    const [off, len] = c.room();
    // Copy chunks (a file's read ahead, or a stream's) into the buffer.
    let n = 0;
    while (n < len) {
      let chunk = this.leftover;
      this.leftover = null;
      if (!chunk) {
        if (n > 0) break;
        const it = await this.stream!.next();
        if (it.done) break;
        const v = it.value;
        chunk = typeof v === "string" ? Buffer.from(v, "latin1") : (v as Uint8Array);
      }
      const k = Math.min(chunk.length, len - n);
      c.buf.set(k === chunk.length ? chunk : chunk.subarray(0, k), off + n);
      n += k;
      if (k < chunk.length) this.leftover = chunk.subarray(k);
    }
    // (a gzip file's size on disk says nothing about where its records end)
    if (this.input.compressed) c.size = -1;
    c.filled(n);
  }

  /** Frames, one read block at a time. Data views are valid until the next batch is requested. */
  async *batches(): AsyncGenerator<Frame[]> {
    const c = this.core;
    try {
      if (this.pendingFirst) {
        const f = this.pendingFirst;
        this.pendingFirst = null;
        if (f.length > 0) yield f;
      }
      while (!c.done) {
        if (c.parser!.error) throw c.parser!.error;
        if (!c.more) await this.fill();
        const f = c.step();
        if (f.length > 0) yield f;
      }
      if (c.parser!.error) throw c.parser!.error;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.stream) {
      const s = this.stream;
      this.stream = null;
      // Stop the underlying stream (does not close process.stdin for good), or the
      // file's read-ahead (it waits for its read in flight).
      await s.return?.();
    }
    if (this.fh) {
      const fh = this.fh;
      this.fh = null;
      await fh.close();
    }
  }
}

/**
 * A file as chunks, read one block ahead: while the caller parses and dissects one
 * block, the next is already being read (by libuv's thread pool, on another core),
 * so the reader never waits for the disk or the page cache. Two buffers take turns;
 * a chunk stays valid until the chunk after the next one is asked for, and the
 * caller copies every chunk out before it asks for the next one.
 */
async function* readAhead(fh: FileHandle, size: number, positional: boolean): AsyncGenerator<Uint8Array> {
  const bufs = [allocBlock(size), allocBlock(size)];
  let i = 0;
  let pos = 0;
  // (one read in flight at a time, so reads without a position still come in order)
  let inFlight: Promise<{ bytesRead: number }> | null = fh.read(bufs[0], 0, size, positional ? 0 : null);
  try {
    for (;;) {
      const { bytesRead } = await inFlight;
      inFlight = null;
      if (bytesRead === 0) return;
      pos += bytesRead;
      const cur = bufs[i];
      i ^= 1;
      inFlight = fh.read(bufs[i], 0, size, positional ? pos : null);
      yield cur.subarray(0, bytesRead);
    }
  } finally {
    // stopped early (-c, an error): let the read in flight end before the file closes
    if (inFlight !== null) await inFlight.catch(() => undefined);
  }
}

/** Library convenience: frames one by one, data copied (safe to keep). */
export async function* readCapture(src: CaptureSource): AsyncGenerator<Frame> {
  const r = await CaptureReader.open(src);
  try {
    for await (const batch of r.batches()) {
      for (const f of batch) {
        f.data = f.data.slice();
        yield f;
      }
    }
  } finally {
    await r.close();
  }
}

function fileSize(fd: number): number {
  const st = fstatSync(fd);
  return st.isFile() ? st.size : -1;
}

/** Small files get a buffer their size (plus room to see the end of file in one read). */
function syncBlockSize(size: number): number {
  return size >= 0 && size + 1024 < BLOCK_SIZE ? Math.max(4096, size + 1024) : BLOCK_SIZE;
}

/** A file for the synchronous readers: read in place, or (gzip) decompressed whole first. */
interface SyncSource {
  size: number;
  read(buf: Uint8Array, off: number, len: number): number;
  close(): void;
}

function openSyncSource(path: string): SyncSource {
  const fd = openSync(path, "r");
  const magic = new Uint8Array(2);
  // (a regular file only: a pipe can't be peeked at an offset)
  if (fstatSync(fd).isFile() && readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    let data: Uint8Array;
    try {
      // (what a cut-short file holds before its cut is kept: the parser reports the cut)
      data = gunzipSync(readFileSync(fd), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new CaptureError("corrupt", `The file "${path}" cannot be decompressed; it may be damaged or corrupt.(${(e as Error).message})`);
    } finally {
      closeSync(fd);
    }
    let pos = 0;
    return {
      size: data.length,
      read(buf, off, len) {
        const n = Math.min(len, data.length - pos);
        buf.set(data.subarray(pos, pos + n), off);
        pos += n;
        return n;
      },
      close() {},
    };
  }
  return { size: fileSize(fd), read: (buf, off, len) => readSync(fd, buf, off, len, null), close: () => closeSync(fd) };
}

/** Read a whole file synchronously (tests, small files). Frame data is copied. */
export function readCaptureSync(path: string, opts: { blockSize?: number } = {}): { frames: Frame[]; warnings: string[]; info: CaptureInfo } {
  const src = openSyncSource(path);
  const c = new Core(path, opts.blockSize ?? syncBlockSize(src.size));
  c.size = src.size;
  const frames: Frame[] = [];
  try {
    const fill = () => {
      const [off, len] = c.room();
      c.filled(src.read(c.buf, off, len));
    };
    while (!c.ready()) fill();
    let batch = c.step();
    for (;;) {
      for (const f of batch) {
        f.data = f.data.slice();
        frames.push(f);
      }
      if (c.done) break;
      if (c.parser!.error) throw c.parser!.error;
      if (!c.more) fill();
      batch = c.step();
    }
    if (c.parser!.error) throw c.parser!.error;
  } finally {
    src.close();
  }
  return { frames, warnings: c.warnings, info: c.parser!.info };
}

/**
 * Like readCaptureSync, but a corrupt record does not throw: the frames before it
 * are returned with the error (tools that print what they could read, then fail).
 */
export function readCaptureSyncPartial(path: string): { frames: Frame[]; warnings: string[]; info: CaptureInfo | null; error: CaptureError | null } {
  const src = openSyncSource(path);
  const c = new Core(path, syncBlockSize(src.size));
  c.size = src.size;
  const frames: Frame[] = [];
  let error: CaptureError | null = null;
  try {
    const fill = () => {
      const [off, len] = c.room();
      c.filled(src.read(c.buf, off, len));
    };
    while (!c.ready()) fill();
    for (;;) {
      const batch = c.step();
      for (const f of batch) {
        f.data = f.data.slice();
        frames.push(f);
      }
      if (c.done) break;
      if (c.parser!.error) {
        error = c.parser!.error;
        break;
      }
      if (!c.more) fill();
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e;
  } finally {
    src.close();
  }
  return { frames, warnings: c.warnings, info: c.parser?.info ?? null, error };
}
