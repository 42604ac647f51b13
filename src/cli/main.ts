#!/usr/bin/env node
/** nestcap: the command line. */
import { readFileSync, statSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { isMainThread, workerData } from "node:worker_threads";
import { CaptureWriteError } from "../capture/file-errors.js";
import { HELP, parseArgs, UsageError } from "./args.js";
import { fail } from "./fail.js";
import { liveCommand } from "./live.js";
import { EXIT_BAD_FILE, readCommand, workerEntry } from "./read.js";
import type { ReadWorkerData } from "./parallel.js";

// V8 lets the old generation grow to up to four times what survived the last full GC before
// collecting again. nestcap's live heap stays small (~20 MB: flow tables, not packets), so
// that slack was most of the peak memory (a 1M-packet summary peaked at 130 MB or 180 MB from
// one run to the next, depending on when the collections fell). Growing by a quarter costs a
// few more full collections of a small heap (milliseconds each) and keeps the peak at the low
// end. V8's flags are process-wide, so worker threads (--threads) get the same.
setFlagsFromString("--heap-growing-percent=25");

const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "package.json"), "utf8")) as { version: string };


/** Subcommands (`nestcap keylog …`, `nestcap tunnel …`), each in its own module, loaded only when used. */
const SUBCOMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  keylog: () => import("./keylog.js"),
  tunnel: () => import("./tunnel.js"),
};

async function main(argv: string[]): Promise<number> {
  // output piped into a reader that stops early (`nestcap -G fields | head`): end quietly, as
  // a closed pipe ends tshark (the per-packet writer, Out, does the same for its own writes)
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const sub = argv.length > 0 ? SUBCOMMANDS[argv[0]] : undefined;
  if (sub !== undefined) return (await sub()).run(argv.slice(1));
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) fail(`${e.message} (see nestcap --help)`, 1);
    throw e;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`nestcap ${pkg.version} (node ${process.version})\n`);
    return 0;
  }
  if (opts.glossary !== undefined) {
    const text = (await import("./glossary.js")).glossary(opts.glossary);
    if (text === null) fail(`invalid -G report "${opts.glossary}": use fields or protocols`, 1);
    process.stdout.write(text);
    return 0;
  }
  // tshark's errors for -R without -2 and -2 on a live capture
  if (opts.readFilter !== undefined && !opts.twoPass) fail("-R without -2 is deprecated. For single-pass filtering use -Y.", 1);
  if (opts.twoPass && opts.read === undefined && opts.interfaces.length > 0) fail("Live captures do not support two-pass analysis.", 1);
  if (opts.read !== undefined) {
    if (opts.twoPass && opts.read === "-") fail("The standard input could not be opened: The standard input cannot be opened for random access.", EXIT_BAD_FILE);
    if (opts.read !== "-") {
      let st: Stats | undefined;
      try {
        st = statSync(opts.read);
      } catch {
        fail(`The file "${opts.read}" doesn't exist.`, EXIT_BAD_FILE);
      }
      // as wiretap: a regular file or a pipe (`-r <(zcat f.pcap.gz)`, /dev/stdin); not a folder or a device
      if (st.isDirectory()) fail(`"${opts.read}" is a directory (folder), not a file.`, EXIT_BAD_FILE);
      if (!st.isFile() && !st.isFIFO()) fail(`The file "${opts.read}" is a "special file" or socket or other non-regular file.`, EXIT_BAD_FILE);
      // the second pass reads the file again
      if (opts.twoPass && st.isFIFO()) fail(`The file "${opts.read}" is a pipe or FIFO; nestcap can't read pipe or FIFO files in two-pass mode.`, EXIT_BAD_FILE);
    }
    // live-capture options that mean nothing for a file: tshark's errors (and -a packets:N is -c N)
    if (opts.captureFilter !== undefined) fail("Only read filters, not capture filters, can be specified when reading a capture file.", 1);
    if (Object.keys(opts.ring).length > 0) fail("Multiple capture files requested, but a capture isn't being done.", 1);
    if (opts.autostop.duration !== undefined) fail("A maximum capture time was specified, but a capture isn't being done.", 1);
    if (opts.autostop.packets !== undefined) opts.count = Math.min(opts.count ?? Infinity, opts.autostop.packets);
    return readCommand(opts);
  }
  if (opts.interfaces.length > 0 || opts.listInterfaces) return liveCommand(opts);
  fail("nothing to do: give a capture file with -r FILE (see nestcap --help)", 1);
}

workerEntry.url = new URL(import.meta.url);
if (!isMainThread && (workerData as ReadWorkerData | null)?.nestcap === "read-worker") {
  // a read worker (parallel.ts): started from this same module
  void import("./parallel.js").then((p) => p.runReadWorker(workerData as ReadWorkerData));
} else main(process.argv.slice(2)).then(
  (code) => process.exitCode = code,
  (e: unknown) => {
    // a -w file that could not be created or written: tshark's message, exit 2
    if (e instanceof CaptureWriteError) {
      process.stderr.write(`nestcap: ${e.message}\n`);
      process.exit(EXIT_BAD_FILE);
    }
    process.stderr.write(`nestcap: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(70);
  },
);
