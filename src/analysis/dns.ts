/**
 * DNS request/response matching (packet-dns.c's dns_transaction_t tree), one pass:
 * per conversation, the latest transaction of each transaction ID.
 *
 *  - a query opens a transaction unless the latest one with that ID is still
 *    unanswered and less than 5 s old: then it is a retransmission of it;
 *  - a response answers the latest transaction with its ID; a second response to an
 *    answered transaction is a retransmission (unless the query was AXFR/IXFR).
 *
 * Lives in the session (pinfo.session.get("dns", …)), never in module globals.
 */

export interface DnsTransaction {
  id: number;
  reqFrame: number;
  repFrame: number;
  /** Time of the request. */
  reqS: number;
  reqNs: number;
  /** AXFR/IXFR: several responses are normal. */
  multipleResponds: boolean;
}

/** Seconds between messages with one ID that still count as a retransmission. */
export const RETRANSMISSION_TIMER = 5;

export class DnsMatcher {
  private readonly convs = new Map<string, Map<number, DnsTransaction>>();
  /** Set by match(): this message is a retransmission. */
  retransmission = false;

  /**
   * Find (and for queries, open) the transaction of a message. Returns null when a
   * response has no matching query (an unsolicited response).
   */
  match(conv: string, id: number, isResponse: boolean, frame: number, s: number, ns: number): DnsTransaction | null {
    this.retransmission = false;
    let byId = this.convs.get(conv);
    if (byId === undefined) {
      byId = new Map();
      this.convs.set(conv, byId);
    }
    let t = byId.get(id) ?? null;
    if (!isResponse) {
      let fresh = t === null || t.repFrame > 0;
      if (!fresh && t !== null) {
        const delta = s - t.reqS + (ns - t.reqNs) / 1e9;
        if (delta < RETRANSMISSION_TIMER) this.retransmission = true;
        else fresh = true;
      }
      if (fresh) {
        t = { id, reqFrame: frame, repFrame: 0, reqS: s, reqNs: ns, multipleResponds: false };
        byId.set(id, t);
      }
      return t;
    }
    if (t !== null) {
      if (t.repFrame === 0) t.repFrame = frame;
      else if (!t.multipleResponds) this.retransmission = true;
    }
    return t;
  }
}
