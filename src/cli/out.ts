/** Buffered stdout with back-pressure; a closed pipe (`| head`) ends the program quietly. */
import type { Writable } from "node:stream";

export class Out {
  private parts: string[] = [];
  private size = 0;
  closed = false;

  constructor(private readonly stream: Writable = process.stdout, private readonly limit = 1 << 16) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") {
        this.closed = true;
        process.exit(0);
      }
      throw e;
    });
  }

  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
  }

  /** True when the buffer should be flushed (checked after each packet). */
  get full(): boolean {
    return this.size >= this.limit;
  }

  async flush(): Promise<void> {
    if (this.size === 0 && this.parts.length === 0) return;
    const chunk = this.parts.join("");
    this.parts = [];
    this.size = 0;
    if (this.closed) return;
    if (!this.stream.write(chunk)) await new Promise<void>((r) => this.stream.once("drain", () => r()));
  }
}

/** A one-line progress bar on stderr (TTY only). */
export class Progress {
  private last = 0;
  private shown = false;
  constructor(private readonly total: number, private readonly enabled: boolean) {}

  update(done: number, packets: number): void {
    if (!this.enabled || this.total <= 0) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const frac = Math.min(1, done / this.total);
    const width = 30;
    const full = Math.round(frac * width);
    process.stderr.write(`\r[${"█".repeat(full)}${"░".repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${packets} packets`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) process.stderr.write("\r\x1b[K");
  }
}
