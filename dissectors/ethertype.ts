/** Ethertype value names (shared by eth, vlan, sll, …). Not a protocol: no defineProtocol here. */
export const ETHERTYPES: Record<number, string> = {
  0x0800: "IPv4",
  0x0806: "ARP",
  0x8100: "802.1Q Virtual LAN",
  0x88a8: "802.1ad Provider Bridge (Q-in-Q)",
  0x9100: "QinQ: old non-standard 802.1ad",
  0x86dd: "IPv6",
  0x8035: "RARP",
  0x888e: "802.1X Authentication",
  0x88cc: "802.1 Link Layer Discovery Protocol (LLDP)",
  0x8847: "MPLS label switched packet",
  0x8848: "MPLS multicast label switched packet",
  0x8863: "PPPoE Discovery",
  0x8864: "PPPoE Session",
  0x88e5: "802.1AE (MACsec)",
  0x8809: "Slow Protocols",
  0x9000: "Configuration Test Protocol (loopback)",
};
