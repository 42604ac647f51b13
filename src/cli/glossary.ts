/**
 * `nestcap -G fields|protocols`: the glossary of what nestcap dissects, in tshark -G's
 * format, so the field names to give -e and -Y can be looked up (`nestcap -G fields | grep dns.`):
 *
 *   P  name  abbrev                                   (a protocol)
 *   F  name  abbrev  type  parent  base  bitmask  blurb   (a field)
 *
 * `-G protocols` prints "name  short name  abbrev" per protocol.
 */
import { allFields, type Field } from "../core/field.js";
import "../core/load.js";
import { allProtocols, parentProtocol } from "../core/proto.js";
import { FT_NAMES } from "../filter/types.js";

const BASES: Record<string, string> = {
  dec: "BASE_DEC", hex: "BASE_HEX", oct: "BASE_OCT", dec_hex: "BASE_DEC_HEX", hex_dec: "BASE_HEX_DEC", none: "BASE_NONE",
};

/** tshark's base column: BASE_* for integers, the bit width for booleans, the time zone for absolute times, else empty. */
function baseText(f: Field): string {
  switch (f.type) {
    case "uint8": case "uint16": case "uint24": case "uint32": case "uint64":
    case "int8": case "int16": case "int32": case "int64":
      return BASES[f.base ?? "dec"] ?? "BASE_DEC";
    case "bool": {
      // the width the field was registered with, else the mask's
      const m = f.bitmask ?? 0;
      if (m !== 0 && f.bits !== undefined) return String(f.bits);
      return String(m === 0 ? 0 : m <= 0xff ? 8 : m <= 0xffff ? 16 : m <= 0xffffff ? 24 : 32);
    }
    case "abs_time":
      return f.base === "utc" ? "ABSOLUTE_TIME_UTC" : "ABSOLUTE_TIME_LOCAL";
    default:
      return "";
  }
}

export function glossary(report: string): string | null {
  const lines: string[] = [];
  if (report === "protocols") {
    for (const p of allProtocols()) lines.push(`${p.name}\t${p.short}\t${p.abbrev}`);
    return lines.join("\n") + "\n";
  }
  if (report !== "fields") return null;
  const seen = new Set<string>();
  for (const f of allFields()) {
    if (seen.has(f.abbrev) || f.abbrev === "") continue;
    seen.add(f.abbrev);
    if (f.type === "protocol" || f.nameOnlyProtocol === true) lines.push(`P\t${f.name}\t${f.abbrev}`);
    else lines.push(["F", f.name, f.abbrev, f.ftName ?? FT_NAMES[f.type], parentProtocol(f), baseText(f), `0x${(f.bitmask ?? 0).toString(16)}`, f.blurb ?? ""].join("\t"));
  }
  return lines.join("\n") + "\n";
}
