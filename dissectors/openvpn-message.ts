/**
 * What OpenVPN sends inside its control channel's TLS, once a key log has decrypted it
 * (nestcap's own: tshark does not decrypt TLS spread over OpenVPN control packets).
 *
 * - The key method 2 message, one from each side at the start of each key-id: a zero
 *   uint32, the key method (2, flags in the high bits), the key source material (the
 *   client: a 48-byte pre-master secret and two 32-byte randoms; the server: the two
 *   randoms), then strings, each a uint16 length (the NUL included) and the bytes: the
 *   options string ("V4,dev-type tun,…", checked for consistency by the peer), username,
 *   password, and the client's peer info ("IV_VER=2.6.3\nIV_PLAT=linux\n…").
 *   (With TLS-EKM, as OpenVPN 2.6 and nestcap negotiate, the data-channel keys come from
 *   the TLS exporter, not from this material.)
 * - Text messages, NUL-terminated: PUSH_REQUEST, PUSH_REPLY (the options the server pushes,
 *   comma-separated: ifconfig, route, peer-id, cipher…), AUTH_FAILED, RESTART, EXIT, INFO….
 *
 * Each decrypted TLS record is read on its own (a message split across records is shown
 * as far as it goes). Not a protocol of its own: the fields are openvpn.*, and the layer is
 * a second "openvpn" in frame.protocols, inside the TLS of the first.
 */
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { openvpn } from "./openvpn.js";

/** The plaintext of one decrypted TLS record of an OpenVPN control channel. */
export function dissectControlPlaintext(tvb: Tvb, pinfo: PacketInfo, tree: Item, fromClient: boolean): void {
  const f = openvpn.f;
  const len = tvb.length;
  const full = tree.tree.full;
  pinfo.layers.push("openvpn");
  const ti = tree.add(openvpn.hf, tvb, 0, len, null);
  const what: string[] = [];
  let o = 0;
  while (o < len) {
    if (len - o >= 5 && tvb.u32(o) === 0) {
      o = keyMethod(tvb, o, ti, fromClient);
      what.push(`key method 2 (${fromClient ? "client" : "server"})`);
      continue;
    }
    let end = o;
    while (end < len && tvb.u8(end) !== 0) end++;
    const text = tvb.ascii(o, end - o);
    const mt = ti.add(f.ctrlMsg, tvb, o, Math.min(end + 1, len) - o, text);
    const name = /^[A-Z_]+/.exec(text)?.[0] ?? "text";
    what.push(name);
    // each pushed option on its own line: what the client will configure
    if (name === "PUSH_REPLY") parts(mt, f.pushOption, tvb, o + name.length, text.slice(name.length), ",", true);
    o = end + 1;
  }
  if (full) ti.setText(`OpenVPN control channel (decrypted): ${what.join(", ")}`);
}

/**
 * The pieces of `text` (at `at` in tvb) between separators, each an item of `field` over its
 * bytes; empty pieces left out with `skipEmpty`.
 */
function parts(parent: Item, field: typeof openvpn.f.kmOption, tvb: Tvb, at: number, text: string, sep: string, skipEmpty: boolean): void {
  for (const piece of text.split(sep)) {
    if (piece !== "" || !skipEmpty) parent.add(field, tvb, at, piece.length, piece);
    at += piece.length + 1;
  }
}

/** A uint16-length string at o (its NUL dropped from the value): the offset after it, and its item (null when empty). */
function str(tvb: Tvb, o: number, it: Item, field: typeof openvpn.f.kmOptions, what: string): [number, string, Item | null] {
  const n = tvb.u16(o);
  const li = it.add(openvpn.f.kmStringLen, tvb, o, 2, n);
  if (it.tree.full) li.setText(`${what} length: ${n}${n === 0 ? " (none)" : ""}`);
  if (n === 0) return [o + 2, "", null];
  const s = tvb.ascii(o + 2, tvb.u8(o + 1 + n) === 0 ? n - 1 : n);
  return [o + 2 + n, s, it.add(field, tvb, o + 2, n, s)];
}

function keyMethod(tvb: Tvb, o: number, ti: Item, fromClient: boolean): number {
  const f = openvpn.f;
  const start = o;
  const kt = ti.add(f.km, tvb, o, tvb.length - o, null);
  if (ti.tree.full) kt.setText(`Key method 2 message (from the ${fromClient ? "client" : "server"})`);
  o += 4;
  kt.add(f.kmMethod, tvb, o, 1, tvb.u8(o) & 0x0f);
  o += 1;
  if (fromClient) {
    kt.add(f.kmPreMaster, tvb, o, 48, tvb.bytes(o, 48));
    o += 48;
  }
  kt.add(f.kmRandom1, tvb, o, 32, tvb.bytes(o, 32));
  kt.add(f.kmRandom2, tvb, o + 32, 32, tvb.bytes(o + 32, 32));
  o += 64;
  let s: string;
  let it: Item | null;
  // the options one by one, as the peer compares them
  let at = o + 2; // where a string's bytes start, after its length
  [o, s, it] = str(tvb, o, kt, f.kmOptions, "Options string");
  if (it !== null) parts(it, f.kmOption, tvb, at, s, ",", false);
  if (o + 2 <= tvb.length) [o] = str(tvb, o, kt, f.kmUsername, "Username");
  if (o + 2 <= tvb.length) [o] = str(tvb, o, kt, f.kmPassword, "Password");
  if (o + 2 <= tvb.length) {
    at = o + 2;
    [o, s, it] = str(tvb, o, kt, f.kmPeerInfo, "Peer info");
    if (it !== null) parts(it, f.kmPeerInfoItem, tvb, at, s, "\n", true);
  }
  kt.setLen(o - start);
  return o;
}
