/**
 * Replay protection: a sliding window over packet-ids (OpenVPN's --replay-window, 64 by
 * default). `check` says whether an id is fresh; `accept` records it (call only after the
 * packet authenticated, so forged packets cannot move the window).
 *
 * The window is a circular bitmap in 32-bit words (bit `id % size` for the ids
 * top-size+1 … top): no allocation per packet (a BigInt bitmap allocated on every shift).
 */
export class ReplayWindow {
  private top = 0; // highest id seen (0: none)
  private readonly words: Uint32Array;
  private readonly bits: number;
  constructor(readonly size = 64) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.bits = this.words.length * 32;
  }

  private has(id: number): boolean {
    const b = id % this.bits;
    return (this.words[b >>> 5] & (1 << (b & 31))) !== 0;
  }

  check(id: number): boolean {
    if (id === 0) return false; // OpenVPN's packet-ids start at 1
    if (id > this.top) return true;
    if (this.top - id >= this.size) return false;
    return !this.has(id);
  }

  accept(id: number): void {
    const w = this.words;
    if (id > this.top) {
      if (id - this.top >= this.size) {
        w.fill(0);
      } else {
        // clear the slots of the ids skipped over (top+1 … id), which held ids a window ago
        for (let i = this.top + 1; i <= id; i++) {
          const b = i % this.bits;
          w[b >>> 5] &= ~(1 << (b & 31));
        }
      }
      this.top = id;
    }
    const b = id % this.bits;
    w[b >>> 5] |= 1 << (b & 31);
  }

  /** Static-key mode: a newer net-time restarts the id sequence (the peer restarted). */
  reset(): void {
    this.top = 0;
    this.words.fill(0);
  }
}
