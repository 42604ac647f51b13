/** Bytes no dissector claimed. */
import { defineProtocol } from "../src/core/proto.js";

export const data = defineProtocol({
  name: "Data",
  abbrev: "data",
  short: "DATA",
  fields: {
    data: { abbrev: "data.data", name: "Data", type: "bytes" },
    len: { abbrev: "data.len", name: "Length", type: "uint32", ftName: "FT_INT32" },
  },
  dissect(tvb, pinfo, tree) {
    const n = tvb.length;
    const t = tree.add(data.hf, tvb, 0, n, null).setText(`Data (${n} byte${n === 1 ? "" : "s"})`);
    t.add(data.f.data, tvb, 0, n, tvb.bytes(0, n));
    t.addGenerated(data.f.len, tvb, 0, 0, n);
    return n;
  },
});
