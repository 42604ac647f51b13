/**
 * Reading a whole capture synchronously (tests, tools, small files): in place from the
 * file, or, for a gzip file, decompressed whole first.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import type { Frame } from "./frame.js";
import { decompressFailure } from "./gzip.js";
import { BLOCK_SIZE, Core } from "./reader-core.js";
import { CaptureError, type CaptureInfo } from "./record-parser.js";

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
      throw decompressFailure(path, e);
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

/**
 * Read a whole file synchronously; a corrupt record does not throw: the frames before it
 * are returned with the error (tools that print what they could read, then fail).
 */
export function readCaptureSyncPartial(path: string, opts: { blockSize?: number } = {}): { frames: Frame[]; warnings: string[]; info: CaptureInfo | null; error: CaptureError | null } {
  let src: SyncSource;
  try {
    src = openSyncSource(path);
  } catch (e) {
    // (damaged gzip data)
    if (!(e instanceof CaptureError)) throw e;
    return { frames: [], warnings: [], info: null, error: e };
  }
  const c = new Core(path, opts.blockSize ?? syncBlockSize(src.size));
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

/** Read a whole file synchronously (tests, small files); a corrupt or cut record throws. Frame data is copied. */
export function readCaptureSync(path: string, opts: { blockSize?: number } = {}): { frames: Frame[]; warnings: string[]; info: CaptureInfo } {
  const r = readCaptureSyncPartial(path, opts);
  if (r.error !== null) throw r.error;
  return { frames: r.frames, warnings: r.warnings, info: r.info! };
}
