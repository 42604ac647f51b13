/**
 * What went wrong with a file, in tshark's words (its ui/failure_message.c): the texts
 * users of tshark know, and a C library's strerror() text rather than libuv's
 * ("Input/output error", not "i/o error").
 */
import { getSystemErrorMap } from "node:util";

/** A capture file that could not be created or written (-w). The CLI prints the message and exits 2. */
export class CaptureWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CaptureWriteError";
  }
}

const GLIBC: Record<string, string> = {
  EIO: "Input/output error",
  ENOTDIR: "Not a directory",
  EROFS: "Read-only file system",
  ENOSPC: "No space left on device",
  EFBIG: "File too large",
  EDQUOT: "Disk quota exceeded",
  ELOOP: "Too many levels of symbolic links",
  ENAMETOOLONG: "File name too long",
  EBUSY: "Device or resource busy",
  ETXTBSY: "Text file busy",
  EINVAL: "Invalid argument",
  EPIPE: "Broken pipe",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  EEXIST: "File exists",
  EAGAIN: "Resource temporarily unavailable",
};

/** strerror()'s text for a Node system error. */
export function strerror(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code !== undefined && GLIBC[err.code] !== undefined) return GLIBC[err.code];
  const m = typeof err.errno === "number" ? getSystemErrorMap().get(err.errno)?.[1] : undefined;
  const s = m ?? err.message ?? String(e);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Why `path` could not be opened for writing (tshark's cfile_dump_open_failure_message). */
export function createFailure(path: string, e: unknown): CaptureWriteError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new CaptureWriteError(`The path to the file "${path}" doesn't exist.`);
  if (code === "EISDIR") return new CaptureWriteError(`"${path}" is a directory (folder), not a file.`);
  if (code === "EACCES" || code === "EPERM") return new CaptureWriteError(`You don't have permission to create or write to the file "${path}".`);
  return new CaptureWriteError(`The file "${path}" could not be created: ${strerror(e)}.`);
}

/** A write to `path` that failed (tshark's cfile_write_failure_message). */
export function writeFailure(path: string, e: unknown): CaptureWriteError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOSPC") return new CaptureWriteError(`Not all the packets could be written to the file "${path}" because there is no space left on the file system.`);
  if (code === "EDQUOT") return new CaptureWriteError(`Not all the packets could be written to the file "${path}" because you are too close to, or over, your disk quota.`);
  return new CaptureWriteError(`An error occurred while writing to the file "${path}": ${strerror(e)}.`);
}
