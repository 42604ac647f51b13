/**
 * Reading one capture file with several threads: each worker reads the whole file,
 * dissects the frames of its own flows (src/capture/flow-route.ts) and only moves the
 * clock on for the others; the main thread merges the workers' lines back into frame
 * order and writes them. Output is byte for byte what one thread writes (a test holds
 * them equal), so this is used only where that holds: summary lines or -T fields whose
 * values stay within a flow (Emitter.flowLocal), from a regular file.
 */
import { parentPort, Worker } from "node:worker_threads";
import { CaptureError, CaptureReader } from "../capture/reader.js";
import { FlowRouter } from "../capture/flow-route.js";
import type { Options } from "./args.js";
import { ByteLineWriter } from "../output/line-writer.js";
import { Emitter, type TextSink } from "./emit.js";
import type { Out, Progress } from "./out.js";

/** Batches a worker may have sent that the main thread has not written yet. */
const IN_FLIGHT = 6;

export interface ReadWorkerData {
  nestcap: "read-worker";
  file: string;
  index: number;
  workers: number;
  options: Options;
  tty: boolean;
}

/** One batch of a worker's output: its displayed frames' numbers and where each line ends in `text`. */
interface BatchMessage {
  kind: "batch";
  nums: Uint32Array;
  ends: Uint32Array;
  text: ArrayBuffer;
  /** The last frame number the worker has gone past (its own or not). */
  upTo: number;
  /** Bytes of the file read so far (the progress bar). */
  pos: number;
}

interface DoneMessage {
  kind: "done";
  error: string | null;
  warnings: string[];
}

/**
 * How many threads to read with (1: in this thread). Opt-in (`--threads N`): each worker
 * is a V8 heap of its own, so memory grows with N, and on two cores the gain is small
 * (README, benchmark).
 */
export function threadsFor(o: Options, em: Emitter): number {
  if (o.threads === undefined || o.twoPass || o.read === undefined || o.read === "-" || !em.flowLocal()) return 1;
  return o.threads;
}

/** A worker's output for one batch: lines encoded into one growing buffer, each line's end noted. */
class BatchSink extends ByteLineWriter implements TextSink {
  readonly full = false;

  constructor() {
    super(1 << 20);
  }

  protected makeRoom(n: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.off + n, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.off);
    this.buf = bigger;
  }

  async flush(): Promise<void> {}

  /** The end of what has been written so far (bytes). */
  mark(): number {
    this.settle();
    return this.off;
  }

  /** The batch's bytes, in a buffer of their own (to transfer), and start again. */
  take(): ArrayBuffer {
    this.settle();
    const ab = new ArrayBuffer(this.off);
    new Uint8Array(ab).set(this.buf.subarray(0, this.off));
    this.off = 0;
    return ab;
  }
}

/** The worker side: read the whole file, dissect this worker's flows, send each batch's lines. */
export async function runReadWorker(d: ReadWorkerData): Promise<void> {
  const port = parentPort!;
  let credits = IN_FLIGHT;
  let wake: (() => void) | null = null;
  port.on("message", () => {
    credits++;
    if (wake !== null) {
      const w = wake;
      wake = null;
      w();
    }
  });
  const sink = new BatchSink();
  const em = new Emitter(d.options, undefined, sink, d.tty);
  // headers (-E header=y) are the main thread's to write
  em.start();
  sink.take();
  const router = new FlowRouter(d.workers);
  const count = d.options.count;
  const reader = await CaptureReader.open(d.file);
  let n = 0;
  let upTo = 0;
  let error: string | null = null;
  try {
    let stop = false;
    for await (const batch of reader.batches()) {
      const nums: number[] = [];
      const ends: number[] = [];
      for (const fr of batch) {
        if (count !== undefined && n >= count) {
          stop = true;
          break;
        }
        n++;
        upTo = fr.num;
        if (router.route(fr) !== d.index) em.dissector.skip(fr);
        else if (em.emit(fr)) {
          nums.push(fr.num);
          ends.push(sink.mark());
        }
      }
      const msg: BatchMessage = {
        kind: "batch", nums: Uint32Array.from(nums), ends: Uint32Array.from(ends), text: sink.take(), upTo,
        pos: reader.inputPosition,
      };
      port.postMessage(msg, [msg.nums.buffer as ArrayBuffer, msg.ends.buffer as ArrayBuffer, msg.text]);
      if (--credits <= 0) await new Promise<void>((r) => (wake = r));
      if (stop) break;
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    error = e.message;
  }
  const done: DoneMessage = { kind: "done", error, warnings: [...reader.warnings] };
  port.postMessage(done);
  port.removeAllListeners("message");
  port.unref();
  await reader.close();
}

/** A worker as the main thread sees it: its unwritten batches and how far it has read. */
interface Lane {
  worker: Worker;
  queue: { nums: Uint32Array; ends: Uint32Array; text: Buffer; next: number }[];
  upTo: number;
  done: DoneMessage | null;
}

/**
 * The main side: start the workers, write their lines in frame order.
 * Returns what the file's reading ended with (a CaptureError's message, the reader's warnings).
 */
export async function readParallel(
  o: Options, out: Out, threads: number, entry: URL, progress: Progress,
): Promise<{ error: string | null; warnings: string[] }> {
  let wakeMain: (() => void) | null = null;
  let failure: unknown = null;
  const poke = (): void => {
    if (wakeMain !== null) {
      const w = wakeMain;
      wakeMain = null;
      w();
    }
  };
  const lanes: Lane[] = [];
  let frames = 0;
  for (let i = 0; i < threads; i++) {
    const data: ReadWorkerData = { nestcap: "read-worker", file: o.read!, index: i, workers: threads, options: o, tty: process.stdout.isTTY === true };
    const lane: Lane = { worker: new Worker(entry, { workerData: data }), queue: [], upTo: 0, done: null };
    lane.worker.on("message", (m: BatchMessage | DoneMessage) => {
      if (m.kind === "batch") {
        lane.queue.push({ nums: m.nums, ends: m.ends, text: Buffer.from(m.text), next: 0 });
        lane.upTo = m.upTo;
        if (i === 0) {
          frames = m.upTo;
          progress.update(m.pos, frames);
        }
      } else {
        lane.done = m;
        void lane.worker.terminate();
      }
      poke();
    });
    lane.worker.on("error", (e) => {
      failure = e;
      poke();
    });
    lane.worker.on("exit", (code) => {
      if (lane.done === null && code !== 0 && failure === null) failure = new Error(`read worker ${i} exited with code ${code}`);
      poke();
    });
    lanes.push(lane);
  }

  try {
    for (;;) {
      if (failure !== null) throw failure;
      const moved = merge(lanes, out);
      if (out.full) await out.flush();
      if (lanes.every((l) => l.done !== null && l.queue.length === 0)) break;
      if (!moved) await new Promise<void>((r) => (wakeMain = r));
    }
  } finally {
    for (const l of lanes) if (l.done === null) void l.worker.terminate();
  }
  const d = lanes[0].done!;
  return { error: d.error, warnings: d.warnings };
}

/** Write every line that is next in frame order; true when anything was written or handed back. */
function merge(lanes: Lane[], out: Out): boolean {
  let moved = false;
  for (;;) {
    let best: Lane | null = null;
    let bestNum = Infinity;
    for (const l of lanes) {
      // batches written out (or with no lines) go back to their worker as credit
      while (l.queue.length > 0 && l.queue[0].next >= l.queue[0].nums.length) {
        l.queue.shift();
        l.worker.postMessage(0);
        moved = true;
      }
      if (l.queue.length > 0) {
        const b = l.queue[0];
        if (b.nums[b.next] < bestNum) {
          bestNum = b.nums[b.next];
          best = l;
        }
      }
    }
    if (best === null) return moved;
    // a worker with nothing queued may still send an earlier frame, unless it has read past this one
    for (const l of lanes) if (l !== best && l.queue.length === 0 && l.done === null && l.upTo < bestNum) return moved;
    // this lane's lines go out as one piece up to the next frame another lane has queued, or
    // may still send (past what a lane with nothing queued has read)
    let limit = Infinity;
    for (const l of lanes) {
      if (l === best) continue;
      if (l.queue.length > 0) limit = Math.min(limit, l.queue[0].nums[l.queue[0].next]);
      else if (l.done === null) limit = Math.min(limit, l.upTo + 1);
    }
    const b = best.queue[0];
    const start = b.next === 0 ? 0 : b.ends[b.next - 1];
    let k = b.next + 1;
    while (k < b.nums.length && b.nums[k] < limit) k++;
    out.writeBytes(b.text, start, b.ends[k - 1]);
    b.next = k;
    moved = true;
    if (out.full) return moved;
  }
}
