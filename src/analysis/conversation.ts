/**
 * Conversation keys: a 5-tuple (network addresses from pinfo.netSrc/netDst, ports,
 * and the table it is looked up in) → one key string shared by both directions, plus
 * the direction of this packet (Wireshark's cmp_address ordering).
 *
 * Wireshark semantics kept here:
 *  - direction = cmp_address(src, dst): compare address length then bytes; when the
 *    addresses are equal the ports decide (srcport > dstport → 1, else -1).
 *    direction >= 0 means "this packet travels flow1", < 0 "flow2".
 *  - a conversation is found from either side; the newest one with the key wins
 *    (a SYN with a new ISN starts a new conversation over the same 5-tuple).
 *
 * Used by the UDP and TCP analysis (src/analysis/tcp.ts); anything else that needs
 * per-conversation state can key a Map with `conversationKey()`.
 */

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));

function addrKey(a: Uint8Array | null): string {
  if (a === null) return "";
  if (a.length === 4) return String(((a[0] << 24) >>> 0) + ((a[1] << 16) | (a[2] << 8) | a[3]));
  let s = "";
  for (let i = 0; i < a.length; i++) s += HEX[a[i]];
  return s;
}

/** Wireshark's cmp_address for raw network addresses: length first, then bytes. */
export function compareAddresses(a: Uint8Array | null, b: Uint8Array | null): number {
  const la = a === null ? 0 : a.length;
  const lb = b === null ? 0 : b.length;
  if (la !== lb) return la < lb ? -1 : 1;
  for (let i = 0; i < la; i++) {
    const d = a![i] - b![i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Direction of a packet within its conversation: 1 (flow1) or -1 (flow2). */
export function conversationDirection(src: Uint8Array | null, dst: Uint8Array | null, sport: number, dport: number): 1 | -1 {
  const c = compareAddresses(src, dst);
  if (c !== 0) return c > 0 ? 1 : -1;
  return sport > dport ? 1 : -1;
}

/**
 * The key of the conversation, the same for both directions. `dir` is the value
 * conversationDirection() returns for the same arguments.
 */
export function conversationKey(src: Uint8Array | null, dst: Uint8Array | null, sport: number, dport: number, dir: number): string {
  return dir >= 0
    ? addrKey(src) + "/" + sport + ">" + addrKey(dst) + "/" + dport
    : addrKey(dst) + "/" + dport + ">" + addrKey(src) + "/" + sport;
}

function v4(a: Uint8Array | null): number {
  return a !== null && a.length === 4 ? ((a[0] << 24) >>> 0) + ((a[1] << 16) | (a[2] << 8) | a[3]) : -1;
}

/**
 * conversationDirection + conversationKey with a one-conversation memory: bulk traffic
 * repeats the same 5-tuple (either way round), and building the key string is then
 * skipped. IPv4 only (IPv6 keys are built every time).
 */
export class ConversationKeyer {
  key = "";
  dir: 1 | -1 = 1;
  private a = -1;
  private b = -1;
  private pa = -1;
  private pb = -1;

  compute(src: Uint8Array | null, dst: Uint8Array | null, sport: number, dport: number): void {
    const x = v4(src);
    const y = v4(dst);
    if (x >= 0 && y >= 0) {
      if (x === this.a && y === this.b && sport === this.pa && dport === this.pb) return;
      if (x === this.b && y === this.a && sport === this.pb && dport === this.pa) {
        this.dir = this.dir === 1 ? -1 : 1;
        this.a = x;
        this.b = y;
        this.pa = sport;
        this.pb = dport;
        return;
      }
      this.a = x;
      this.b = y;
      this.pa = sport;
      this.pb = dport;
    } else {
      this.a = this.b = -1;
    }
    this.dir = conversationDirection(src, dst, sport, dport);
    this.key = conversationKey(src, dst, sport, dport, this.dir);
  }
}

/**
 * A table of conversations of one kind (one per transport), newest first for a key.
 * `T` is the per-conversation state (e.g. a TCP stream). Streams are numbered in
 * creation order (Wireshark's tcp.stream / udp.stream).
 */
export class ConversationTable<T> {
  private readonly map = new Map<string, T>();
  /** How many conversations were created (the next stream index). */
  count = 0;

  get(key: string): T | undefined {
    return this.map.get(key);
  }

  /** Make `v` the current conversation for `key` (replacing an older one with the same 5-tuple). */
  set(key: string, v: T): void {
    this.map.set(key, v);
  }

  get size(): number {
    return this.map.size;
  }
}
