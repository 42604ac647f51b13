/**
 * --export-objects http,DIR (tshark's export object lists): every HTTP body the dissector
 * saw — requests' and responses', de-chunked and decompressed — written to DIR, named as
 * tshark names them: the last segment of the request's URI (g_path_get_basename), with
 * bytes that Windows forbids in names written as %xx, cut to 255 bytes, and "(1)", "(2)"…
 * before the extension when the name is taken (by this export or by a file already there).
 * A body without a request is "object<frame>.<Content-Type>" (object4.text%2fhtml).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HttpObject } from "../../dissectors/http-message.js";

/** The protocols nestcap exports objects of (tshark also has dicom, ftp-data, imf, smb, tftp). */
export const EXPORT_OBJECT_TYPES = ["http"] as const;

/** tshark's EXPORT_OBJECT_MAXFILELEN. */
const MAXLEN = 255;
/** Wireshark's gui.max_export_objects: how many "(n)" names are tried before giving up. */
const MAX_DUPS = 1000;

/** One --export-objects PROTOCOL,DIR argument, checked (UsageError-style message on a bad one). */
export function parseExportObjects(spec: string): { proto: string; dir: string } {
  const comma = spec.indexOf(",");
  const proto = comma < 0 ? spec : spec.slice(0, comma);
  const dir = comma < 0 ? "" : spec.slice(comma + 1);
  if (comma < 0 || dir === "" || !(EXPORT_OBJECT_TYPES as readonly string[]).includes(proto))
    throw new Error(`--export-objects takes PROTOCOL,DIR; nestcap exports: ${EXPORT_OBJECT_TYPES.join(", ")} (got "${spec}")`);
  return { proto, dir };
}

/** g_path_get_basename: the last path segment ("/" for slashes only, "." for ""), trailing slashes dropped. */
export function pathBasename(p: string): string {
  if (p === "") return ".";
  let end = p.length;
  while (end > 0 && p[end - 1] === "/") end--;
  if (end === 0) return "/";
  const start = p.lastIndexOf("/", end - 1) + 1;
  return p.slice(start, end);
}

const REJECT = new Set([..."<>:\"/\\|?*"].map((c) => c.charCodeAt(0)));

/** eo_rename: "(n)" before the extension, the whole kept within MAXLEN. */
function rename(s: Uint8Array, dup: number): Uint8Array {
  const tag = Buffer.from(`(${dup})`, "latin1");
  const dot = s.lastIndexOf(0x2e);
  if (dot >= 0) {
    const ext = s.subarray(dot);
    let stem = s.subarray(0, dot);
    if (stem.length >= MAXLEN - (tag.length + ext.length)) stem = stem.subarray(0, Math.max(0, MAXLEN - (tag.length + ext.length)));
    return Buffer.concat([stem, tag, ext]);
  }
  let stem = s;
  if (stem.length >= MAXLEN - tag.length) stem = stem.subarray(0, MAXLEN - tag.length);
  return Buffer.concat([stem, tag]);
}

/**
 * eo_massage_str: forbidden bytes (<>:"/\|?* and controls 1–31) as %xx, longer than MAXLEN
 * cut (keeping the extension), then the duplicate number. Works on the name's bytes, given
 * to the file system as they are.
 */
export function massageName(name: Uint8Array, dup: number): Uint8Array {
  const out: number[] = [];
  for (const b of name) {
    if (b === 0) break; // (a C string)
    if (REJECT.has(b) || b < 0x20) out.push(0x25, ...Buffer.from(b.toString(16).padStart(2, "0"), "latin1"));
    else out.push(b);
  }
  let s: Uint8Array = Uint8Array.from(out);
  if (s.length > MAXLEN) {
    const dot = s.lastIndexOf(0x2e);
    if (dot >= 0) {
      const ext = s.subarray(dot);
      s = Buffer.concat([s.subarray(0, Math.max(0, MAXLEN - ext.length)), ext]);
    } else s = s.subarray(0, MAXLEN);
  }
  return dup !== 0 ? rename(s, dup) : s;
}

/**
 * Writes the "http_eo" tap's objects as the capture is read (tshark writes them at the end;
 * the names come out the same, each checked against what is in DIR by then), so no body is
 * held in memory. A write that fails is kept and reported by finish().
 */
export class ObjectExport {
  /** The paths written, in order. */
  readonly written: string[] = [];
  private error: Error | null = null;

  constructor(readonly proto: string, readonly dir: string) {}

  /** The tap listener (Session taps: { http_eo: … }). Never throws (it runs inside a dissector). */
  readonly add = (record: unknown): void => {
    if (this.error !== null) return;
    try {
      this.written.push(this.save(record as HttpObject));
    } catch (e) {
      this.error = e as Error;
    }
  };

  /** After the capture: throws the first write error, if any. */
  finish(): void {
    if (this.error !== null) throw this.error;
  }

  /** Make the directory (and its parents) now, so a bad one fails before the capture is read. */
  prepare(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      if (!statSync(this.dir).isDirectory()) throw new Error("Not a directory");
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === "ENOTDIR" ? "Not a directory" : (e as Error).message;
      throw new Error(`Failed to create export objects output directory "${this.dir}": ${why}`);
    }
  }

  /** The file name an object gets before duplicates are numbered (bytes: a URI may hold any). */
  static baseName(o: HttpObject): Uint8Array | null {
    if (o.uri === null) return null;
    // (the URI as tshark reads it, ASCII: other bytes are U+FFFD, written as UTF-8)
    return Buffer.from(pathBasename(o.uri), "utf8");
  }

  /** Write one object under the first free name; returns its path. */
  private save(o: HttpObject): string {
    const base = ObjectExport.baseName(o);
    // (tshark 4.0's eo_ct2ext gives the Content-Type itself as the "extension":
    // object4.text/html, whose "/" then becomes %2f)
    const nameless = () => Buffer.from(`object${o.frame}${o.contentType !== null ? "." + o.contentType : ""}`, "utf8");
    let path = Buffer.alloc(0);
    for (let dup = 0; ; dup++) {
      // (names are bytes, given to the file system as they are)
      path = Buffer.concat([Buffer.from(join(this.dir, "/")), massageName(base ?? nameless(), dup)]);
      if (!existsSync(path) || dup + 1 >= MAX_DUPS) break;
    }
    writeFileSync(path, o.data);
    return path.toString();
  }
}
