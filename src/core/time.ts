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

/** unsigned_time_secs_to_str: "1 day, 2 hours", "0 seconds". */
export function timeSecsToStr(v: number): string {
  if (v === 0) return "0 seconds";
  const secs = v % 60;
  v = Math.floor(v / 60);
  const mins = v % 60;
  v = Math.floor(v / 60);
  const hours = v % 24;
  const days = Math.floor(v / 24);
  const parts: string[] = [];
  if (days) parts.push(`${days} day${days === 1 ? "" : "s"}`);
  if (hours) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  if (mins) parts.push(`${mins} minute${mins === 1 ? "" : "s"}`);
  if (secs) parts.push(`${secs} second${secs === 1 ? "" : "s"}`);
  return parts.join(", ");
}

/** signed_time_secs_to_str: one "-" in front of the magnitude's text. */
export function signedTimeSecsToStr(v: number): string {
  if (v === 0) return "0 seconds";
  if (v < 0) return "-" + timeSecsToStr(v === -2147483648 ? 4294967295 : -v);
  return timeSecsToStr(v);
}
