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
import { Lookahead } from "../core/twopass.js";
import { readCapture } from "./reader.js";

export async function* dissectTwoPass(path: string, options: DissectOptions = {}, session: SessionOptions = {}): AsyncGenerator<Dissection> {
  const notes = new Lookahead();
  const s1 = new Session({ ...session, taps: undefined });
  s1.twoPass = { first: true, notes };
  const first = new Dissector({}, s1);
  for await (const fr of readCapture(path)) first.dissect(fr);
  const s2 = new Session(session);
  s2.twoPass = { first: false, notes };
  const second = new Dissector(options, s2);
  for await (const fr of readCapture(path)) yield second.dissect(fr);
}
