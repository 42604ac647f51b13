/**
 * A dissection session: the state that lives across the frames of one capture
 * (TCP streams, IP fragments, conversations). Never module globals, so two
 * captures in one process don't leak into each other.
 */
import type { Frame } from "../capture/frame.js";
import { DecodeAs, type DecodeAsRule } from "./decode-as.js";
import type { TwoPass } from "./twopass.js";

export interface SessionOptions {
  /** Validate checksums (tshark default: off for tcp/udp/ip; we follow tshark). */
  checkChecksums?: boolean;
  /** Free-form protocol preferences ("tcp.relative_sequence_numbers" → true). */
  prefs?: Record<string, string | number | boolean>;
  /**
   * Stop at TCP and UDP: their payloads are not handed on (no reassembly, no DNS, HTTP,
   * OpenVPN…). Only for outputs that read nothing above them (src/cli/session-options.ts belowTransport).
   */
  transportOnly?: boolean;
  /**
   * With transportOnly: of TCP, only the ports are read (src/cli/session-options.ts portsOnly). TCP then
   * stops after them: no stream, sequence analysis or options for fields nobody prints.
   */
  tcpPortsOnly?: boolean;
  /** Decode-as rules (tshark -d), already checked (decode-as.ts parseDecodeAs). */
  decodeAs?: readonly DecodeAsRule[];
  /**
   * Listeners of Wireshark-style taps, by tap name ("http_eo": HTTP objects for
   * --export-objects): a dissector hands its record to session.tap(name) when one listens.
   */
  taps?: Readonly<Record<string, (record: unknown) => void>>;
}

export class Session {
  /** Per-module state, keyed by module name. */
  private readonly state = new Map<string, unknown>();
  /** The previous frame's timestamp and the first one (for frame.time_delta / time_relative). */
  firstTs: { s: number; ns: number } | null = null;
  prevTs: { s: number; ns: number } | null = null;
  prevDisplayedTs: { s: number; ns: number } | null = null;
  /** Frame-number-indexed notes a later frame may need (e.g. reassembled_in). */
  readonly frameNotes = new Map<number, Map<string, unknown>>();
  /** Total frames dissected so far. */
  frames = 0;
  lastFrame: Frame | null = null;

  /** The -d rules, looked up before the dissector tables; null without any. */
  readonly decodeAs: DecodeAs | null;
  /** SessionOptions.transportOnly, read per packet by tcp.ts and udp.ts. */
  readonly transportOnly: boolean;
  /** SessionOptions.tcpPortsOnly (only ever true with transportOnly), read per packet by tcp.ts. */
  readonly tcpPortsOnly: boolean;

  /** -2: the pass this session dissects in and its notes (twopass.ts); null in one pass. */
  twoPass: TwoPass | null = null;

  constructor(readonly options: SessionOptions = {}) {
    this.decodeAs = options.decodeAs !== undefined && options.decodeAs.length > 0 ? new DecodeAs(options.decodeAs) : null;
    this.transportOnly = options.transportOnly ?? false;
    this.tcpPortsOnly = this.transportOnly && (options.tcpPortsOnly ?? false);
  }

  /** No tap hears this frame (-2 -R: a frame left out, dissected only for its state). */
  muted = false;

  /** The listener of a tap, or undefined when nobody listens (skip building the record). */
  tap(name: string): ((record: unknown) => void) | undefined {
    return this.muted ? undefined : this.options.taps?.[name];
  }

  /** First pass of -2: note what this frame tells about another frame or a stream (else nothing). */
  noteAhead(kind: string, key: number, value: unknown): void {
    const t = this.twoPass;
    if (t !== null && t.first) t.notes.note(kind, key, value);
  }

  /** First pass of -2: as noteAhead, keeping the first note for a key. */
  noteAheadFirst(kind: string, key: number, value: unknown): void {
    const t = this.twoPass;
    if (t !== null && t.first) t.notes.noteFirst(kind, key, value);
  }

  /** True in the second pass of -2: what the first pass noted can be shown. */
  get secondPass(): boolean {
    return this.twoPass !== null && !this.twoPass.first;
  }

  /** Second pass of -2: what the first pass noted (undefined: nothing, or not in a second pass). */
  ahead<T>(kind: string, key: number): T | undefined {
    const t = this.twoPass;
    return t !== null && !t.first ? t.notes.get<T>(kind, key) : undefined;
  }

  /** State of one module, made on first use. */
  get<T>(module: string, make: () => T): T {
    let s = this.state.get(module) as T | undefined;
    if (s === undefined) {
      s = make();
      this.state.set(module, s);
    }
    return s;
  }

  pref<T extends string | number | boolean>(name: string, dflt: T): T {
    const v = this.options.prefs?.[name];
    return (v === undefined ? dflt : v) as T;
  }
}
