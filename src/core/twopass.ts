/**
 * tshark's two-pass analysis (-2). The first pass dissects every frame without output and
 * notes what a frame learns about another one, or about its whole conversation: a reply
 * names its request, a reassembly names the fragments it used, a TCP stream ends with its
 * final completeness. The second pass dissects again with a fresh session, in which the
 * dissectors look those notes up and show what one pass cannot know yet: "(reply in 4)",
 * "[Reassembled IPv4 in frame: 9]", "[Response In: 4]".
 *
 * A note is (kind, key) → value; the key is a frame number, or a stream index for facts
 * about a whole conversation, in which case a later note replaces an earlier one (the
 * final state is what the second pass shows, as tshark's conversation data is by then).
 */
import { Session, type SessionOptions } from "./session.js";
export class Lookahead {
  private readonly notes = new Map<string, Map<number, unknown>>();

  note(kind: string, key: number, value: unknown): void {
    let m = this.notes.get(kind);
    if (m === undefined) this.notes.set(kind, (m = new Map()));
    m.set(key, value);
  }

  /** A note kept only if none is there yet (the first answer wins: the first reply to a request). */
  noteFirst(kind: string, key: number, value: unknown): void {
    const m = this.notes.get(kind);
    if (m === undefined || !m.has(key)) this.note(kind, key, value);
  }

  get<T>(kind: string, key: number): T | undefined {
    return this.notes.get(kind)?.get(key) as T | undefined;
  }
}

/** Which pass a session is in, and the notes the first one takes and the second reads. */
export interface TwoPass {
  readonly first: boolean;
  readonly notes: Lookahead;
}

/** A first pass's session: it takes the notes, and no tap hears it (taps hear the second pass only). */
export function firstPassSession(options: SessionOptions): Session {
  const s = new Session({ ...options, taps: undefined });
  s.twoPass = { first: true, notes: new Lookahead() };
  return s;
}

/** Make `second` the second pass after `first`: it reads the notes the first took. */
export function readNotesOf(first: Session, second: Session): void {
  if (first.twoPass === null) throw new Error("not a first pass's session");
  second.twoPass = { first: false, notes: first.twoPass.notes };
}
