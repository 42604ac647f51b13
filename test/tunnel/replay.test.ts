/**
 * The replay window (src/tunnel/replay.ts, a circular bitmap) against a plain model: a
 * set of accepted ids and the highest one; any id more than `size - 1` below the highest is
 * stale. Random walks with jumps, reordering and duplicates, for several window sizes.
 */
import { describe, expect, it } from "vitest";
import { ReplayWindow } from "../../src/tunnel/replay.js";

class Model {
  top = 0;
  seen = new Set<number>();
  constructor(readonly size: number) {}
  check(id: number): boolean {
    if (id === 0) return false;
    if (id > this.top) return true;
    if (this.top - id >= this.size) return false;
    return !this.seen.has(id);
  }
  accept(id: number): void {
    this.seen.add(id);
    if (id > this.top) this.top = id;
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("replay window vs a set model", () => {
  for (const size of [64, 32, 40, 128]) {
    it(`size ${size}: same answers over 20000 random ids`, () => {
      const r = rng(size);
      const w = new ReplayWindow(size);
      const m = new Model(size);
      let base = 1;
      let agree = 0;
      for (let i = 0; i < 20000; i++) {
        const x = r();
        // mostly forward, some reordering within / just outside the window, some big jumps, some duplicates
        let id: number;
        if (x < 0.6) id = base++;
        else if (x < 0.85) id = Math.max(0, base - 1 - Math.floor(r() * (size + 8)));
        else if (x < 0.95) id = base - 1;
        else id = base += Math.floor(r() * size * 3);
        const c = w.check(id);
        expect(c).toBe(m.check(id));
        if (c) {
          w.accept(id);
          m.accept(id);
        }
        agree++;
      }
      expect(agree).toBe(20000);
    });
  }

  it("reset forgets everything; ids near 2^32 work", () => {
    const w = new ReplayWindow(64);
    w.accept(0xfffffff0);
    expect(w.check(0xfffffff0)).toBe(false);
    expect(w.check(0xffffffef)).toBe(true);
    expect(w.check(0xfffffff0 - 64)).toBe(false);
    w.reset();
    expect(w.check(5)).toBe(true);
    w.accept(5);
    expect(w.check(5)).toBe(false);
  });
});
