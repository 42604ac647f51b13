/**
 * Shared builders and the differential helper of the network-layer tests
 * (ip, ipv6, icmp, defrag). Not a test file itself.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { expect } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector } from "../../src/core/dissect.js";
import { Session } from "../../src/core/session.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, resolveFields } from "../../src/output/fields.js";
import { cksum, pcap } from "../helpers/build.js";
import { tsharkFields, type Disagreement } from "../helpers/tshark.js";

/** nestcap's -T fields rows with a session of our own (prefs). */
export function nestRows(file: string, fields: readonly string[], prefs: Record<string, boolean> = {}, aggregator = ","): string[][] {
  const fs = resolveFields(fields);
  const d = new Dissector({ wanted: fs }, new Session({ prefs }));
  const o = { ...DEFAULT_FIELDS_OPTIONS, aggregator };
  return readCaptureSync(file).frames.map((fr) => fieldsLine(d.dissect(fr).tree, fs, o).split("\t"));
}

/** Compare cell by cell; returns [cells, disagreements]. */
export function diff(file: string, fields: readonly string[], prefs: Record<string, boolean> = {}, extra: string[] = []): [number, Disagreement[]] {
  const t = tsharkFields(file, fields, extra);
  const n = nestRows(file, fields, prefs);
  expect(n.length, `${basename(file)}: frame count`).toBe(t.length);
  const dis: Disagreement[] = [];
  let cells = 0;
  for (let i = 0; i < t.length; i++)
    for (let j = 0; j < fields.length; j++) {
      cells++;
      const a = t[i][j] ?? "", b = n[i][j] ?? "";
      if (a !== b) dis.push({ frame: i + 1, field: fields[j], tshark: a, nestcap: b });
    }
  return [cells, dis];
}

// ---------------------------------------------------------------- builders --

export function u16(v: number): number[] {
  return [(v >>> 8) & 255, v & 255];
}

export { cksum };

export interface Ip4Opts {
  proto?: number; id?: number; flags?: number; off?: number; ttl?: number;
  src?: number[]; dst?: number[]; opts?: number[]; tlen?: number; ihl?: number; fix?: boolean; tos?: number;
}

export function ip4(payload: Uint8Array, o: Ip4Opts = {}): Uint8Array {
  const opts = o.opts ?? [];
  const hl = 20 + opts.length;
  const h = new Uint8Array(hl);
  h.set([0x40 | (o.ihl ?? hl / 4), o.tos ?? 0, ...u16(o.tlen ?? hl + payload.length), ...u16(o.id ?? 0x1234),
    ...u16(((o.flags ?? 0) << 13) | (o.off ?? 0)), o.ttl ?? 64, o.proto ?? 17, 0, 0,
    ...(o.src ?? [10, 0, 0, 1]), ...(o.dst ?? [10, 0, 0, 2]), ...opts]);
  if (o.fix !== false) h.set(u16(cksum(h)), 10);
  const out = new Uint8Array(hl + payload.length);
  out.set(h);
  out.set(payload, hl);
  return out;
}

export function eth(p: Uint8Array, type = 0x0800): Uint8Array {
  const out = new Uint8Array(14 + p.length);
  out.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...u16(type)]);
  out.set(p, 14);
  return out;
}

export function writePcap(name: string, frames: (Uint8Array | { data: Uint8Array; len: number })[]): string {
  const dir = mkdtempSync(join(tmpdir(), "nestcap-ip-"));
  const p = join(dir, name);
  writeFileSync(p, pcap(frames.map((f, i) => {
    const data = f instanceof Uint8Array ? f : f.data;
    const len = f instanceof Uint8Array ? f.length : f.len;
    return { sec: 1000 + i, frac: 0, data, len };
  })));
  return p;
}

