/**
 * The basics of DHCP's options as tshark 4.0 has them (packet-dhcp.c): the option names
 * and message types, the "basic types" decoder (addresses, lists, strings, flags, times)
 * that options and vendor suboptions fall back to, the options decoded by their type
 * alone (BASIC), and IANA enterprise numbers with their names from Wireshark's
 * `enterprises.tsv` (options 61, 82, 124, 125). The option table: dhcp-options.ts.
 */
import { readFileSync } from "node:fs";
import { signedTimeSecsToStr, timeSecsToStr } from "../src/core/time.js";
import type { Field } from "../src/core/field.js";
import { ipv4ToString } from "../src/core/format.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { FT_STRING_FIELDS } from "./dhcp-fields.js";
import { addIpv4, addTyped, addU16, addU32, badLength, hex2, type DhcpF, type OptHandler } from "./dhcp-util.js";

/** Option names by code (dhcp_opt[] of tshark 4.0). */
export const OPTION_NAMES: readonly string[] = [
  "Padding", "Subnet Mask", "Time Offset", "Router", "Time Server", "Name Server", "Domain Name Server", "Log Server",
  "Quotes Server", "LPR Server", "Impress Server", "Resource Location Server", "Host Name", "Boot File Size",
  "Merit Dump File", "Domain Name", "Swap Server", "Root Path", "Extensions Path", "IP Forwarding",
  "Non-Local Source Routing", "Policy Filter", "Maximum Datagram Reassembly Size", "Default IP Time-to-Live",
  "Path MTU Aging Timeout", "Path MTU Plateau Table", "Interface MTU", "All Subnets are Local", "Broadcast Address",
  "Perform Mask Discovery", "Mask Supplier", "Perform Router Discover", "Router Solicitation Address", "Static Route",
  "Trailer Encapsulation", "ARP Cache Timeout", "Ethernet Encapsulation", "TCP Default TTL", "TCP Keepalive Interval",
  "TCP Keepalive Garbage", "Network Information Service Domain", "Network Information Service Servers",
  "Network Time Protocol Servers", "Vendor-Specific Information", "NetBIOS over TCP/IP Name Server",
  "NetBIOS over TCP/IP Datagram Distribution Name Server", "NetBIOS over TCP/IP Node Type", "NetBIOS over TCP/IP Scope",
  "X Window System Font Server", "X Window System Display Manager", "Requested IP Address", "IP Address Lease Time",
  "Option Overload", "DHCP Message Type", "DHCP Server Identifier", "Parameter Request List", "Message",
  "Maximum DHCP Message Size", "Renewal Time Value", "Rebinding Time Value", "Vendor class identifier",
  "Client identifier", "Novell/Netware IP domain", "Novell Options", "Network Information Service+ Domain",
  "Network Information Service+ Servers", "TFTP Server Name", "Bootfile name", "Mobile IP Home Agent", "SMTP Server",
  "POP3 Server", "NNTP Server", "Default WWW Server", "Default Finger Server", "Default IRC Server", "StreetTalk Server",
  "StreetTalk Directory Assistance Server", "User Class Information", "Directory Agent Information",
  "Service Location Agent Scope", "Rapid commit", "Client Fully Qualified Domain Name", "Agent Information Option",
  "iSNS", "Removed/Unassigned", "Novell Directory Services Servers", "Novell Directory Services Tree Name",
  "Novell Directory Services Context", "BCMCS Controller Domain Name [TODO:RFC4280]",
  "BCMCS Controller IPv4 address [TODO:RFC4280]", "Authentication", "Client last transaction time",
  "Associated IP option", "Client System Architecture", "Client Network Device Interface", "LDAP [TODO:RFC3679]",
  "Removed/Unassigned", "UUID/GUID-based Client Identifier", "Open Group's User Authentication [TODO:RFC2485]",
  "Civic Addresses Configuration", "PCode", "TCode", "Removed/unassigned", "Removed/unassigned", "Removed/unassigned",
  "Removed/unassigned", "Removed/unassigned", "Removed/unassigned", "IPv6-Only Preferred", "Unassigned",
  "Removed/Unassigned", "Unassigned", "NetInfo Parent Server Address", "NetInfo Parent Server Tag",
  "DHCP Captive-Portal", "Removed/Unassigned", "DHCP Auto-Configuration", "Name Service Search",
  "Subnet Selection Option", "Domain Search", "SIP Servers", "Classless Static Route",
  "CableLabs Client Configuration [TODO:RFC3495]", "Coordinate-based Location Configuration", "V-I Vendor Class",
  "V-I Vendor-specific Information", "Removed/Unassigned", "Removed/Unassigned", "DOCSIS full security server IP [TODO]",
  ...Array<string>(7).fill("PXE - undefined (vendor specific)"),
  "PANA Authentication Agent", "LoST Server Domain Name", "CAPWAP Access Controllers", "IPv4 Address-MoS",
  "IPv4 FQDN-MoS", "SIP UA Configuration Domains", "IPv4 Address ANDSF",
  "Zerotouch Redirect [TODO: draft-ietf-netconf-zerotouch]", "Geospatial Location [TODO:RFC6225]",
  "Forcerenew Nonce Capable", "RDNSS Selection", "Unassigned", "Unassigned", "Unassigned", "TFTP Server Address",
  "Leasequery Status code", "Leasequery Base Time", "Leasequery Start Time of State", "Leasequery Query Start Time",
  "Leasequery Query End Time", "Leasequery Dhcp State", "Leasequery Data Source", "PCP Server", "Portparams",
  "Unassigned (ex DHCP Captive-Portal)", "Manufacturer Usage Description",
  ...Array<string>(13).fill("Unassigned"),
  "Etherboot", "IP Telephone", "Etherboot",
  ...Array<string>(30).fill("Unassigned"),
  "PXELINUX Magic", "PXE Configuration file", "PXE Path Prefix", "Reboot Time", "6RD", "V4 Access Domain",
  ...Array<string>(6).fill("Unassigned"),
  "Subnet Allocation", "Virtual Subnet Selection", "Unassigned", "Unassigned",
  ...Array<string>(18).fill("Private"),
  "Private/Avaya IP Telephone", ...Array<string>(6).fill("Private"), "Private/Classless Static Route (Microsoft)",
  "Private", "Private", "Private/Proxy autodiscovery", "Private", "Private", "End",
];

/** Message types (opt53_text). */
export const MESSAGE_TYPES: Readonly<Record<number, string>> = {
  1: "Discover", 2: "Offer", 3: "Request", 4: "Decline", 5: "ACK", 6: "NAK", 7: "Release", 8: "Inform",
  9: "Force Renew", 10: "Lease query", 11: "Lease Unassigned", 12: "Lease Unknown", 13: "Lease Active",
  14: "Bulk Lease Query", 15: "Lease Query Done", 16: "Active LeaseQuery", 17: "Lease Query Status", 18: "TLS",
};

export function messageTypeName(v: number): string {
  return MESSAGE_TYPES[v] ?? `Unknown Message Type (${hex2(v)})`;
}

// ──────────────────────────────────────────────────────────────── basic types

/** packet-dhcp.c's field_type. */
export type Ftype =
  | "special" | "none" | "presence" | "ipv4" | "ipv4_list" | "string" | "bytes" | "opaque" | "bool" | "u8" | "u16"
  | "u16_list" | "u16le" | "u32" | "time_s" | "time_u";

/** The fields a decoder falls back to when a (sub)option has none of its own (basic_types_hfs). */
export interface BasicDefaults {
  bytes?: Field;
  ipv4?: Field;
  ipv4List?: Field;
  string?: Field;
  bool?: Field;
  u8?: Field;
  u16?: Field;
  u16List?: Field;
  u32?: Field;
  timeS?: Field;
  timeU?: Field;
}

function addStringField(t: Item, f: Field, tvb: Tvb, o: number, len: number): Item {
  return addTyped(t, f, tvb, o, len, !FT_STRING_FIELDS.has(f.abbrev));
}

/**
 * dhcp_handle_basic_types: `tree` gets the items (and, for one address, its text),
 * `item` the length complaints. Returns the bytes used (0 = nothing decoded).
 */
export function basicTypes(
  tree: Item, item: Item, tvb: Tvb, ftype: Ftype, o: number, len: number, hf: Field | null, d: BasicDefaults,
): number {
  let consumed = 0;
  switch (ftype) {
    case "bytes": {
      const f = hf ?? d.bytes;
      if (f !== undefined) addTyped(tree, f, tvb, o, len, true);
      return len;
    }
    case "ipv4": {
      if (len !== 4) {
        badLength(item, "length isn't 4");
        return 0;
      }
      const f = hf ?? d.ipv4;
      tvb.ensure(o, 4);
      if (f !== undefined) addIpv4(tree, f, tvb, o);
      if (tree.tree.full) tree.appendText(` (${ipv4ToString(tvb.u32(o))})`);
      return 4;
    }
    case "ipv4_list": {
      const f = hf ?? d.ipv4List;
      for (let i = o, left = len; left > 0; i += 4, left -= 4) {
        if (left < 4) {
          badLength(item, "Option length isn't a multiple of 4");
          break;
        }
        tvb.ensure(i, 4);
        if (f !== undefined) addIpv4(tree, f, tvb, i);
        consumed += 4;
      }
      return consumed;
    }
    case "string": {
      const f = hf ?? d.string;
      if (f !== undefined) addStringField(tree, f, tvb, o, len);
      return len;
    }
    case "bool": case "u8": {
      if (len !== 1) {
        badLength(item, "length isn't 1");
        return 0;
      }
      const f = hf ?? (ftype === "bool" ? d.bool : d.u8);
      if (f !== undefined) {
        const v = tvb.u8(o);
        tree.add(f, tvb, o, 1, f.type === "bool" ? v !== 0 : v);
      }
      return 1;
    }
    case "u16": case "u16le": {
      if (len !== 2) {
        badLength(item, "length isn't 2");
        return 0;
      }
      const f = hf ?? d.u16;
      if (f !== undefined) addU16(tree, f, tvb, o, ftype === "u16le");
      return 2;
    }
    case "u16_list": {
      const f = hf ?? d.u16List;
      for (let i = o, left = len; left > 0; i += 2, left -= 2) {
        if (left < 2) {
          badLength(item, "Option length isn't a multiple of 2");
          break;
        }
        tvb.ensure(i, 2);
        if (f !== undefined) addU16(tree, f, tvb, i);
        consumed += 2;
      }
      return consumed;
    }
    case "u32": {
      if (len !== 4) {
        badLength(item, "length isn't 4");
        return 0;
      }
      const f = hf ?? d.u32;
      if (f !== undefined) addU32(tree, f, tvb, o);
      return 4;
    }
    case "time_s": {
      if (len !== 4) {
        badLength(item, "length isn't 4");
        return 0;
      }
      const v = tvb.u32(o) | 0;
      if (hf !== null) tree.add(hf, tvb, o, 4, v, `(${v}s) ${signedTimeSecsToStr(v)}`);
      else if (d.timeS !== undefined) tree.add(d.timeS, tvb, o, 4, v);
      return 4;
    }
    case "time_u": {
      if (len !== 4) {
        badLength(item, "length isn't 4");
        return 0;
      }
      const v = tvb.u32(o);
      if (hf !== null) tree.add(hf, tvb, o, 4, v, `(${v}s) ${v === 0xffffffff ? "infinity" : timeSecsToStr(v)}`);
      else if (d.timeU !== undefined) tree.add(d.timeU, tvb, o, 4, v);
      return 4;
    }
    default:
      return 0;
  }
}

/** The basic options: code → [type, field key]. */
export const BASIC: Readonly<Record<number, readonly [Ftype, keyof DhcpF]>> = {
  1: ["ipv4", "option_subnet_mask"], 2: ["time_s", "option_time_offset"], 3: ["ipv4_list", "option_router"],
  4: ["ipv4_list", "option_time_server"], 5: ["ipv4_list", "option_name_server"],
  6: ["ipv4_list", "option_domain_name_server"], 7: ["ipv4_list", "option_log_server"],
  8: ["ipv4_list", "option_quotes_server"], 9: ["ipv4_list", "option_lpr_server"],
  10: ["ipv4_list", "option_impress_server"], 11: ["ipv4_list", "option_resource_location_server"],
  12: ["string", "option_hostname"], 13: ["u16", "option_boot_file_size"], 14: ["string", "option_merit_dump_file"],
  15: ["string", "option_domain_name"], 16: ["ipv4", "option_swap_server"], 17: ["string", "option_root_path"],
  18: ["string", "option_extension_path"], 19: ["bool", "option_ip_forwarding"],
  20: ["bool", "option_non_local_source_routing"], 22: ["u16", "option_max_datagram_reassembly_size"],
  23: ["u8", "option_default_ip_ttl"], 24: ["time_u", "option_path_mtu_aging_timeout"],
  25: ["u16_list", "option_path_mtu_plateau_table_item"], 26: ["u16", "option_interface_mtu"],
  27: ["bool", "option_all_subnets_are_local"], 28: ["ipv4", "option_broadcast_address"],
  29: ["bool", "option_perform_mask_discovery"], 30: ["bool", "option_mask_supplier"],
  31: ["bool", "option_perform_router_discover"], 32: ["ipv4", "option_router_solicitation_address"],
  34: ["bool", "option_trailer_encapsulation"], 35: ["time_u", "option_arp_cache_timeout"],
  36: ["bool", "option_ethernet_encapsulation"], 37: ["u8", "option_tcp_default_ttl"],
  38: ["time_u", "option_tcp_keepalive_interval"], 39: ["bool", "option_tcp_keepalive_garbage"],
  40: ["string", "option_nis_domain"], 41: ["ipv4_list", "option_nis_server"], 42: ["ipv4_list", "option_ntp_server"],
  44: ["ipv4_list", "option_netbios_over_tcpip_name_server"],
  45: ["ipv4_list", "option_netbios_over_tcpip_dd_name_server"], 46: ["u8", "option_netbios_over_tcpip_node_type"],
  47: ["string", "option_netbios_over_tcpip_scope"], 48: ["ipv4_list", "option_xwindows_system_font_server"],
  49: ["ipv4_list", "option_xwindows_system_display_manager"], 50: ["ipv4", "option_requested_ip_address"],
  51: ["time_u", "option_ip_address_lease_time"], 54: ["ipv4", "option_dhcp_server_id"],
  56: ["string", "option_message"], 57: ["u16", "option_dhcp_max_message_size"],
  58: ["time_u", "option_renewal_time_value"], 59: ["time_u", "option_rebinding_time_value"],
  64: ["string", "option_nis_plus_domain"], 65: ["ipv4_list", "option_nis_plus_server"],
  66: ["string", "option_tftp_server_name"], 67: ["string", "option_bootfile_name"],
  68: ["ipv4_list", "option_mobile_ip_home_agent"], 69: ["ipv4_list", "option_smtp_server"],
  70: ["ipv4_list", "option_pop3_server"], 71: ["ipv4_list", "option_nntp_server"],
  72: ["ipv4_list", "option_default_www_server"], 73: ["ipv4_list", "option_default_finger_server"],
  74: ["ipv4_list", "option_default_irc_server"], 75: ["ipv4_list", "option_streettalk_server"],
  76: ["ipv4_list", "option_streettalk_da_server"], 86: ["string", "option_novell_ds_tree_name"],
  87: ["string", "option_novell_ds_context"], 91: ["time_u", "option_client_last_transaction_time"],
  92: ["ipv4_list", "option_associated_ip_option"], 100: ["string", "option_tz_pcode"],
  101: ["string", "option_tz_tcode"], 112: ["ipv4_list", "option_netinfo_parent_server_address"],
  113: ["string", "option_netinfo_parent_server_tag"], 116: ["u8", "option_dhcp_auto_configuration"],
  118: ["ipv4_list", "option_subnet_selection_option"], 136: ["ipv4_list", "option_pana_agent"],
  137: ["string", "option_lost_server_domain_name"], 138: ["ipv4_list", "option_capwap_access_controller"],
  142: ["ipv4_list", "option_andsf_server"], 150: ["ipv4_list", "option_tftp_server_address"],
  153: ["time_u", "option_bulk_lease_start_time_of_state"], 156: ["u8", "option_bulk_lease_dhcp_state"],
  157: ["bool", "option_bulk_lease_data_source"], 161: ["string", "option_mudurl"],
  209: ["string", "option_pxe_config_file"], 210: ["string", "option_pxe_path_prefix"],
  252: ["string", "option_private_proxy_autodiscovery"],
};

export function basicHandler(type: Ftype, key: keyof DhcpF): OptHandler {
  return (c) => basicTypes(c.t, c.t, c.tvb, type, 0, c.tvb.reportedLength, c.st.f[key], {});
}

// ──────────────────────────────────────────────────────────────── enterprise numbers

let enterprises: Map<number, string> | null = null;

/** The IANA name of a private enterprise number ("Unknown" without Wireshark's data file). */
export function enterpriseName(n: number): string {
  if (enterprises === null) {
    enterprises = new Map();
    try {
      for (const line of readFileSync("/usr/share/wireshark/enterprises.tsv", "utf8").split("\n")) {
        if (line === "" || line[0] === "#") continue;
        const tab = line.indexOf("\t");
        if (tab < 0) continue;
        const rest = line.slice(tab + 1);
        const tab2 = rest.indexOf("\t");
        enterprises.set(Number(line.slice(0, tab)), (tab2 < 0 ? rest : rest.slice(0, tab2)).trim());
      }
    } catch {
      // no data file: no names
    }
  }
  return enterprises.get(n) ?? "Unknown";
}

/** An enterprise number (BASE_CUSTOM): "Name (n)" from Wireshark's enterprises file. */
export function enterpriseItem(t: Item, f: Field, tvb: Tvb, o: number): Item {
  const v = tvb.u32(o);
  return t.add(f, tvb, o, 4, v, t.tree.full ? `${enterpriseName(v)} (${v})` : undefined);
}
