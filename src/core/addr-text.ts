/**
 * IP addresses written as text ("10.0.0.1", "fd00::1", "::ffff:10.0.0.1"), parsed once for
 * the whole project: display-filter literals, key-log and `-z follow` endpoints, the tunnel's
 * IPv6 options. The reverse (bytes to text, as tshark writes them) is in format.ts.
 */

/** Dotted quad → the address as a number (0–2³²−1); null when it is not one. */
export function parseIPv4(s: string): number | null {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(s);
  if (m === null) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    v = v * 256 + o;
  }
  return v;
}

/** IPv6 text (with "::" and a dotted-quad tail) → 16 bytes; null when it is not one. */
export function parseIPv6(s: string): Uint8Array | null {
  let tail4: number | null = null;
  let str = s;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.indexOf(".", lastColon) > 0) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (tail4 === null) return null;
    str = s.slice(0, lastColon + 1) + "0:0";
  }
  const dbl = str.indexOf("::");
  if (dbl !== str.lastIndexOf("::")) return null;
  const parseGroups = (p: string): number[] | null => {
    if (p === "") return [];
    const out: number[] = [];
    for (const g of p.split(":")) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  if (dbl >= 0) {
    const a = parseGroups(str.slice(0, dbl));
    const b = parseGroups(str.slice(dbl + 2));
    if (a === null || b === null || a.length + b.length > 7) return null;
    words = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  } else {
    const a = parseGroups(str);
    if (a === null || a.length !== 8) return null;
    words = a;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i] >> 8;
    out[2 * i + 1] = words[i] & 255;
  }
  if (tail4 !== null) {
    out[12] = tail4 >>> 24;
    out[13] = (tail4 >>> 16) & 255;
    out[14] = (tail4 >>> 8) & 255;
    out[15] = tail4 & 255;
  }
  return out;
}

/** IPv4 or IPv6 text → its 4 or 16 bytes; null when it is neither. */
export function parseAddress(s: string): Uint8Array | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255);
  return parseIPv6(s);
}
