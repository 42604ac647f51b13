/** `nestcap -r FILE`: read, dissect, print (summary, -V, -x, -T fields/json), write (-w). */
import { statSync } from "node:fs";
import { CaptureError, CaptureReader } from "../capture/reader.js";
import type { Options } from "./args.js";
import { Emitter } from "./emit.js";
import { fail } from "./fail.js";
import { Out, Progress } from "./out.js";
import { readParallel, threadsFor } from "./parallel.js";
import { readTwoPass } from "./two-pass.js";

/** The module a read worker starts from (main.ts sets it: the bundle or dist/src/cli/main.js). */
export const workerEntry: { url: URL | null } = { url: null };

/** Exit codes as tshark's: 2 for a file it can't read (not a capture, cut short, corrupt). */
export const EXIT_BAD_FILE = 2;

export async function readCommand(o: Options): Promise<number> {
  // Options (fields, filter, printers) are checked before the file is opened.
  const out = new Out();
  const em = new Emitter(o, undefined, out);

  let reader: CaptureReader;
  const src = o.read === "-" ? process.stdin : o.read!;
  try {
    reader = await CaptureReader.open(src);
  } catch (e) {
    if (e instanceof CaptureError) fail(e.message, EXIT_BAD_FILE);
    throw e;
  }

  const total = o.read !== "-" ? statSafe(o.read!) : 0;
  const progress = new Progress(total, o.progress && process.stderr.isTTY === true && !process.stdout.isTTY);
  em.writer = Emitter.openWriter(o);
  em.start();

  if (o.twoPass) {
    await reader.close();
    return finishOther(await readTwoPass(o, em, out, progress, total), em, out, progress);
  }

  const threads = workerEntry.url === null ? 1 : threadsFor(o, em);
  if (threads > 1) {
    await reader.close();
    return finishOther(await readParallel(o, out, threads, workerEntry.url!, progress), em, out, progress);
  }

  let n = 0;
  let exit = 0;
  try {
    outer: for await (const batch of reader.batches()) {
      for (const fr of batch) {
        if (o.count !== undefined && n >= o.count) break outer;
        n++;
        em.emit(fr);
        if (out.full) await out.flush();
      }
      progress.update(reader.inputPosition, n);
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    await out.flush();
    progress.done();
    process.stderr.write(`nestcap: ${e.message}\n`);
    exit = EXIT_BAD_FILE;
  }
  await reader.close();
  return finishRead(em, progress, reader.warnings, exit);
}

/** The end of a read made elsewhere (threads, two passes): its error, if any, after the output it printed. */
async function finishOther(r: { error: string | null; warnings: readonly string[] }, em: Emitter, out: Out, progress: Progress): Promise<number> {
  let exit = 0;
  if (r.error !== null) {
    await out.flush();
    progress.done();
    process.stderr.write(`nestcap: ${r.error}\n`);
    exit = EXIT_BAD_FILE;
  }
  return finishRead(em, progress, r.warnings, exit);
}

/** The end of a read: closing output, then the reader's warnings (each makes the exit code 2, as tshark's). */
async function finishRead(em: Emitter, progress: Progress, warnings: readonly string[], exit: number): Promise<number> {
  await em.finish();
  progress.done();
  for (const w of warnings) {
    process.stderr.write(`nestcap: ${w}\n`);
    exit = EXIT_BAD_FILE;
  }
  return exit;
}

function statSafe(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

