import type { Time } from "./field.js";

/** a - b, normalised so that s and ns carry the same sign (as Wireshark's nstime_delta). */
export function timeDiff(a: Time, b: Time): Time {
  let s = a.s - b.s;
  let ns = a.ns - b.ns;
  if (s > 0 && ns < 0) { s -= 1; ns += 1e9; }
  else if (s < 0 && ns > 0) { s += 1; ns -= 1e9; }
  return { s, ns };
}

export function timeToNumber(t: Time): number {
  return t.s + t.ns / 1e9;
}
