/**
 * eXtensible Markup Language, as tshark 4.0's xml dissector (packet-xml.c) shows it.
 *
 * Wireshark's XML dissector is not a conforming XML parser: it is a small grammar run
 * by tvbparse (epan/tvbparse.c), token after token, blanks skipped before every token
 * and between the parts of a sequence. What it cannot match it shows as "Unrecognized
 * text" and goes on at the next blank. dissectors/xml-grammar.ts reproduces that grammar and its
 * quirks (a "until >" search never looks at the very last byte; a quoted value is one
 * run of non-quote bytes, an escaped quote ends it; closing tags pop whatever is open,
 * names are not compared), so the tree and the fields come out as tshark's:
 *
 *   eXtensible Markup Language
 *       <?xml                          xml.xmlpi.xml (the whole PI), attributes as
 *           version="1.0"              xml.xmlpi.xml.version / encoding / standalone
 *           ?>
 *       <!DOCTYPE html PUBLIC …>       xml.doctype ("html")
 *       <html                          xml.tag (the whole start tag)
 *           lang="en">                 xml.attribute ('lang="en"'), ">" appended to the last one
 *           text                       xml.cdata (xml.unknown outside any element)
 *           </html>
 *
 * Called by HTTP through the "media_type" table (src/http/names.ts: the media types
 * packet-xml.c registers), and by data-text-lines for a body longer than 38 bytes that
 * starts with "<?xml" (packet-text-media.c). No DTD namespaces (the dtds/ files tshark
 * loads): their media types (application/smil, application/cpim-pidf+xml,
 * application/mediaservercontrol+xml) are not registered here.
 *
 * Strings are only built when the full tree is kept or an xml.* field is wanted.
 */
import { labelText } from "../src/core/label.js";
import { defineProtocol } from "../src/core/proto.js";
import type { Field } from "../src/core/field.js";
import type { Item, Tree } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { XmlGrammar } from "./xml-grammar.js";

const S = "string" as const;
const NONE = "none" as const;

export const xml = defineProtocol({
  name: "eXtensible Markup Language",
  abbrev: "xml",
  short: "XML",
  fields: {
    xmlpi: { abbrev: "xml.xmlpi", name: "XMLPI", type: S },
    cdatasection: { abbrev: "xml.cdatasection", name: "CDATASection", type: S },
    comment: { abbrev: "xml.comment", name: "Comment", type: S },
    attribute: { abbrev: "xml.attribute", name: "Attribute", type: S },
    doctype: { abbrev: "xml.doctype", name: "Doctype", type: S },
    dtdtag: { abbrev: "xml.dtdtag", name: "DTD Tag", type: S },
    cdata: { abbrev: "xml.cdata", name: "CDATA", type: S },
    tag: { abbrev: "xml.tag", name: "Tag", type: S },
    unknown: { abbrev: "xml.unknown", name: "Unknown", type: S },
    xmlpiXml: { abbrev: "xml.xmlpi.xml", name: "xml.xmlpi.xml", type: S },
    standalone: { abbrev: "xml.xmlpi.xml.standalone", name: "standalone", type: S },
    encoding: { abbrev: "xml.xmlpi.xml.encoding", name: "encoding", type: S },
    version: { abbrev: "xml.xmlpi.xml.version", name: "version", type: S },
    closingUnopenedTag: { abbrev: "xml.closing_unopened_tag", name: "Closing an unopened tag", type: NONE },
    closingUnopenedXmpliTag: { abbrev: "xml.closing_unopened_xmpli_tag", name: "Closing an unopened xmpli tag", type: NONE },
    unrecognizedText: { abbrev: "xml.unrecognized_text", name: "Unrecognized text", type: NONE },
  },
  registers: [],
  dissect(tvb, pinfo, tree) {
    const n = tvb.length;
    const d = tvb.bytes(0, n);
    if (pinfo.cols !== null) pinfo.cols.protocol += "/XML"; // col_append_str
    const ti = tree.add(xml.hf, tvb, 0, n, null);
    const t = tree.tree;
    new Parser(d, tvb, t, ti, t.wantsAny(ALL)).run();
    return n;
  },
});

const f = xml.f;
const ALL = Object.values(f);


/** The body is handed to XML by data-text-lines (packet-text-media.c): more than 38 bytes starting "<?xml", any case. */
export function looksLikeXmlText(tvb: Tvb): boolean {
  if (tvb.length <= 38) return false;
  const d = tvb.bytes(0, 5);
  return d[0] === 0x3c && d[1] === 0x3f && (d[2] | 0x20) === 0x78 && (d[3] | 0x20) === 0x6d && (d[4] | 0x20) === 0x6c;
}

/** Namespaces of the open frames: what text and attributes inside them become. */
const NS_ROOT = 0, NS_UNKNOWN = 1, NS_PI_XML = 2, NS_NULL = 3;

interface XFrame {
  item: Item;
  last: Item;
  ns: number;
  start: number;
}

const utf8 = new TextDecoder("utf-8");

/** Builds the tree from the grammar's matches (packet-xml.c's callbacks). */
class Parser extends XmlGrammar {
  private readonly stack: XFrame[] = [];

  constructor(
    d: Uint8Array,
    private readonly tvb: Tvb,
    private readonly t: Tree,
    root: Item,
    /** Build strings at all (full tree or an xml field wanted). */
    private readonly strings: boolean,
  ) {
    super(d);
    this.stack.push({ item: root, last: root, ns: NS_ROOT, start: 0 });
  }

  run(): void {
    const d = this.d;
    const end = this.end;
    let p = 0;
    for (;;) {
      p = this.ws(p);
      if (p >= end) return;
      let e: number;
      const ch = d[p];
      if (ch === 0x3c) {
        if ((e = this.comment(p)) >= 0) this.onToken(f.comment, p, this.c);
        else if ((e = this.cdataSection(p)) >= 0) this.onToken(f.cdatasection, p, this.c);
        else if ((e = this.xmlpi(p)) >= 0) this.onXmlpi(p);
        else if ((e = this.closingTag(p)) >= 0) this.onUntag(p, this.c);
        else if ((e = this.doctype(p)) >= 0) this.onDoctype(p);
        else if ((e = this.dtdTag(p)) >= 0) this.onToken(f.dtdtag, p, this.c);
        else if ((e = this.tag(p)) >= 0) this.onTag(p);
        else e = this.unrecognized(p);
      } else if (ch === 0x5d && (e = this.dtdClose(p)) >= 0) {
        this.onDtdClose(p, this.c);
      } else {
        // not_chars("<"): text up to the next '<' (blanks after it included)
        let q = p;
        while (q < end && d[q] !== 0x3c) q++;
        this.onCdata(p, q);
        e = q;
      }
      p = e;
    }
  }

  private unrecognized(p: number): number {
    const q = this.unrecognizedEnd(p);
    this.top().item.addText(this.tvb, p, q - p, "Unrecognized text").expert("warn", "protocol", "Unrecognized text", "xml", "xml.unrecognized_text");
    return q;
  }

  // ---- callbacks (packet-xml.c's after_token, before_tag, …) ----

  private top(): XFrame {
    return this.stack[this.stack.length - 1];
  }

  private text(s: number, e: number): string {
    return utf8.decode(this.d.subarray(s, e));
  }

  private label(s: number, e: number): string {
    return labelText(this.text(s, e));
  }

  /** An item whose label is the text of its bytes (tvb_format_text) and whose value is given. */
  private addItem(parent: Item, fld: Field, s: number, len: number, vs: number, ve: number, ls: number, le: number): Item {
    const want = this.strings && this.t.wants(fld);
    const it = parent.add(fld, this.tvb, s, len, want ? this.text(vs, ve) : "");
    if (this.t.full) it.setText(this.label(ls, le));
    return it;
  }

  /** after_token: comment, CDATA section, DTD tag. */
  private onToken(fld: Field, s: number, e: number): void {
    this.addItem(this.top().item, fld, s, e - s, s, e, s, e);
  }

  /** Text: xml.cdata inside an element, xml.unknown outside (and in PIs/DOCTYPE). */
  private onCdata(s: number, e: number): void {
    const fr = this.top();
    this.addItem(fr.item, fr.ns === NS_UNKNOWN ? f.cdata : f.unknown, s, e - s, s, e, s, e);
  }

  private push(item: Item, ns: number, start: number): void {
    this.stack.push({ item, last: item, ns, start });
  }

  /** Pop the current frame, or note "Closing an unopened (xmpli) tag" at the root. */
  private pop(s: number, len: number, pi: boolean): void {
    if (this.stack.length > 1) {
      this.stack.pop();
      return;
    }
    const fr = this.top();
    const msg = pi ? "Closing an unopened xmpli tag" : "Closing an unopened tag";
    fr.item.addText(this.tvb, s, len, msg).expert("error", "malformed", msg, "xml", pi ? "xml.closing_unopened_xmpli_tag" : "xml.closing_unopened_tag");
  }

  private addAttrs(fr: XFrame): void {
    for (let i = 0; i < this.nAttrs; i++) {
      const at = this.attrs[i];
      let fld = f.attribute;
      if (fr.ns === NS_PI_XML) {
        const k = this.knownPiAttr(at.nameStart, at.nameEnd);
        if (k !== null) fld = k;
      }
      let it: Item;
      if (fld === f.attribute) {
        it = this.addItem(fr.item, fld, at.nameStart, at.tokEnd - at.nameStart, at.nameStart, at.tokEnd, at.nameStart, at.tokEnd);
      } else {
        it = this.addItem(fr.item, fld, at.valStart, at.valEnd - at.valStart, at.valStart, at.valEnd, at.nameStart, at.tokEnd);
      }
      fr.last = it;
    }
  }

  /** version / encoding / standalone of <?xml …?> (names compared lower-cased). */
  private knownPiAttr(s: number, e: number): Field | null {
    const n = e - s;
    if (n !== 7 && n !== 8 && n !== 10) return null;
    let name = "";
    for (let i = s; i < e; i++) {
      const c = this.d[i];
      name += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
    }
    return name === "version" ? f.version : name === "encoding" ? f.encoding : name === "standalone" ? f.standalone : null;
  }

  /** before_xmpli, the attributes, after_xmlpi. */
  private onXmlpi(p: number): void {
    const parent = this.top();
    const nameStart = this.a, nameEnd = this.b, stop = this.stop, tokEnd = this.c;
    const isXml = nameEnd - nameStart === 3 && this.str(nameStart, "xml");
    const fld = isXml ? f.xmlpiXml : f.xmlpi;
    const it = this.addItem(parent.item, fld, p, tokEnd - p, p, tokEnd, p, nameEnd);
    this.push(it, isXml ? NS_PI_XML : NS_NULL, p);
    const fr = this.top();
    this.addAttrs(fr);
    if (this.t.full) fr.item.addText(this.tvb, stop, 2, "?>");
    this.pop(stop, 2, true);
  }

  /** before_tag, the attributes, then '>' (after_open_tag) or '/>' (after_closed_tag). */
  private onTag(p: number): void {
    const parent = this.top();
    const nameEnd = this.b, stop = this.stop, stopLen = this.stopLen, tokEnd = this.c;
    const it = this.addItem(parent.item, f.tag, p, tokEnd - p, p, tokEnd, p, nameEnd);
    this.push(it, NS_UNKNOWN, p);
    const fr = this.top();
    this.addAttrs(fr);
    if (stopLen === 1) {
      fr.last.appendText(">");
    } else {
      fr.last.appendText("/>");
      this.pop(stop, 2, false);
    }
  }

  /** after_untag: the element's item now ends here; the closing tag is text under it. */
  private onUntag(s: number, e: number): void {
    const fr = this.top();
    fr.item.setLen(this.tvb.off + e - fr.item.start);
    if (this.t.full) fr.item.addText(this.tvb, s, e - s, this.label(s, e));
    this.pop(s, e - s, false);
  }

  /** before_dtd_doctype (and pop_stack for the PUBLIC/SYSTEM form). */
  private onDoctype(p: number): void {
    const parent = this.top();
    const nameStart = this.a, nameEnd = this.b, tokEnd = this.c;
    const it = this.addItem(parent.item, f.doctype, nameStart, nameEnd - nameStart, nameStart, nameEnd, p, tokEnd);
    this.push(it, NS_NULL, p);
    if (this.pub) this.pop(p, tokEnd - p, false);
  }

  /** after_dtd_close: "]>" under the DOCTYPE, which it closes. */
  private onDtdClose(s: number, e: number): void {
    const fr = this.top();
    if (this.t.full) fr.item.addText(this.tvb, s, e - s, this.label(s, e));
    this.pop(s, e - s, false);
  }
}
