/**
 * Gzip-compressed captures (`-r trace.pcap.gz`, or gzip on stdin), read as tshark reads
 * them: wiretap looks at the first bytes, and a gzip member is decompressed on the fly.
 * A file cut short inside the compressed data is a capture cut short (the records before
 * the cut are kept, then tshark's warning); damaged data is tshark's "cannot be
 * decompressed" error, after the records before it.
 */
import { once } from "node:events";
import { createGunzip } from "node:zlib";
import { CaptureError } from "./record-parser.js";

/** Damaged compressed data: tshark's error (zlib's message in parentheses, as wiretap adds it). */
export function decompressFailure(name: string, e: unknown): CaptureError {
  return new CaptureError("corrupt", `The file "${name}" cannot be decompressed; it may be damaged or corrupt.(${(e as Error).message})`);
}

/** Compressed bytes read so far (for the progress bar, which measures the file on disk). */
export interface InputCounter {
  compressed: boolean;
  bytes: number;
}

function toBytes(v: unknown): Uint8Array {
  return typeof v === "string" ? Buffer.from(v, "latin1") : (v as Uint8Array);
}

/**
 * The input's chunks, decompressed when it starts with gzip's magic (1f 8b), as they
 * are otherwise. Chunks handed to the decompressor are copied first: a file's read-ahead
 * reuses its buffers.
 */
export async function* maybeGunzip(raw: AsyncIterator<unknown>, name: string, counter: InputCounter): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks(raw, name, counter);
  } finally {
    // stopped early (-c, an error): the input stops too (a file's read-ahead ends its read in flight)
    await raw.return?.();
  }
}

async function* chunks(raw: AsyncIterator<unknown>, name: string, counter: InputCounter): AsyncGenerator<Uint8Array> {
  // the first two bytes decide (a pipe may hand them over one at a time)
  let head = new Uint8Array(0);
  const pending: Uint8Array[] = [];
  while (head.length < 2) {
    const it = await raw.next();
    if (it.done) break;
    const c = toBytes(it.value);
    pending.push(c);
    counter.bytes += c.length;
    const h = new Uint8Array(head.length + Math.min(c.length, 2));
    h.set(head);
    h.set(c.subarray(0, 2 - head.length), head.length);
    head = h;
  }
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
    yield* pending;
    for (;;) {
      const it = await raw.next();
      if (it.done) return;
      const c = toBytes(it.value);
      counter.bytes += c.length;
      yield c;
    }
  }
  counter.compressed = true;
  const gz = createGunzip();
  let failure: Error | null = null;
  gz.on("error", (e) => (failure = e));
  const pump = (async () => {
    try {
      for (const c of pending) if (!gz.write(Buffer.from(c))) await once(gz, "drain");
      for (;;) {
        const it = await raw.next();
        if (it.done) break;
        const c = toBytes(it.value);
        counter.bytes += c.length;
        if (!gz.write(Buffer.from(c))) await once(gz, "drain");
      }
      gz.end();
    } catch (e) {
      gz.destroy(e as Error);
    }
  })();
  let finished = false;
  try {
    for await (const out of gz) yield out as Buffer;
    finished = true;
  } catch (e) {
    failure = e as Error;
  } finally {
    // (stopped early: the decompressor goes; the pump then stops at its next write)
    if (!finished && failure === null) gz.destroy();
  }
  await pump.catch(() => undefined);
  if (failure !== null) {
    const err = failure as NodeJS.ErrnoException;
    // the compressed data ends early: the capture is cut short where it stops (the parser says so)
    if (err.code === "Z_BUF_ERROR") return;
    throw decompressFailure(name, err);
  }
}
