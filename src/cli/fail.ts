/** One-line error on stderr and a non-zero exit. */
export function fail(msg: string, code = 1): never {
  process.stderr.write(`nestcap: ${msg}\n`);
  process.exit(code);
}
