/** Multicast DNS (RFC 6762) on UDP 5353: DNS messages with the QU / cache-flush bits; dns.* fields. */
import { defineProtocol } from "../src/core/proto.js";
import { dissectDnsMessage, MsgKind } from "./dns.js";

export const mdns = defineProtocol({
  name: "Multicast Domain Name System",
  abbrev: "mdns",
  short: "MDNS",
  fields: {},
  registers: [["udp.port", 5353]],
  dissect(tvb, pinfo, tree) {
    pinfo.setProtocol("MDNS");
    dissectDnsMessage(tvb, pinfo, tree, 0, MsgKind.MDNS, mdns);
    return tvb.length;
  },
});
