/**
 * Echo request/reply matching, shared by ICMP (ping) and ICMPv6 (ping6), one pass as
 * tshark's: a request is remembered under its key; the first reply with the same key
 * answers it ("[Response To]", "[Response Time]", "(request in N)"). With -2 the first pass
 * notes each reply's frame under its request's, and the second pass shows it on the request
 * ("[Response In]", "(reply in N)") or says that none came ("(no response found!)").
 *
 * The key (the address pair, id, sequence, and ICMP's checksum-derived word) is the
 * dissector's: ICMP and ICMPv6 build it differently. Lives in the session, never in a global.
 */
import type { Field, Time } from "../core/field.js";
import type { PacketInfo } from "../core/pinfo.js";
import { timeDiff } from "../core/time.js";
import type { Item } from "../core/tree.js";
import type { Tvb } from "../core/tvb.js";

export interface EchoFields {
  respIn: Field;
  respTo: Field;
  respTime: Field;
  noResp: Field;
}

export interface EchoSpec {
  fields: EchoFields;
  /** The -2 note's kind, e.g. "icmp.resp_in". */
  note: string;
  /** The protocol's filter name and its "no response" expert field. */
  proto: string;
  noRespExpert: string;
  /** The expert note's text when request frame `num` got no reply. */
  noRespMessage: (num: number) => string;
}

interface Transaction {
  rqst: number;
  resp: number;
  time: Time;
}

/** An address as a map key: its bytes as characters ("" without one). */
export function addrKey(a: Uint8Array | null): string {
  if (a === null) return "";
  let s = "";
  for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
  return s;
}

export class EchoMatcher {
  /** Unmatched (and answered) requests, by key. */
  private readonly requests = new Map<string, Transaction>();

  constructor(private readonly spec: EchoSpec) {}

  /** A request: remembered; with -2's second pass, its reply (or that none came) is shown. */
  request(key: string, tvb: Tvb, pinfo: PacketInfo, top: Item): void {
    this.requests.set(key, { rqst: pinfo.num, resp: 0, time: { s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec } });
    if (pinfo.session.secondPass) this.answered(tvb, pinfo, top, pinfo.session.ahead<number>(this.spec.note, pinfo.num));
  }

  /** A reply: the first one to a remembered request answers it. */
  reply(key: string, tvb: Tvb, pinfo: PacketInfo, top: Item): void {
    const tr = this.requests.get(key);
    if (tr === undefined || tr.resp !== 0) return;
    tr.resp = pinfo.num;
    const f = this.spec.fields;
    pinfo.session.noteAheadFirst(this.spec.note, tr.rqst, pinfo.num);
    // (Wireshark adds these two without a tvb: -T json -x gives them no bytes)
    top.addGenerated(f.respTo, tvb, 0, 0, tr.rqst).detach();
    const d = timeDiff({ s: pinfo.frame.tsSec, ns: pinfo.frame.tsNsec }, tr.time);
    const ms = d.s * 1000 + d.ns / 1e6;
    top.addGenerated(f.respTime, tvb, 0, 0, ms, `${ms.toFixed(3)} ms`).detach();
    if (pinfo.cols !== null) pinfo.appendInfo(` (request in ${tr.rqst})`);
  }

  /** -2's second pass, on a request: its reply's frame, or that none came (tshark's items, without bytes). */
  private answered(tvb: Tvb, pinfo: PacketInfo, top: Item, resp: number | undefined): void {
    const f = this.spec.fields;
    if (resp !== undefined) {
      top.addGenerated(f.respIn, tvb, 0, 0, resp).detach();
      if (pinfo.cols !== null) pinfo.appendInfo(` (reply in ${resp})`);
      return;
    }
    top.addGenerated(f.noResp, tvb, 0, 0, null).detach()
      .expert("warn", "sequence", this.spec.noRespMessage(pinfo.num), this.spec.proto, this.spec.noRespExpert);
    if (pinfo.cols !== null) pinfo.appendInfo(" (no response found!)");
  }
}
