/**
 * Manufacturer names of Ethernet OUIs (eth.src.oui_resolved…), read from Wireshark's
 * `manuf` file when one is installed (Debian's tshark brings /usr/share/wireshark/manuf),
 * or from the file NESTCAP_MANUF names. nestcap ships no copy: without the file, the
 * `*.oui_resolved` fields are absent, as in a tshark without its data files.
 *
 * The file's lines: "00:11:22<TAB>Short<TAB>Long name<TAB># comment"; only whole 24-bit
 * prefixes are OUIs ("00:50:C2:00:00:00/24" counts too; the /28 and /36 blocks name address
 * ranges, not OUIs); an entry with no long name is known by its short name (as tshark 4.0
 * shows it).
 *
 * The file (~2 MB, 50,000 lines) is kept as bytes and searched for an OUI the first time
 * one is asked for; a capture meets few OUIs. Parsing it all into a table cost ~30 MB of
 * peak memory for the handful of names a capture needs.
 */
import { readFileSync } from "node:fs";

const FILES = ["/usr/share/wireshark/manuf"];

/** One manuf file: OUI → name, looked up in its bytes and remembered. */
export class ManufFile {
  private readonly known = new Map<number, string | null>();

  constructor(private readonly data: Buffer) {}

  name(oui: number): string | null {
    let n = this.known.get(oui);
    if (n === undefined) {
      n = this.find(oui);
      this.known.set(oui, n);
    }
    return n;
  }

  private find(oui: number): string | null {
    const h = oui.toString(16).padStart(6, "0");
    const pairs = `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
    for (const p of [pairs.toUpperCase(), pairs]) {
      for (const key of [`${p}\t`, `${p}:00:00:00/24\t`]) {
        const line = this.lineStarting(key);
        if (line !== null) return lineName(line);
      }
    }
    return null;
  }

  /** The rest of the line that starts with `key` (after it), or null. */
  private lineStarting(key: string): string | null {
    const d = this.data;
    let at = d.subarray(0, key.length).toString("latin1") === key ? 0 : d.indexOf("\n" + key, 0, "latin1");
    if (at < 0) return null;
    if (at > 0 || d[0] === 0x0a) at += 1;
    const start = at + key.length;
    let end = d.indexOf(0x0a, start);
    if (end < 0) end = d.length;
    return d.subarray(start, end).toString("utf8");
  }
}

/** "Short<TAB>Long name<TAB># comment" → the long name, else the short one. */
function lineName(rest: string): string | null {
  const cols = rest.replace(/\r$/, "").split("\t");
  const short = cols[0].trim();
  const long = cols.length > 1 && cols[1] !== "" && cols[1][0] !== "#" ? cols[1].trim() : "";
  const name = long !== "" ? long : short;
  return name !== "" && name[0] !== "#" ? name : null;
}

let file: ManufFile | null | undefined;

function open(): ManufFile | null {
  const env = process.env.NESTCAP_MANUF;
  for (const f of env !== undefined && env !== "" ? [env] : FILES) {
    try {
      return new ManufFile(readFileSync(f));
    } catch {
      // not installed: no names
    }
  }
  return null;
}

/** The manufacturer of a 24-bit OUI, or null when the file does not name it (or there is no file). */
export function manufName(oui: number): string | null {
  if (file === undefined) file = open();
  return file === null ? null : file.name(oui);
}
