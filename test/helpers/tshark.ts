/**
 * Differential testing against tshark: run `tshark -T fields -e …` and nestcap's
 * own fields output over the same file, compare cell by cell.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector } from "../../src/core/dissect.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, needsFullTree, resolveFields } from "../../src/output/fields.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const SHARED = resolve(ROOT, "..", "shared");
export const CORPORA = join(SHARED, "corpora");
export const FIXTURES = join(ROOT, "fixtures");

let tsharkOk: boolean | undefined;
export function haveTshark(): boolean {
  if (tsharkOk === undefined) tsharkOk = spawnSync("tshark", ["--version"], { stdio: "ignore" }).status === 0;
  return tsharkOk;
}

/** Corpus files (by folder name), [] when ../shared is absent. */
export function corpus(folder: string, filter: (name: string) => boolean = () => true): string[] {
  const d = join(CORPORA, folder);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((n) => /\.(pcap|pcapng|cap)$/.test(n) && filter(n))
    .sort()
    .map((n) => join(d, n));
}

export function fixtures(filter: (name: string) => boolean = () => true): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .filter((n) => /\.(pcap|pcapng)$/.test(n) && filter(n))
    .sort()
    .map((n) => join(FIXTURES, n));
}

/**
 * The captures the whole-tree printers (-T pdml, ek, json -x) are held equal to tshark's on:
 * every fixture, the tunnels' inner captures (the outer OpenVPN ones are left out: nestcap's
 * OpenVPN tree says more than tshark's), and the first 60 HTTP/DNS captures of suricata-verify
 * but for those `skip` names (file names, each with its reason).
 */
export function treeCaptures(skip: Readonly<Record<string, string>> = {}): string[] {
  return [
    ...fixtures(),
    ...readdirSync(join(FIXTURES, "openvpn")).filter((n) => n.endsWith("-tun.pcap")).sort().map((n) => join(FIXTURES, "openvpn", n)),
    ...corpusSample().filter((f) => skip[f.slice(f.lastIndexOf("/") + 1)] === undefined),
  ];
}

/** The first 60 HTTP and DNS captures of suricata-verify ([] when ../shared is absent). */
export function corpusSample(): string[] {
  return corpus("suricata-verify", (n) => /^(http|dns)-/.test(n)).slice(0, 60);
}

/** The fixtures with TLS inside and their key logs (decrypted when tshark gets `-o tls.keylog_file:`). */
export const KEYED: readonly [string, string][] = [
  ["fixtures/https.pcapng", "fixtures/https.keys"],
  ["fixtures/http2.pcapng", "fixtures/http2.keys"],
];

/** tshark's -T fields rows (one-pass, no name resolution, UTC). */
export function tsharkFields(file: string, fields: readonly string[], extra: string[] = []): string[][] {
  const args = ["-n", "-r", file, "-T", "fields", ...extra];
  for (const f of fields) args.push("-e", f);
  const r = spawnSync("tshark", args, { env: { ...process.env, TZ: "UTC", LC_ALL: "C" }, maxBuffer: 1 << 30, encoding: "utf8" });
  return r.stdout.split("\n").filter((l, i, a) => i < a.length - 1 || l !== "").map((l) => l.split("\t"));
}

/** nestcap's -T fields rows via the library (same code path as the CLI). */
export function nestcapFields(file: string, fields: readonly string[]): string[][] {
  const fs = resolveFields(fields);
  const { frames } = readCaptureSync(file);
  const d = new Dissector({ wanted: fs, tree: needsFullTree(fs) });
  const out: string[][] = [];
  for (const fr of frames) {
    const r = d.dissect(fr);
    out.push(fieldsLine(r.tree, fs, DEFAULT_FIELDS_OPTIONS).split("\t"));
  }
  return out;
}

export interface Disagreement {
  frame: number;
  field: string;
  tshark: string;
  nestcap: string;
}

export interface Comparison {
  cells: number;
  agree: number;
  disagreements: Disagreement[];
  /** Frame counts when they differ. */
  frames: { tshark: number; nestcap: number };
}

/** Compare cell by cell. */
export function compareFields(file: string, fields: readonly string[]): Comparison {
  process.env.TZ = "UTC";
  const t = tsharkFields(file, fields);
  const n = nestcapFields(file, fields);
  const res: Comparison = { cells: 0, agree: 0, disagreements: [], frames: { tshark: t.length, nestcap: n.length } };
  const rows = Math.min(t.length, n.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < fields.length; j++) {
      const a = t[i][j] ?? "";
      const b = n[i][j] ?? "";
      res.cells++;
      if (a === b) res.agree++;
      else res.disagreements.push({ frame: i + 1, field: fields[j], tshark: a, nestcap: b });
    }
  }
  return res;
}

export function formatDisagreements(d: Disagreement[], max = 15): string {
  return d
    .slice(0, max)
    .map((x) => `  frame ${x.frame} ${x.field}: tshark=${JSON.stringify(x.tshark)} nestcap=${JSON.stringify(x.nestcap)}`)
    .join("\n");
}

/** Run the built CLI (dist/) for end-to-end tests. */
export function runCli(args: string[], input?: Buffer): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "src", "cli", "nestcap.js"), ...args], {
    input,
    env: { ...process.env, TZ: "UTC", NO_COLOR: "1" },
    maxBuffer: 1 << 30,
    encoding: "utf8",
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** tshark's output for the same environment runCli gives nestcap (TZ=UTC). */
export function tsharkText(args: string[]): string {
  return spawnSync("tshark", args, { env: { ...process.env, TZ: "UTC", NO_COLOR: "1" }, maxBuffer: 1 << 30, encoding: "utf8" }).stdout;
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8" });
}

/** tshark's stdout for these arguments (TZ=UTC, stderr dropped). */
export function tsharkOut(args: string[]): string {
  return execFileSync("tshark", args, { encoding: "utf8", env: { ...process.env, TZ: "UTC" }, maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
}

/** The first line where two texts differ (nestcap's, tshark's), or null. */
export function firstDiff(got: string, want: string): string | null {
  const g = got.split("\n"), w = want.split("\n");
  for (let i = 0; i < Math.max(g.length, w.length); i++)
    if (g[i] !== w[i]) return `line ${i + 1}: nestcap ${JSON.stringify(g[i])} tshark ${JSON.stringify(w[i])}`;
  return null;
}

/** -V output cut into frames. */
export function vFrames(text: string): string[] {
  return text.split(/^(?=Frame \d+: )/m).filter((s) => s !== "");
}

/** -T json output cut into packets (the text of each, duplicate keys kept). */
export function jsonFrames(text: string): string[] {
  return text.split(/^(?=  \{$)/m).slice(1).map((s) => s.replace(/,?\n\]\n?$/, "").replace(/,\n$/, "\n"));
}
