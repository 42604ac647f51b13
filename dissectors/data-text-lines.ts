/**
 * Line-based text data (Wireshark's packet-text-media.c): a text body shown line by
 * line. Called by HTTP (and others) with the media type as `data`; no table of its own.
 */
import { labelBytes } from "../src/core/label.js";
import { callDissector, defineProtocol } from "../src/core/proto.js";
import { findLineEnd, LINE } from "../src/http/body.js";
import { looksLikeXmlText, xml } from "./xml.js";

export const dataTextLines = defineProtocol({
  name: "Line-based text data",
  abbrev: "data-text-lines",
  fields: {},
  dissect(tvb, pinfo, tree, data) {
    // packet-text-media.c: a body of more than 38 bytes starting "<?xml" (any case) is XML
    if (tvb.length > 38 && looksLikeXmlText(tvb)) return callDissector(xml, tvb, pinfo, tree);
    const mediaType = typeof data === "string" ? data : null;
    const d = tvb.bytes(0);
    const n = d.length;
    const full = tree.tree.full;
    const ti = tree.add(dataTextLines.hf, tvb, 0, n, null);
    let lines = 0;
    let p = 0;
    while (p < n) {
      findLineEnd(d, p, n);
      const next = LINE.next;
      if (full) ti.addText(tvb, p, next - p, labelBytes(d, p, next));
      lines++;
      p = next;
    }
    if (full) ti.setText(`Line-based text data${mediaType !== null ? `: ${mediaType}` : ""} (${lines} lines)`);
    if (mediaType !== null) pinfo.appendInfoSep(" ", `(${mediaType})`);
    return n;
  },
});
