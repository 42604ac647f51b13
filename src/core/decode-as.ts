/**
 * "Decode As" (tshark -d): hand what a dissector table would give to another protocol,
 * for this session only: `-d udp.port==11940,openvpn`, `-d tcp.port==8000-8010,http`,
 * `-d udp.port==5000:3,dns` (three ports from 5000). The session's rules are looked up
 * before the tables the dissectors registered (proto.ts lookupTable).
 */
import { protocolByAbbrev, tableNames, type Protocol } from "./proto.js";

export interface DecodeAsRule {
  table: string;
  from: number;
  to: number;
  proto: string;
}

export class DecodeAsError extends Error {}

/** The most values one rule may cover: a whole 16-bit port space. */
const MAX_SPAN = 65536;

/**
 * Parse one -d argument, as tshark does: `layer==selector,protocol`, where selector is a
 * number, a range `a-b` or `start:count`. A single "=" is accepted with a warning.
 * Checks the layer type and the protocol against the registered ones.
 */
export function parseDecodeAs(spec: string): { rule: DecodeAsRule; warning?: string } {
  let warning: string | undefined;
  let eq = spec.indexOf("==");
  let sepLen = 2;
  if (eq < 0) {
    eq = spec.indexOf("=");
    sepLen = 1;
    if (eq < 0) throw new DecodeAsError(`"${spec}" isn't a valid decode-as argument: use -d <layer type>==<selector>,<decode-as protocol>`);
    warning = `-d requires "==" instead of "=". Option will be treated as "${spec.slice(0, eq)}==${spec.slice(eq + 1)}"`;
  }
  const table = spec.slice(0, eq).trim();
  const rest = spec.slice(eq + sepLen);
  const comma = rest.lastIndexOf(",");
  if (comma < 0) throw new DecodeAsError(`"${spec}" isn't a valid decode-as argument: the protocol is missing (-d ${table}==<selector>,<protocol>)`);
  const sel = rest.slice(0, comma).trim();
  const proto = rest.slice(comma + 1).trim();
  if (!tableNames().includes(table)) throw new DecodeAsError(`Unknown layer type -- ${table} (valid: ${tableNames().sort().join(", ")})`);
  if (protocolByAbbrev(proto) === undefined || proto === "frame") throw new DecodeAsError(`Unknown protocol -- "${proto}"`);
  // numbers as C's strtoul(…, 0) reads them: 0x… hexadecimal, else decimal
  const N = "(0x[0-9a-fA-F]+|\\d+)";
  let m: RegExpMatchArray | null;
  let from: number, to: number;
  if ((m = new RegExp(`^${N}$`).exec(sel))) from = to = Number(m[1]);
  else if ((m = new RegExp(`^${N}\\s*-\\s*${N}$`).exec(sel))) [from, to] = [Number(m[1]), Number(m[2])];
  else if ((m = new RegExp(`^${N}\\s*:\\s*${N}$`).exec(sel))) [from, to] = [Number(m[1]), Number(m[1]) + Number(m[2]) - 1];
  else throw new DecodeAsError(`Invalid selector "${sel}" in "${spec}": use a number, a range a-b or start:count`);
  if (to < from || to - from >= MAX_SPAN) throw new DecodeAsError(`Invalid selector "${sel}" in "${spec}": the range is empty or too large`);
  return { rule: { table, from, to, proto }, warning };
}

/** A session's decode-as rules, by table and key. */
export class DecodeAs {
  private readonly byTable = new Map<string, Map<number, Protocol>>();

  constructor(rules: readonly DecodeAsRule[]) {
    for (const r of rules) {
      const p = protocolByAbbrev(r.proto);
      if (p === undefined) continue;
      let t = this.byTable.get(r.table);
      if (t === undefined) this.byTable.set(r.table, (t = new Map()));
      for (let k = r.from; k <= r.to; k++) t.set(k, p);
    }
  }

  get(table: string, key: number): Protocol | undefined {
    return this.byTable.get(table)?.get(key);
  }
}
