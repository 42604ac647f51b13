/** HTML Form URL Encoded (Wireshark's packet-http-urlencoded.c): key=value pairs of a form body. */
import { cutUtf8, LABEL_MAX } from "../src/core/label.js";
import { defineProtocol } from "../src/core/proto.js";

function unescape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "+") out += " ";
    else if (c === "%" && i + 2 < s.length + 0 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += c;
  }
  return out;
}

export const urlencodedForm = defineProtocol({
  name: "HTML Form URL Encoded",
  abbrev: "urlencoded-form",
  fields: {
    key: { abbrev: "urlencoded-form.key", name: "Key", type: "string", ftName: "FT_STRINGZ" },
    value: { abbrev: "urlencoded-form.value", name: "Value", type: "string", ftName: "FT_STRINGZ" },
  },
  dissect(tvb, pinfo, tree, data) {
    const mediaType = typeof data === "string" ? data : null;
    const n = tvb.length;
    const full = tree.tree.full;
    const ti = tree.add(urlencodedForm.hf, tvb, 0, n, null);
    if (full && mediaType !== null) ti.setText(`HTML Form URL Encoded: ${mediaType}`);
    if (mediaType !== null) pinfo.appendInfoSep(" ", `(${mediaType})`);
    const s = tvb.ascii(0, n);
    let p = 0;
    while (p < n) {
      let amp = s.indexOf("&", p);
      if (amp < 0) amp = n;
      const eq = s.indexOf("=", p);
      const ke = eq >= 0 && eq < amp ? eq : amp;
      const key = unescape(s.slice(p, ke));
      const value = ke < amp ? unescape(s.slice(ke + 1, amp)) : "";
      // (a text item's label is cut silently at Wireshark's label length, without "[truncated]";
      // its bytes take the "&" after it)
      const it = ti.addText(tvb, p, amp - p + (amp < n ? 1 : 0), full ? cutUtf8(`Form item: "${key}" = "${value}"`, LABEL_MAX) : "");
      it.add(urlencodedForm.f.key, tvb, p, ke - p, key);
      if (ke < amp) it.add(urlencodedForm.f.value, tvb, ke + 1, amp - ke - 1, value);
      p = amp + 1;
    }
    return n;
  },
});
