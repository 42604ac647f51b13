/**
 * Transport Layer Security: the record layer and the handshake messages, with tshark 4.0's
 * field names (tls-fields.ts; the messages in tls-handshake.ts). On "tcp.port" 443, on any
 * TCP port by the record-header heuristic, and from OpenVPN's control channel (table
 * "openvpn.control"). Over TCP a record cut by the segment's end is asked for whole (TCP
 * reassembly) and dissected where it completes; elsewhere (OpenVPN reassembles its own, or
 * TCP reassembly is off) one cut short is marked, not guessed. With a key log the records
 * are decrypted (src/tls/decrypt.ts) and their application data handed on (tls-app.ts).
 */
import { DESEGMENT_ONE_MORE_SEGMENT } from "../src/analysis/reassembly.js";
import type { TcpSegment } from "../src/analysis/tcp.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import { Tvb } from "../src/core/tvb.js";
import { innerPlaintext, RecordDecoder } from "../src/tls/decrypt.js";
import { dissectAppData, TlsAppFlow } from "./tls-app.js";
import { ALERT_DESCRIPTIONS, ALERT_LEVELS, CONTENT_TYPES, VERSION_COL } from "../src/tls/names.js";
import { onHttpTlsPort } from "../src/http/names.js";
import { convOf, keys12, keys13, type TlsConv } from "./tls-conv.js";
import { TLS_FIELDS } from "./tls-fields.js";
import { handshakes } from "./tls-handshake.js";

export { addTlsSecret } from "./tls-conv.js";

/**
 * tshark's TLS heuristic on TCP (is_sslv3_or_tls): a handshake or application-data record
 * header with an SSLv3–TLS 1.2 (or GM TLS) version and a sane length; the conversation is
 * TLS from then on, so TLS on any port (8443, 993…) is dissected.
 */
function heuristic(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): boolean {
  if (!looksLikeRecord(tvb)) {
    // not a record header: TLS only if the conversation was found to be TLS before (the
    // lookup is skipped while no conversation was: most TCP payloads come here)
    const h = pinfo.session.get("tls.heur", () => ({ n: 0 }));
    if (h.n === 0 || convOf(pinfo, false)?.c.heur !== true) return false;
  } else {
    const { c } = convOf(pinfo)!;
    if (!c.heur) {
      c.heur = true;
      pinfo.session.get("tls.heur", () => ({ n: 0 })).n++;
    }
  }
  return dissect(tvb, pinfo, tree, data) > 0;
}

/** is_sslv3_or_tls: a handshake or application-data record header, SSLv3–TLS 1.2 (or GM TLS), a sane length. */
function looksLikeRecord(tvb: Tvb): boolean {
  if (tvb.length < 5) return false;
  const ct = tvb.u8(0), v = tvb.u16(1), rl = tvb.u16(3);
  if (ct !== 22 && ct !== 23) return false;
  if (v !== 0x0300 && v !== 0x0301 && v !== 0x0302 && v !== 0x0303 && v !== 0x0101) return false;
  return rl !== 0 && rl < 16384 + 2048;
}


export const tls = defineProtocol({
  name: "Transport Layer Security",
  abbrev: "tls",
  aliases: ["ssl"],
  short: "TLS",
  fields: TLS_FIELDS,
  registers: [["tcp.port", 443], ["openvpn.control", 4]],
  heuristics: [["tcp", heuristic]],
  dissect,
});

const f = tls.f;

function dissect(tvb: Tvb, pinfo: PacketInfo, tree: Item, data?: unknown): number {
  const len = tvb.length;
  if (len < 1) return 0;
  // over TCP with reassembly on: a record cut by the segment's end is asked for whole (tshark's need_desegmentation)
  const seg = data !== null && typeof data === "object" && "canDesegment" in data ? (data as TcpSegment) : null;
  const canAsk = seg !== null && seg.canDesegment;
  // tshark's TLS turns down a TCP payload whose first four bytes are printable: plain text on a
  // TLS port (HTTP on 443 goes on to HTTP's heuristic; other text stays TCP data)
  if (seg !== null && len >= 4 && isPrint(tvb.u8(0)) && isPrint(tvb.u8(1)) && isPrint(tvb.u8(2)) && isPrint(tvb.u8(3))) return 0;
  let asked = -1;
  const { c, dir } = convOf(pinfo)!;
  const cols = pinfo.cols !== null;
  const full = tree.tree.full;
  // Info texts, per record: for the Info column and for -V's record labels
  const infos: string[] | null = cols || full ? [] : null;
  let colVer = 0;
  // the application data's dissector has written the columns (decrypted records): later records append
  let flushed = false;
  const ti = tree.add(tls.hf, tvb, 0, len, null);
  let o = 0;
  // the Protocol column: the session's version, else the first record's; tshark: "SSL" while no version is known
  const ses = pinfo.session;
  if (ses.twoPass !== null) {
    if (ses.twoPass.first) ses.noteAhead("tls.conv", pinfo.num, c);
    else c.finalVersion = ses.ahead<TlsConv>("tls.conv", pinfo.num)?.version ?? 0;
  }
  const protocolColumn = () => VERSION_COL[c.finalVersion !== 0 ? c.finalVersion : c.version !== 0 ? c.version : colVer] ?? "SSL";
  // the columns are set even when a record's body runs out (BoundsError → [Malformed Packet]): tshark
  // has written them by then
  try {
    while (o < len) {
      if (len - o < 5) {
        if (canAsk) asked = ask(seg, o, DESEGMENT_ONE_MORE_SEGMENT);
        else partial(ti, tvb, o, len - o, "record header");
        break;
      }
      const ct = tvb.u8(o);
      const ver = tvb.u16(o + 1);
      const rl = tvb.u16(o + 3);
      if (CONTENT_TYPES[ct] === undefined || (ver >> 8) !== 3) {
        // not a record (the rest of one from an earlier segment): tshark says so in Info only, the tree stays empty
        if (infos !== null && infos.length === 0) infos.push("Continuation Data");
        break;
      }
      if (o + 5 + rl > len && canAsk) {
        asked = ask(seg, o, o + 5 + rl - len);
        break;
      }
      // tshark's ssl_try_set_version: any record but a handshake, or a handshake other than a
      // ClientHello, tells the session's version (a ServerHello's supported_versions may still change it)
      if (c.version === 0 && VERSION_COL[ver] !== undefined && (ct !== 22 || (rl > 0 && tvb.u8(o + 5) !== 1))) c.version = ver;
      const shown = c.finalVersion !== 0 ? c.finalVersion : c.version !== 0 ? c.version : ver;
      if (colVer === 0) colVer = shown;
      const rt = ti.add(f.record, tvb, o, Math.min(5 + rl, len - o), null);
      const isOpaque = c.version === 0x0304 && ct === 23;
      rt.add(isOpaque ? f.opaqueType : f.contentType, tvb, o, 1, ct);
      rt.add(f.version, tvb, o + 1, 2, ver);
      rt.add(f.length, tvb, o + 3, 2, rl);
      if (o + 5 + rl > len) {
        partial(rt, tvb, o, len - o, `record of ${rl} bytes`);
        if (infos !== null) infos.push(recordInfo(ct));
        break;
      }
      // with a key log: the record's plaintext (TLS 1.3: its real content type is inside)
      let body = tvb.sub(o + 5, rl);
      let rct = ct;
      let decrypted = false;
      const dk = c.dec[dir];
      if (dk !== null && rl > 0 && (dk.tls13 ? ct === 23 : ct >= 21 && ct <= 23)) {
        const pt = dk.decrypt(tvb.bytes(o, 5), tvb.bytes(o + 5, rl));
        const inner = pt === null ? null : dk.tls13 ? innerPlaintext(pt) : { type: ct, len: pt.length };
        if (pt !== null && inner !== null) {
          const ds = { name: `Decrypted TLS (${inner.len} bytes)`, data: pt.subarray(0, inner.len) };
          pinfo.addSource(ds);
          body = new Tvb(ds);
          rct = inner.type;
          decrypted = true;
          // -z follow,tls: every decrypted record, in order (the follower keeps application data)
          const follow = pinfo.session.tap("tls_follow");
          if (follow !== undefined) follow({ frame: pinfo.num, type: rct, data: ds.data.slice() });
          if (dk.tls13) rt.addGenerated(f.contentType, tvb, o, 1, rct);
        }
      }
      const before = infos === null ? 0 : infos.length;
      let recordWhat: string | null = null;
      switch (rct) {
        case 20:
          rt.add(f.ccs, body, 0, rl, null);
          c.ccs[dir] = true;
          if (c.version !== 0x0304) keys12(c, pinfo, dir);
          infos?.push("Change Cipher Spec");
          break;
        case 21:
          if (body.length === 2) {
            const at = rt.add(f.alert, body, 0, 2, null);
            const lvl = body.u8(0), desc = body.u8(1);
            at.add(f.alertLevel, body, 0, 1, lvl);
            at.add(f.alertDesc, body, 1, 1, desc);
            infos?.push(`Alert (Level: ${ALERT_LEVELS[lvl] ?? "Unknown"}, Description: ${ALERT_DESCRIPTIONS[desc] ?? "Unknown"})`);
          } else {
            if (full) rt.add(f.alert, body, 0, rl, null).setText("Alert Message: Encrypted Alert");
            infos?.push("Encrypted Alert");
          }
          break;
        case 23: {
          rt.add(f.appData, tvb, o + 5, rl, tvb.bytes(o + 5, rl));
          // tshark names the application protocol (the session's, from ALPN or a heuristic, else
          // its TLS port table's: 443 is HTTP) instead of "Application Data"
          // (ALPN h2: HTTP/2, dissectors/http2.ts)
          const h2 = c.alpn === "h2" || c.alpn?.startsWith("h2-") === true;
          let app = h2 ? HTTP2_NAME
            : c.httpByHeuristic || c.alpn?.startsWith("http/1.1") || onHttpTlsPort(pinfo.srcport, pinfo.dstport) ? HTTP_NAME : null;
          if (app !== null) rt.addGenerated(f.appProto, tvb, 0, 0, app); // (at the segment's start, as tshark)
          else if (decrypted && looksLikeHttp(body)) {
            // (found by the heuristic: the session's from now on; no app_data_proto item on this record)
            c.httpByHeuristic = true;
            app = HTTP_NAME;
          }
          infos?.push("Application Data");
          recordWhat = app ?? "Application Data"; // (not from infos: they may have been written out below)
          if (decrypted) {
            // the columns so far are written now: the application's dissector sets its own after them
            if (cols) {
              pinfo.setProtocol(protocolColumn());
              if (flushed) pinfo.appendInfoSep(", ", infos!.join(", "));
              else pinfo.clearInfoAppendSep(", ", infos!.join(", "));
              infos!.length = 0;
            }
            flushed = true;
            c.app[dir] ??= new TlsAppFlow();
            // no application protocol known: the plaintext goes to data, as tshark's; inside
            // OpenVPN, to the reader of OpenVPN's control messages (nestcap's own)
            const kind = app === HTTP_NAME ? "http" : app === HTTP2_NAME ? "http2" : app === null && pinfo.layers.includes("openvpn") ? "openvpn" : "data";
            dissectAppData(body, pinfo, tree, ti, c.app[dir]!, protocolColumn(), kind, dir === c.clientDir, data);
          }
          break;
        }
        case 22:
          if (decrypted) {
            c.curDir = dir;
            const types = handshakes(body, pinfo, rt, c, infos);
            // TLS 1.3: after its Finished a side uses its application traffic keys; a KeyUpdate moves them on
            if (dk !== null && dk.tls13) {
              if (types.includes(20) && c.app13[dir] !== null) c.dec[dir] = RecordDecoder.tls13(dk.p, c.app13[dir]!);
              else if (types.includes(24)) c.dec[dir] = dk.updated();
            }
          } else if (c.ccs[dir] && c.version !== 0x0304) {
            if (full) rt.add(f.hs, body, 0, rl, null).setText("Handshake Protocol: Encrypted Handshake Message");
            infos?.push("Encrypted Handshake Message");
          } else {
            try {
              c.curDir = dir;
              const hadSuite = c.suite;
              handshakes(body, pinfo, rt, c, infos);
              if (c.suite !== hadSuite && c.version === 0x0304) keys13(c, pinfo);
            } catch (e) {
              // a message that runs out: the record is labelled with what it holds so far, as tshark's
              if (full) rt.setText(recordLabel(shown, ct, infos!, before, null));
              throw e;
            }
          }
          break;
        case 24:
          infos?.push(heartbeat(rt, body, rl));
          break;
        default:
          infos?.push(CONTENT_TYPES[ct]);
      }
      if (full) rt.setText(recordLabel(shown, rct, infos!, before, recordWhat));
      o += 5 + rl;
    }
  } finally {
    // nothing dissected before the record TCP will bring whole: tshark's TLS has cleared Info all the
    // same, and TCP marks the segment ("[TCP segment of a reassembled PDU]", Protocol TCP)
    if (cols && flushed) {
      if (infos!.length > 0) pinfo.appendInfoSep(", ", infos!.join(", "));
    } else if (cols && asked === 0) pinfo.clearInfoAppendSep(", ", "");
    else if (cols) {
      pinfo.setProtocol(protocolColumn());
      pinfo.clearInfoAppendSep(", ", infos!.join(", ")); // tshark: col_clear, then col_append_sep_str(", ") per message
    }
  }
  return len;
}

/** A heartbeat message (RFC 6520) when its lengths add up; its Info text ("Heartbeat Request"). */
function heartbeat(rt: Item, body: Tvb, rl: number): string {
  const type = rl >= 3 ? body.u8(0) : 0;
  const pl = rl >= 3 ? body.u16(1) : 0;
  // (tshark also decodes, and flags, a payload length that leaves under 16 bytes of padding; not done here)
  if ((type !== 1 && type !== 2) || 3 + pl + 16 > rl) return "Encrypted Heartbeat";
  const ht = rt.add(f.hbMsg, body, 0, rl, null);
  ht.add(f.hbType, body, 0, 1, type);
  ht.add(f.hbPayloadLen, body, 1, 2, pl);
  const bytes = (n: number) => `${n} byte${n === 1 ? "" : "s"}`;
  ht.add(f.hbPayload, body, 3, pl, body.bytes(3, pl)).setText(`Payload (${bytes(pl)})`);
  ht.add(f.hbPadding, body, 3 + pl, rl - 3 - pl, body.bytes(3 + pl, rl - 3 - pl)).setText(`Padding and HMAC (${bytes(rl - 3 - pl)})`);
  return type === 1 ? "Heartbeat Request" : "Heartbeat Response";
}

const HTTP_NAME = "Hypertext Transfer Protocol";
const HTTP2_NAME = "HyperText Transfer Protocol 2";

/** tshark's HTTP-over-TLS heuristic: the first line starts or ends with "HTTP/1.". */
function looksLikeHttp(t: Tvb): boolean {
  const d = t.bytes(0);
  let n = 0;
  while (n < d.length && d[n] !== 0x0d && d[n] !== 0x0a) n++;
  if (n === d.length) return false;
  const is = (o: number) => o >= 0 && o + 7 <= n && String.fromCharCode(...d.subarray(o, o + 7)).toUpperCase() === "HTTP/1.";
  return is(0) || is(n - 8);
}

/** g_ascii_isprint. */
function isPrint(b: number): boolean {
  return b >= 0x20 && b <= 0x7e;
}

/**
 * A record's label, as tshark's: "TLSv1.3 Record Layer: Handshake Protocol: Client Hello",
 * "…: Handshake Protocol: Multiple Handshake Messages", "…: Alert (Level: …)", "…: Encrypted
 * Alert"; `infos` from `before` are the record's messages.
 */
function recordLabel(shown: number, ct: number, infos: readonly string[], before: number, recordWhat: string | null): string {
  const n = infos.length - before;
  const what = recordWhat ?? (n > 1 && ct === 22 ? "Multiple Handshake Messages" : infos.slice(before).join(", "));
  const head = ct === 21 || ct === 24 ? what : `${CONTENT_TYPES[ct]} Protocol${what ? ": " + what : ""}`;
  return `${VERSION_COL[shown] ?? "TLS"} Record Layer: ${head}`;
}

function recordInfo(ct: number): string {
  return ct === 22 ? "Handshake" : CONTENT_TYPES[ct] ?? "Unknown";
}

/**
 * Ask TCP for the rest of the record at `o` (`more` bytes, or one more segment), as tshark's
 * TLS does; unlike DNS or OpenVPN over TCP, the TLS layer stays in frame.protocols even when
 * nothing before `o` was dissected (it has added its item). Returns `o`.
 */
function ask(seg: TcpSegment, o: number, more: number): number {
  seg.desegmentOffset = o;
  seg.desegmentLen = more;
  seg.keepsLayer = true;
  return o;
}

function partial(it: Item, tvb: Tvb, o: number, n: number, what: string): void {
  const p = it.addGenerated(f.partial, tvb, o, n, null);
  p.expert("note", "reassemble", `Incomplete TLS ${what}: continues beyond the available bytes (not reassembled)`, "tls", "tls.record.partial");
}
