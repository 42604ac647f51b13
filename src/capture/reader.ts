/**
 * Reading capture files (classic pcap and pcapng) from a path, stdin or a stream.
 *
 * Speed: the file is read in big blocks into one reused buffer; records become
 * `subarray` views into it; only a record straddling two blocks is moved (to the
 * front of the buffer, together with whatever follows it). The buffer grows only
 * for a single record larger than itself. Memory stays bounded by the block size.
 * The buffer and the choice of parser are reader-core.ts (shared with the synchronous
 * readers of reader-sync.ts, re-exported here); gzip input is gzip.ts.
 */
import { open as openAsync, type FileHandle } from "node:fs/promises";
import type { Frame } from "./frame.js";
import { maybeGunzip, type InputCounter } from "./gzip.js";
import { allocBlock, BLOCK_SIZE, Core } from "./reader-core.js";
import { CaptureError, type CaptureInfo } from "./record-parser.js";

export { CaptureError };
export { BLOCK_SIZE, cutShortMessage } from "./reader-core.js";
export { readCaptureSync, readCaptureSyncPartial } from "./reader-sync.js";
export type { CaptureInfo, NameRecord } from "./record-parser.js";

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
