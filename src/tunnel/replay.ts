/**
 * Replay protection: a sliding window over packet-ids (OpenVPN's --replay-window, 64 by
 * default). `check` says whether an id is fresh; `accept` records it (call only after the
 * packet authenticated, so forged packets cannot move the window).
 */
export class ReplayWindow {
  private top = 0; // highest id seen (0: none)
  private bits = 0n; // bit i set: id (top - i) seen
  private readonly mask: bigint;
  constructor(readonly size = 64) {
    this.mask = (1n << BigInt(size)) - 1n;
  }

  check(id: number): boolean {
    if (id === 0) return false; // OpenVPN's packet-ids start at 1
    if (id > this.top) return true;
    const back = this.top - id;
    if (back >= this.size) return false;
    return ((this.bits >> BigInt(back)) & 1n) === 0n;
  }

  accept(id: number): void {
    if (id > this.top) {
      const shift = id - this.top;
      this.bits = shift >= this.size ? 1n : ((this.bits << BigInt(shift)) | 1n) & this.mask;
      this.top = id;
    } else {
      this.bits |= 1n << BigInt(this.top - id);
    }
  }

  /** Static-key mode: a newer net-time restarts the id sequence (the peer restarted). */
  reset(): void {
    this.top = 0;
    this.bits = 0n;
  }
}
