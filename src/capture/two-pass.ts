/**
 * The library's two-pass reading (tshark's -2; the CLI's own, with -R and -w, is
 * src/cli/two-pass.ts): the file is dissected once without output to take the notes
 * (src/core/twopass.ts), then again, yielding each frame's dissection with what later
 * frames told (a request's response, the frame a fragment was reassembled in…).
 *
 *   for await (const { frame, tree, pinfo } of dissectTwoPass("dns.pcap", { columns: true })) …
 */
import { Dissector, type DissectOptions, type Dissection } from "../core/dissect.js";
import { Session, type SessionOptions } from "../core/session.js";
import { firstPassSession, readNotesOf } from "../core/twopass.js";
import { readCapture } from "./reader.js";

export async function* dissectTwoPass(path: string, options: DissectOptions = {}, session: SessionOptions = {}): AsyncGenerator<Dissection> {
  const s1 = firstPassSession(session);
  const first = new Dissector({}, s1);
  for await (const fr of readCapture(path)) first.dissect(fr);
  const s2 = new Session(session);
  readNotesOf(s1, s2);
  const second = new Dissector(options, s2);
  for await (const fr of readCapture(path)) yield second.dissect(fr);
}
