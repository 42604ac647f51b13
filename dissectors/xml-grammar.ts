/**
 * The grammar of tshark's XML dissector (packet-xml.c's tvbparse wanteds), as plain
 * matching functions over the bytes. Used by dissectors/xml.ts, which builds the tree.
 * tvbparse semantics kept: blanks (" \t\r\n") are skipped between the parts of a
 * sequence and after it; one_of takes the first alternative that matches; until()
 * stops looking when fewer than two bytes remain after the candidate.
 */

/** tvbparse chars sets: want_name and want_attr_name (with ':'), want_ignore, digits. */
export const NAME = new Uint8Array(256);
const ATTR_NAME = new Uint8Array(256);
const DIGIT = new Uint8Array(256);
for (const c of "abcdefghijklmnopqrstuvwxyz.-_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") NAME[c.charCodeAt(0)] = ATTR_NAME[c.charCodeAt(0)] = 1;
ATTR_NAME[0x3a] = 1;
for (let c = 0x30; c <= 0x39; c++) DIGIT[c] = 1;

export function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** One attribute as matched: name, the value's bytes (quotes stripped) and the whole token. */
export interface Attr {
  nameStart: number;
  nameEnd: number;
  valStart: number;
  valEnd: number;
  tokEnd: number;
}

/**
 * The tvbparse grammar of packet-xml.c (init_xml_parser), one alternative per method.
 * Each returns the offset after what it matched, blanks after a sequence included (as
 * cond_seq does), or -1. The offsets the tree builder (dissectors/xml.ts) needs are
 * left in fields.
 */
export class XmlGrammar {
  protected readonly end: number;
  protected readonly attrs: Attr[] = [];
  protected nAttrs = 0;
  // offsets of the last match
  protected a = 0; // name start / value start
  protected b = 0; // name end
  protected c = 0; // end of the token's own bytes (before trailing blanks)
  protected stop = 0; // offset of the stop token ('>', '/>', '?>')
  protected stopLen = 0;
  protected pub = false; // doctype: PUBLIC/SYSTEM form (no internal subset)

  constructor(protected readonly d: Uint8Array) {
    this.end = d.length;
  }

  protected ws(p: number): number {
    const d = this.d;
    while (p < this.end && isWs(d[p])) p++;
    return p;
  }

  protected str(p: number, s: string): boolean {
    if (p + s.length > this.end) return false;
    for (let i = 0; i < s.length; i++) if (this.d[p + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  protected caseStr(p: number, s: string): boolean {
    if (p + s.length > this.end) return false;
    for (let i = 0; i < s.length; i++) {
      const c = this.d[p + i];
      const l = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
      if (l !== (s.charCodeAt(i) | 0x20)) return false;
    }
    return true;
  }

  protected chars(p: number, set: Uint8Array): number {
    const d = this.d;
    let q = p;
    while (q < this.end && set[d[q]] === 1) q++;
    return q;
  }

  /**
   * cond_until(…, TP_UNTIL_INCLUDE): the first match of s from p; the search gives up
   * when fewer than 2 bytes are left after the candidate (so a final '>' is not seen).
   * Returns the offset after the match, or -1.
   */
  protected until(p: number, s: string): number {
    if (p + s.length > this.end) return -1;
    let q = p;
    for (;;) {
      if (this.str(q, s)) return q + s.length;
      q++;
      if (!(q + 1 < this.end)) return -1;
    }
  }

  /** seq("<!--", until("-->")) */
  protected comment(p: number): number {
    if (!this.str(p, "<!--")) return -1;
    const e = this.until(this.ws(p + 4), "-->");
    if (e < 0) return -1;
    this.c = e;
    return this.ws(e);
  }

  protected cdataSection(p: number): number {
    if (!this.str(p, "<![CDATA[")) return -1;
    const e = this.until(this.ws(p + 9), "]]>");
    if (e < 0) return -1;
    this.c = e;
    return this.ws(e);
  }

  /** want_tag_name: a scoped name (name ':' name) or a name; sets b to its end. */
  protected tagName(p: number): number {
    const n1 = this.chars(p, NAME);
    if (n1 === p) return -1;
    let q = this.ws(n1);
    if (q < this.end && this.d[q] === 0x3a) {
      q = this.ws(q + 1);
      const n2 = this.chars(q, NAME);
      if (n2 > q) {
        this.b = n2;
        return n2;
      }
    }
    this.b = n1;
    return n1;
  }

  /** quoted(Q, '\\'): Q (\\Q | not-Q+) Q, or Q Q. Sets a/c to the value's bytes; returns the end. */
  protected quoted(p: number, q: number): number {
    const d = this.d;
    if (p >= this.end || d[p] !== q) return -1;
    let r = this.ws(p + 1);
    let inner = -1;
    if (r + 2 <= this.end && d[r] === 0x5c && d[r + 1] === q) inner = r + 2;
    else {
      let s = r;
      while (s < this.end && d[s] !== q) s++;
      if (s > r) inner = s;
    }
    if (inner >= 0) {
      r = this.ws(inner);
      if (r < this.end && d[r] === q) {
        this.a = p + 1;
        this.c = r;
        return r + 1;
      }
    }
    r = this.ws(p + 1);
    if (r < this.end && d[r] === q) {
      this.a = p + 1;
      this.c = r;
      return r + 1;
    }
    return -1;
  }

  /** want_attrib_value; sets a/c to the value part. Returns the token end (before blanks). */
  protected attrValue(p: number): number {
    let e = this.quoted(p, 0x22);
    if (e >= 0) return e;
    e = this.quoted(p, 0x27);
    if (e >= 0) return e;
    e = this.chars(p, DIGIT);
    if (e === p) e = this.chars(p, NAME);
    if (e === p) return -1;
    this.a = p;
    this.c = e;
    return e;
  }

  /** one_or_more(attr_name '=' value): fills attrs; returns the offset after them (blanks included) or -1. */
  protected attributes(p: number): number {
    const d = this.d;
    this.nAttrs = 0;
    let q = p;
    for (;;) {
      const ne = this.chars(q, ATTR_NAME);
      if (ne === q) break;
      let r = this.ws(ne);
      if (r >= this.end || d[r] !== 0x3d) break;
      r = this.ws(r + 1);
      const ve = this.attrValue(r);
      if (ve < 0) break;
      let at = this.attrs[this.nAttrs];
      if (at === undefined) at = this.attrs[this.nAttrs] = { nameStart: 0, nameEnd: 0, valStart: 0, valEnd: 0, tokEnd: 0 };
      at.nameStart = q;
      at.nameEnd = ne;
      at.valStart = this.a;
      at.valEnd = this.c;
      at.tokEnd = ve;
      this.nAttrs++;
      q = this.ws(ve);
    }
    return this.nAttrs === 0 ? -1 : q;
  }

  /** seq("<?", name, oneof("?>", seq(attributes, "?>"))) */
  protected xmlpi(p: number): number {
    if (!this.str(p, "<?")) return -1;
    const q = this.ws(p + 2);
    const ne = this.chars(q, NAME);
    if (ne === q) return -1;
    this.a = q;
    this.b = ne;
    const r = this.ws(ne);
    if (this.str(r, "?>")) {
      this.nAttrs = 0;
      this.stop = r;
      this.c = r + 2;
      return this.ws(r + 2);
    }
    const s = this.attributes(r);
    if (s < 0 || !this.str(s, "?>")) return -1;
    this.a = q;
    this.b = ne;
    this.stop = s;
    this.c = s + 2;
    return this.ws(s + 2);
  }

  /** seq('<', '/', tag_name, '>') */
  protected closingTag(p: number): number {
    const d = this.d;
    let q = this.ws(p + 1);
    if (q >= this.end || d[q] !== 0x2f) return -1;
    q = this.ws(q + 1);
    const ne = this.tagName(q);
    if (ne < 0) return -1;
    q = this.ws(ne);
    if (q >= this.end || d[q] !== 0x3e) return -1;
    this.c = q + 1;
    return this.ws(q + 1);
  }

  /** seq('<', '!', "DOCTYPE", oneof(seq(name, '['), seq(name, PUBLIC|SYSTEM, until('>')))) */
  protected doctype(p: number): number {
    const d = this.d;
    let q = this.ws(p + 1);
    if (q >= this.end || d[q] !== 0x21) return -1;
    q = this.ws(q + 1);
    if (!this.caseStr(q, "DOCTYPE")) return -1;
    q = this.ws(q + 7);
    const ne = this.chars(q, NAME);
    if (ne === q) return -1;
    this.a = q;
    this.b = ne;
    const r = this.ws(ne);
    if (r < this.end && d[r] === 0x5b) {
      this.pub = false;
      this.c = r + 1;
      return this.ws(r + 1);
    }
    if (!this.caseStr(r, "PUBLIC") && !this.caseStr(r, "SYSTEM")) return -1;
    const e = this.until(this.ws(r + 6), ">");
    if (e < 0) return -1;
    this.pub = true;
    this.c = e;
    return this.ws(e);
  }

  /** seq(']', '>') */
  protected dtdClose(p: number): number {
    const q = this.ws(p + 1);
    if (q >= this.end || this.d[q] !== 0x3e) return -1;
    this.c = q + 1;
    return this.ws(q + 1);
  }

  /** seq('<', '!', until('>')) */
  protected dtdTag(p: number): number {
    let q = this.ws(p + 1);
    if (q >= this.end || this.d[q] !== 0x21) return -1;
    q = this.ws(q + 1);
    const e = this.until(q, ">");
    if (e < 0) return -1;
    this.c = e;
    return this.ws(e);
  }

  /** seq('<', tag_name, oneof(seq(attributes, stoptag), stoptag)) */
  protected tag(p: number): number {
    const q = this.ws(p + 1);
    const ne = this.tagName(q);
    if (ne < 0) return -1;
    const nameEnd = this.b;
    const r = this.ws(ne);
    const s = this.attributes(r);
    if (s >= 0) {
      const e = this.stopTag(s);
      if (e >= 0) {
        this.b = nameEnd;
        return e;
      }
    }
    this.nAttrs = 0;
    const e = this.stopTag(r);
    this.b = nameEnd;
    return e;
  }

  protected stopTag(p: number): number {
    const d = this.d;
    if (p < this.end && d[p] === 0x3e) {
      this.stop = p;
      this.stopLen = 1;
      this.c = p + 1;
      return this.ws(p + 1);
    }
    if (this.str(p, "/>")) {
      this.stop = p;
      this.stopLen = 2;
      this.c = p + 2;
      return this.ws(p + 2);
    }
    return -1;
  }

  /** not_chars(" \t\r\n"): the run up to the next blank (shown as "Unrecognized text"). */
  protected unrecognizedEnd(p: number): number {
    const d = this.d;
    let q = p;
    while (q < this.end && !isWs(d[q])) q++;
    return q;
  }
}
