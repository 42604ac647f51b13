/**
 * Manufacturer names of Ethernet OUIs (eth.src.oui_resolved…), read from Wireshark's
 * `manuf` file when one is installed (Debian's tshark brings /usr/share/wireshark/manuf),
 * or from the file NESTCAP_MANUF names. nestcap ships no copy: without the file, the
 * `*.oui_resolved` fields are absent, as in a tshark without its data files.
 *
 * The file's lines: "00:11:22<TAB>Short<TAB>Long name<TAB># comment"; only whole 24-bit
 * prefixes are OUIs (the /28 and /36 blocks name address ranges, not OUIs); an entry with
 * no long name is known by its short name (as tshark 4.0 shows it).
 */
import { readFileSync } from "node:fs";

const FILES = ["/usr/share/wireshark/manuf"];

let table: Map<number, string> | null = null;

/** Parse a manuf file's text: 24-bit prefix → name. */
export function parseManuf(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line[0] === "#") continue;
    const cols = line.split("\t");
    if (cols.length < 2) continue;
    let prefix = cols[0].trim();
    const slash = prefix.indexOf("/");
    if (slash >= 0) {
      if (prefix.slice(slash + 1) !== "24") continue;
      prefix = prefix.slice(0, slash);
    }
    const hex = prefix.split(/[:.-]/).join("");
    if (!/^[0-9A-Fa-f]{6}$/.test(hex.slice(0, 6)) || (slash < 0 && hex.length !== 6)) continue;
    const short = cols[1].trim();
    const long = cols.length > 2 && cols[2] !== "" && cols[2][0] !== "#" ? cols[2].trim() : "";
    const name = long !== "" ? long : short;
    if (name !== "") m.set(parseInt(hex.slice(0, 6), 16), name);
  }
  return m;
}

function load(): Map<number, string> {
  const env = process.env.NESTCAP_MANUF;
  for (const f of env !== undefined && env !== "" ? [env] : FILES) {
    try {
      return parseManuf(readFileSync(f, "utf8"));
    } catch {
      // not installed: no names
    }
  }
  return new Map();
}

/** The manufacturer of a 24-bit OUI, or null when the file does not name it (or there is no file). */
export function manufName(oui: number): string | null {
  if (table === null) table = load();
  return table.get(oui) ?? null;
}
