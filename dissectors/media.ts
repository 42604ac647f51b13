/**
 * Media Type (Wireshark's packet-media.c): a body whose Internet media type no
 * dissector takes. Shows the bytes as media.type and appends "(type)" to Info. Called by
 * HTTP with the media type as `data`.
 */
import { defineProtocol } from "../src/core/proto.js";

export const media = defineProtocol({
  name: "Media Type",
  abbrev: "media",
  short: "Media",
  fields: {
    type: { abbrev: "media.type", name: "Media type", type: "bytes" },
  },
  dissect(tvb, pinfo, tree, data) {
    const n = tvb.length;
    const mediaType = typeof data === "string" ? data : null;
    const full = tree.tree.full;
    // packet-media.c: a bare "Media Type" item; the type and size are the value's display
    const ti = tree.add(media.hf, tvb, 0, n, null);
    const disp = full && mediaType !== null ? `${mediaType} (${n} byte${n === 1 ? "" : "s"})` : undefined;
    ti.add(media.f.type, tvb, 0, n, tvb.bytes(0, n), disp);
    if (mediaType !== null) pinfo.appendInfoSep(" ", `(${mediaType})`);
    return n;
  },
});
