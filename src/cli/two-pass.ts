/**
 * `nestcap -2 -r FILE [-R FILTER]`: tshark's two-pass analysis. The first pass dissects
 * every record without output, applies the read filter and notes what later frames tell
 * about earlier ones (src/core/twopass.ts); the second reads the file again and prints.
 *
 * As tshark: a frame failing -R is left out and the frames that pass are numbered 1, 2, 3…
 * (in the first pass too: a frame gets the number the next passing frame would have, so the
 * left-out frames share it); `-c N` stops the first pass at the first passing frame once N
 * records were read. The second pass dissects the left-out frames again, silently, for the
 * state they leave (fragments of a datagram that passes): tshark keeps that state from its
 * first pass. With -w and -Y, the first pass also finds what each displayed frame's
 * reassembly used (its dependent frames): those are written too, so the file still reassembles.
 */
import { CaptureError, CaptureReader } from "../capture/reader.js";
import type { Frame } from "../capture/frame.js";
import { Dissector } from "../core/dissect.js";
import { firstPassSession, readNotesOf } from "../core/twopass.js";
import { compileFilter, FilterError, formatFilterError, type CompiledFilter } from "../filter/index.js";
import type { Options } from "./args.js";
import type { Emitter } from "./emit.js";
import type { Out, Progress } from "./out.js";

export interface TwoPassResult {
  /** The first pass's error (a record it could not read), printed after the second pass's output. */
  error: string | null;
  warnings: readonly string[];
}

/** The read filter (-R), checked as -Y is (tshark's message, exit 2). */
function readFilterOf(o: Options): CompiledFilter | undefined {
  if (o.readFilter === undefined) return undefined;
  try {
    return compileFilter(o.readFilter);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    process.stderr.write(formatFilterError(o.readFilter, e) + "\n");
    process.exit(2);
  }
}

const renumbered = (fr: Frame, num: number): Frame => (fr.num === num ? fr : { ...fr, num });

export async function readTwoPass(o: Options, em: Emitter, out: Out, progress: Progress, total: number): Promise<TwoPassResult> {
  const rf = readFilterOf(o);
  const session = firstPassSession(em.sessionOptions);
  // (-w: the display filter too, to find the frames shown frames depend on, as tshark's first pass does)
  const df = o.write !== undefined ? em.filter : undefined;
  const dependedUpon = new Set<number>();
  const first = new Dissector({ wanted: [...(rf?.fields ?? []), ...(df?.fields ?? [])] }, session);

  // pass 1: per record read, its frame number (negative: left out by -R)
  const nums: number[] = [];
  let shown = 0;
  let error: string | null = null;
  const r1 = await CaptureReader.open(o.read!);
  try {
    outer: for await (const batch of r1.batches()) {
      for (const fr of batch) {
        const num = shown + 1;
        const d = first.dissect(renumbered(fr, num));
        const pass = rf === undefined || rf.test(d);
        if (pass) shown++;
        if (pass && df !== undefined && d.pinfo.dependsOn !== null && df.test(d)) for (const n of d.pinfo.dependsOn) dependedUpon.add(n);
        nums.push(pass ? num : -num);
        if (pass && o.count !== undefined && nums.length >= o.count) break outer;
      }
      progress.update(r1.inputPosition / 2, shown);
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e.message;
  }
  await r1.close();
  const warnings = r1.warnings;

  // pass 2: the same records again, with what pass 1 noted
  readNotesOf(session, em.dissector.session);
  if (dependedUpon.size > 0) em.dependedUpon = dependedUpon;
  const r2 = await CaptureReader.open(o.read!);
  let k = 0;
  try {
    outer: for await (const batch of r2.batches()) {
      for (const fr of batch) {
        if (k >= nums.length) break outer;
        const v = nums[k++];
        if (v > 0) {
          em.emit(renumbered(fr, v));
          if (out.full) await out.flush();
        } else em.replay(renumbered(fr, -v));
      }
      progress.update(total / 2 + r2.inputPosition / 2, k);
    }
  } catch (e) {
    // (the first pass stopped at the same record and said why)
    if (!(e instanceof CaptureError)) throw e;
  }
  await r2.close();
  return { error, warnings };
}
