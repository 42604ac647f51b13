/** Link-local Multicast Name Resolution (RFC 4795) on UDP 5355: DNS messages with C/TC/T flags; dns.* fields. */
import { defineProtocol } from "../src/core/proto.js";
import { dissectDnsMessage, MsgKind } from "./dns.js";

export const llmnr = defineProtocol({
  name: "Link-local Multicast Name Resolution",
  abbrev: "llmnr",
  short: "LLMNR",
  fields: {},
  registers: [["udp.port", 5355]],
  dissect(tvb, pinfo, tree) {
    pinfo.setProtocol("LLMNR");
    dissectDnsMessage(tvb, pinfo, tree, 0, MsgKind.LLMNR, llmnr);
    return tvb.length;
  },
});
