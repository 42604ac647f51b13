/**
 * The dispatcher: one frame in, a tree (full or sparse) and columns out.
 * It calls the "frame" dissector, which hands on by link type.
 */
import type { Frame } from "../capture/frame.js";
import { fieldCount, type Field } from "./field.js";
import { PacketInfo } from "./pinfo.js";
import { callDissector, protocolByAbbrev, type Protocol } from "./proto.js";
import { Session } from "./session.js";
import { Tree } from "./tree.js";
import { Tvb, type DataSource } from "./tvb.js";

/** The frame's own bytes as a data source; its name is made only when a hex dump asks. */
class FrameSource implements DataSource {
  constructor(readonly data: Uint8Array) {}
  get name(): string {
    return `Frame (${this.data.length} bytes)`;
  }
}
import "./load.js";

export interface DissectOptions {
  /** Keep the whole tree (for -V, -x highlight, JSON, --layers). */
  tree?: boolean;
  /** Fields whose values must be recorded (for -e and filters). */
  wanted?: readonly Field[];
  /** Fill the summary columns. */
  columns?: boolean;
}

export interface Dissection {
  frame: Frame;
  tree: Tree;
  pinfo: PacketInfo;
}

/** Make the wanted bitmap once, outside the per-frame loop. */
export function wantedMap(fields: readonly Field[]): Uint8Array | null {
  if (fields.length === 0) return null;
  const m = new Uint8Array(fieldCount());
  for (const f of fields) m[f.id] = 1;
  return m;
}

/** A reusable dissector for one capture: holds the session and the prepared options. */
export class Dissector {
  readonly session: Session;
  private readonly wanted: Uint8Array | null;
  private readonly full: boolean;
  private readonly columns: boolean;
  private readonly frameProto: Protocol;

  constructor(opts: DissectOptions = {}, session = new Session()) {
    this.session = session;
    this.full = opts.tree ?? false;
    this.columns = opts.columns ?? false;
    this.wanted = wantedMap(opts.wanted ?? []);
    const fp = protocolByAbbrev("frame");
    if (!fp) throw new Error("frame dissector not loaded");
    this.frameProto = fp;
  }

  dissect(frame: Frame): Dissection {
    const s = this.session;
    const tree = new Tree(this.full, this.wanted);
    tree.frameNum = frame.num;
    const pinfo = new PacketInfo(frame, s, this.columns);
    const tvb = new Tvb(new FrameSource(frame.data), 0, frame.data.length, frame.len);
    pinfo.sources.push(tvb.ds);
    callDissector(this.frameProto, tvb, pinfo, tree.root);
    s.frames++;
    s.lastFrame = frame;
    return { frame, tree, pinfo };
  }

  /**
   * A frame another worker dissects (parallel reading, src/cli/parallel.ts): only the
   * capture-wide clock moves on (frame.time_delta, time_relative), as dissect() moves it.
   */
  skip(frame: Frame): void {
    const s = this.session;
    const ts = { s: frame.tsSec, ns: frame.tsNsec };
    if (s.firstTs === null) s.firstTs = ts;
    s.prevTs = ts;
    s.frames++;
  }
}

/**
 * Dissect one packet on its own (library convenience).
 * `ctx` may carry a Dissector to keep state (TCP streams…) across calls.
 */
export function dissect(
  linkType: number,
  bytes: Uint8Array,
  ctx: { dissector?: Dissector; num?: number; tsSec?: number; tsNsec?: number; len?: number } & DissectOptions = {},
): Dissection {
  const d = ctx.dissector ?? new Dissector({ tree: ctx.tree ?? true, columns: ctx.columns ?? true, wanted: ctx.wanted });
  const frame: Frame = {
    num: ctx.num ?? d.session.frames + 1,
    tsSec: ctx.tsSec ?? 0,
    tsNsec: ctx.tsNsec ?? 0,
    caplen: bytes.length,
    len: ctx.len ?? bytes.length,
    data: bytes,
    linkType,
    interfaceId: 0,
  };
  return d.dissect(frame);
}
