import type { Time } from "./field.js";

/** a - b, normalised so that s and ns carry the same sign (as Wireshark's nstime_delta). */
export function timeDiff(a: Time, b: Time): Time {
  return timeDelta(a.s, a.ns, b.s, b.ns);
}

/**
 * timeDiff on seconds/nanoseconds kept as plain numbers (per-stream state, frame timestamps).
 * The nanoseconds are a C int in Wireshark: a difference of out-of-range fractions (a
 * corrupt record's) wraps as it does there.
 */
export function timeDelta(aS: number, aNs: number, bS: number, bNs: number): Time {
  let s = aS - bS;
  let ns = (aNs - bNs) | 0;
  if (s > 0 && ns < 0) { s -= 1; ns += 1e9; }
  else if (s < 0 && ns > 0) { s += 1; ns -= 1e9; }
  return { s, ns };
}

export function timeToNumber(t: Time): number {
  return t.s + t.ns / 1e9;
}
