/**
 * DHCP options (RFC 2132 and successors) as tshark 4.0 decodes them: the option names,
 * the "basic" options decoded by type (addresses, lists, strings, flags, times), and the
 * options with decoders of their own. Each decoder returns what packet-dhcp.c's returns
 * (the option's captured length, 1 after a length complaint, 0 when the basic decoder
 * gave up), which decides whether the option's raw Value is shown.
 */
import { signedTimeSecsToStr, timeSecsToStr } from "../src/core/time.js";
import type { Field } from "../src/core/field.js";
import { ipv4ToString } from "../src/core/format.js";
import { labelBytes } from "../src/core/label.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, Tvb } from "../src/core/tvb.js";
import { FT_STRING_FIELDS } from "./dhcp-fields.js";
import {
  addBytes, addEther, addIpv4, addItem, addString, addSubtree, addTyped, addU16, addU32, addU8, arphrdAddr,
  badLength, guidText, hex2, note, strayNote, type DhcpF, type DhcpState, type LongOption,
  type OptCtx, type OptHandler,
} from "./dhcp-util.js";
import { readName } from "./dns-rr-names.js";
import { agentInfo, enterpriseName, vendorClassHeuristics, vendorInfo, viVendorInfo } from "./dhcp-vendor.js";
import { cableLabsCcc, coordinateLocation } from "./dhcp-cablelabs.js";
import { avaya } from "./dhcp-avaya.js";

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
const BASIC: Readonly<Record<number, readonly [Ftype, keyof DhcpF]>> = {
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

function basicHandler(type: Ftype, key: keyof DhcpF): OptHandler {
  return (c) => basicTypes(c.t, c.t, c.tvb, type, 0, c.tvb.reportedLength, c.st.f[key], {});
}

// ──────────────────────────────────────────────────────────────── special options

/** 21 (Policy Filter) and 33 (Static Route): address pairs. */
function addressPairs(first: keyof DhcpF, second: keyof DhcpF): OptHandler {
  return (c) => {
    const { tvb, t, st } = c;
    let o = 0;
    while (tvb.reportedRemainingFrom(o) >= 8) {
      addItem(t, st.f[first], tvb, o, 4, tvb.u32(o));
      addItem(t, st.f[second], tvb, o + 4, 4, tvb.u32(o + 4));
      o += 8;
    }
    if (tvb.reportedRemainingFrom(o) > 0) badLength(t, "Option length isn't a multiple of 8");
    return tvb.length;
  };
}

/** 52: Option Overload; the options in the sname and file fields are decoded here. */
function optionOverload(c: OptCtx): number {
  const { tvb, t, st } = c;
  if (tvb.reportedLength < 1) {
    badLength(t, "length isn't >= 1");
    return 1;
  }
  const v = tvb.u8(0);
  t.add(st.f.option_option_overload, tvb, 0, 1, v);
  if (st.overload >= 1 && st.overload <= 3) {
    if (v & 2) overloadField(st, t, 44, 64, "Server host name option overload", "dhcp.option.option_overload.sname_end_missing", "sname overload end option missing");
    if (v & 1) overloadField(st, t, 108, 128, "Boot file name option overload", "dhcp.option.option_overload.file_end_missing", "file overload end option missing");
    st.overload = 0;
  }
  return tvb.length;
}

function overloadField(st: DhcpState, t: Item, off: number, len: number, text: string, abbrev: string, message: string): void {
  const sub = addSubtree(t, st.tvb, off, len, text);
  let o = off;
  const end = off + len;
  const atEnd = { v: false };
  st.search119.index = 0;
  st.sip120.index = 0;
  const saved = st.overload;
  st.overload = 0;
  while (o < end && !atEnd.v) o += dhcpOption(st, sub, o, end, atEnd);
  st.overload = saved;
  if (!atEnd.v) note(sub, "error", abbrev, message);
}

/** 53: DHCP Message Type, also named on the option and the protocol item. */
function messageType(c: OptCtx): number {
  const { tvb, t, st } = c;
  const v = tvb.u8(0);
  t.add(st.f.option_dhcp, tvb, 0, 1, v);
  if (t.tree.full) {
    const name = messageTypeName(v);
    t.appendText(` (${name})`);
    c.parent.appendText(` (${name})`);
  }
  return tvb.length;
}

/** 55: Parameter Request List. */
function paramRequestList(c: OptCtx): number {
  const { tvb, t, st } = c;
  for (let o = 0; tvb.reportedRemainingFrom(o) > 0; o++) {
    const b = tvb.u8(o);
    t.add(st.f.option_request_list_item, tvb, o, 1, b, t.tree.full ? `(${b}) ${OPTION_NAMES[b]}` : undefined);
  }
  return tvb.length;
}

/** 60: Vendor class identifier (then the vendor-id heuristics). */
function vendorClassId(c: OptCtx): number {
  addString(c.t, c.st.f.option_vendor_class_id, c.tvb, 0, c.tvb.reportedLength, true);
  vendorClassHeuristics(c);
  return c.tvb.length;
}

/** Byte order of the UUIDs in options 61 and 97 (tshark's dhcp.uuid.endian: little). */
const UUID_LE = true;

/** 61 (Client identifier) and 97 (UUID/GUID-based Client Identifier). */
function clientIdentifier(c: OptCtx, duid: boolean): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const length = tvb.reportedLength;
  const b = length > 0 ? tvb.u8(0) : 0;
  if (length === 7 && b > 0 && b < 48) {
    addU8(t, f.hw_type, tvb, 0);
    if (b === 1 || b === 6) addEther(t, f.hw_mac_addr, tvb, 1);
    else t.add(f.client_hardware_address, tvb, 1, 6, arphrdAddr(tvb, 1, 6, b));
  } else if (length === 17 && b === 0) {
    addItem(t, f.client_id_uuid, tvb, 1, 16, guidText(tvb.bytes(1, 16), UUID_LE));
  } else if (duid && b === 255) {
    t.add(f.client_id_iaid, tvb, 1, 4, arphrdAddr(tvb, 1, 4, 255));
    const o = 5;
    const duidType = tvb.u16(o);
    addU16(t, f.client_id_duid_type, tvb, o);
    switch (duidType) {
      case 1:
        if (length < 8) {
          note(t, "error", "dhcp.malformed.duid", "DUID: malformed option");
          break;
        }
        {
          const hw = tvb.u16(o + 2);
          addU16(t, f.client_id_duid_llt_hw_type, tvb, o + 2);
          addU32(t, f.client_id_time, tvb, o + 4);
          if (length > 8) stringOver(t, f.client_id_link_layer_address, tvb, o + 8, length - 13, hw);
        }
        break;
      case 2:
        if (length < 6) {
          note(t, "error", "dhcp.malformed.duid", "DUID: malformed option");
          break;
        }
        enterpriseItem(t, f.client_id_enterprise_num, tvb, o + 2);
        if (length > 6) addBytesLen(t, f.client_id, tvb, o + 6, length - 11);
        break;
      case 3:
        if (length < 4) {
          note(t, "error", "dhcp.malformed.duid", "DUID: malformed option");
          break;
        }
        {
          const hw = tvb.u16(o + 2);
          addU16(t, f.client_id_duid_ll_hw_type, tvb, o + 2);
          if (length > 4) stringOver(t, f.client_id_link_layer_address, tvb, o + 4, length - 9, hw);
        }
        break;
    }
  } else if (duid && b === 0 && length > 1) {
    addU8(t, f.client_id_type, tvb, 0);
    addString(t, f.client_id_undef, tvb, 1, length - 1, false);
  }
  return tvb.length;
}

/** proto_tree_add_string of an address text over `len` bytes (len may be past the option: tshark's arithmetic). */
function stringOver(t: Item, f: Field, tvb: Tvb, o: number, len: number, hwType: number): void {
  if (len < 0) throw new BoundsError(false);
  const s = arphrdAddr(tvb, o, len, hwType);
  addItem(t, f, tvb, o, len, s);
}

function addBytesLen(t: Item, f: Field, tvb: Tvb, o: number, len: number): void {
  if (len < 0) throw new BoundsError(false);
  addBytes(t, f, tvb, o, len);
}

/** An enterprise number (BASE_CUSTOM): "Name (n)" from Wireshark's enterprises file. */
export function enterpriseItem(t: Item, f: Field, tvb: Tvb, o: number): Item {
  const v = tvb.u32(o);
  return t.add(f, tvb, o, 4, v, t.tree.full ? `${enterpriseName(v)} (${v})` : undefined);
}

/** 63: Novell Options (NetWare/IP suboptions). */
const O63: readonly (readonly [Ftype, keyof DhcpF | null])[] = [
  ["none", null], ["presence", null], ["presence", null], ["presence", null], ["presence", null],
  ["bool", "option_novell_options_broadcast"], ["ipv4_list", "option_novell_options_preferred_dss_server"],
  ["ipv4_list", "option_novell_options_nearest_nwip_server"], ["u8", "option_novell_options_autoretries"],
  ["u8", "option_novell_options_autoretry_delay"], ["bool", "option_novell_options_support_netware_v1_1"],
  ["ipv4", "option_novell_options_primary_dss"],
];

function netwareIp(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const end = tvb.reportedLength;
  const d: BasicDefaults = {
    ipv4: f.option_novell_options_value_address, ipv4List: f.option_novell_options_value_address,
    bool: f.option_novell_options_value_bool, u8: f.option_novell_options_value_uint,
  };
  let o = 0;
  while (tvb.reportedRemainingFrom(o) > 0) {
    const sub = tvb.u8(o);
    if (o + 1 >= end) {
      note(t, "error", "dhcp.missing_subopt_length", `Suboption ${sub}: no room left in option for suboption length`);
      break;
    }
    const len = tvb.u8(o + 1);
    const vti = t.add(f.option_novell_options_suboption, tvb, o, len + 2, sub, t.tree.full ? `(${sub}) ${f.option_novell_options_suboption.strings![sub] ?? "Unknown"}` : undefined);
    addU8(vti, f.option_suboption_length, tvb, o + 1);
    const vi = addBytes(vti, f.option_novell_options_value, tvb, o + 2, len);
    if (vi !== vi.tree.sink) vi.hidden = true;
    if (sub < O63.length) {
      const [ftype, key] = O63[sub];
      if (basicTypes(vti, vti, tvb, ftype, o + 2, len, key === null ? null : f[key], d) === 0) {
        if (ftype === "presence") {
          if (len !== 0) badLength(vti, "length isn't 0");
        } else if (key === null) addBytes(vti, f.option_novell_options_value, tvb, o + 2, len);
      }
    }
    o += len + 2;
  }
  return tvb.length;
}

/** 77: User Class Information (RFC 3004, and the non-standard single-string form). */
function userClass(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  let uciLen = tvb.reportedLength;
  if (uciLen < 2) {
    badLength(t, "length isn't >= 2");
    return 1;
  }
  let o = 0;
  let idx = 0;
  while (tvb.reportedRemainingFrom(o) > 0) {
    const classLen = tvb.u8(o);
    if (classLen >= uciLen) {
      const it = addString(t, f.option_user_class_text, tvb, o, uciLen, false);
      note(it, "note", "dhcp.option.nonstd_data", "Non standard compliant option data");
      break;
    }
    const inst = t.add(f.option_user_class, tvb, o, 1, idx, `[${idx}]`);
    const li = inst.add(f.option_user_class_length, tvb, o, 1, classLen);
    inst.setLen(classLen + 1);
    o++;
    if (classLen === 0) {
      badLength(li, `UC_Len_${idx} isn't >= 1 (UC_Len_${idx} = 0)`);
      break;
    }
    addBytes(inst, f.option_user_class_data, tvb, o, classLen);
    o += classLen;
    uciLen -= classLen + 1;
    idx = (idx + 1) & 0xff;
  }
  return tvb.length;
}

/** 78: SLP Directory Agent. */
function slpDirectoryAgent(c: OptCtx): number {
  const { tvb, t, st } = c;
  if (tvb.reportedLength < 1) {
    badLength(t, "length isn't >= 1");
    return 1;
  }
  const v = tvb.u8(0);
  t.add(st.f.option_slp_directory_agent_value, tvb, 0, 1, v);
  let o = 1;
  if (v === 0x80) {
    if (tvb.reportedRemainingFrom(o) === 0) return o;
    o++;
  }
  while (tvb.reportedRemainingFrom(o) >= 4) {
    addItem(t, st.f.option_slp_directory_agent_slpda_address, tvb, o, 4, tvb.u32(o));
    o += 4;
  }
  if (tvb.reportedRemainingFrom(o) > 0) badLength(t, "Option length isn't a multiple of 4");
  return tvb.length;
}

/** 79: SLP Service Scope. */
function slpServiceScope(c: OptCtx): number {
  const { tvb, t, st } = c;
  addU8(t, st.f.option_slp_service_scope_value, tvb, 0);
  addString(t, st.f.option_slp_service_scope_string, tvb, 1, tvb.reportedRemainingFrom(1), true);
  return tvb.length;
}

/** 81: Client FQDN. */
function clientFqdn(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const length = tvb.reportedLength;
  if (length < 3) {
    badLength(t, "length isn't >= 3");
    return 1;
  }
  const flags = tvb.u8(0);
  t.addBitmask(f.fqdn_flags, tvb, 0, 1, flags, [f.fqdn_mbz, f.fqdn_n, f.fqdn_e, f.fqdn_o, f.fqdn_s]);
  addU8(t, f.fqdn_rcode1, tvb, 1);
  addU8(t, f.fqdn_rcode2, tvb, 2);
  if (length > 3) {
    if (flags & 4) {
      const n = readName(tvb, 3, 3, length - 3);
      t.add(f.fqdn_name, tvb, 3, length - 3, n.text);
    } else addString(t, f.fqdn_name, tvb, 3, length - 3, false);
  }
  return tvb.length;
}

/** 85: Novell Directory Services Servers (addresses; tshark's "as string" preference is off). */
function novellServers(c: OptCtx): number {
  const { tvb, t, st } = c;
  let o = 0;
  while (tvb.reportedRemainingFrom(o) >= 4) {
    addItem(t, st.f.option_novell_dss_ip, tvb, o, 4, tvb.u32(o));
    o += 4;
  }
  if (tvb.reportedRemainingFrom(o) > 0) badLength(t, "Option length isn't a multiple of 4");
  return tvb.length;
}

/** 90: Authentication (RFC 3118). */
function authentication(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  if (tvb.reportedLength < 11) {
    badLength(t, "length isn't >= 11");
    return 1;
  }
  const protocol = tvb.u8(0);
  t.add(f.option_dhcp_authentication_protocol, tvb, 0, 1, protocol);
  const algorithm = tvb.u8(1);
  if (protocol === 1) addU8(t, f.option_dhcp_authentication_alg_delay, tvb, 1);
  else addU8(t, f.option_dhcp_authentication_algorithm, tvb, 1);
  const rdm = tvb.u8(2);
  t.add(f.option_dhcp_authentication_rdm, tvb, 2, 1, rdm);
  if (rdm === 0) t.add(f.option_dhcp_authentication_rdm_replay_detection, tvb, 3, 8, tvb.u64(3));
  else addString(t, f.option_dhcp_authentication_rdm_rdv, tvb, 3, 8, true);
  let o = 11;
  const info = () => {
    if (tvb.reportedRemainingFrom(o) === 0) return;
    addString(t, f.option_dhcp_authentication_information, tvb, o, tvb.reportedRemainingFrom(o), true);
  };
  if (protocol === 1) {
    if (algorithm === 1) {
      if (st.dhcpType === "Discover") return tvb.length;
      if (tvb.reportedRemainingFrom(o) < 20) {
        badLength(t, "length isn't >= 20");
        return tvb.length;
      }
      addU32(t, f.option_dhcp_authentication_secret_id, tvb, o);
      o += 4;
      addBytes(t, f.option_dhcp_authentication_hmac_md5_hash, tvb, o, 16);
    } else info();
  } else info();
  return tvb.length;
}

/** 93: Client System Architecture. */
function clientArchitecture(c: OptCtx): number {
  const { tvb, t, st } = c;
  let o = 0;
  while (tvb.reportedRemainingFrom(o) > 1) {
    const id = tvb.u16(o);
    const it = t.add(st.f.option_client_system_architecture, tvb, o, 2, id);
    o += 2;
    if (id === 9) note(it, "warn", "dhcp.option.client_architecture.ambiguous", "Client Architecture ID 9 is often incorrectly used for EFI x64");
  }
  if (tvb.reportedRemainingFrom(o) > 0) badLength(t, "Option length isn't a multiple of 2");
  return tvb.length;
}

/** 94: Client Network Device Interface. */
function clientNdi(c: OptCtx): number {
  const { tvb, t, st } = c;
  const type = tvb.u8(0);
  if (type === 1) {
    addU8(t, st.f.client_network_id_major, tvb, 1);
    addU8(t, st.f.client_network_id_minor, tvb, 2);
  }
  return tvb.length;
}

/** 99: Civic Addresses Configuration (RFC 4776). */
function civicLocation(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  if (tvb.reportedLength >= 3) {
    addU8(t, f.option_civic_location_what, tvb, 0);
    addString(t, f.option_civic_location_country, tvb, 1, 2, true);
    let o = 3;
    while (tvb.reportedRemainingFrom(o) >= 2) {
      addU8(t, f.option_civic_location_ca_type, tvb, o);
      o++;
      const len = tvb.u8(o);
      t.add(f.option_civic_location_ca_length, tvb, o, 1, len);
      o++;
      if (len === 0) continue;
      if (tvb.reportedRemainingFrom(o) >= len) {
        addString(t, f.option_civic_location_ca_value, tvb, o, len, true);
        o += len;
      } else {
        note(t, "error", "dhcp.option.civic_location.bad_cattype", "Error with CAType");
        break;
      }
    }
  }
  return tvb.length;
}

/** 114 and 160: captive portal URI. */
function captivePortal(c: OptCtx): number {
  addString(c.t, c.st.f.option_captive_portal, c.tvb, 0, c.tvb.reportedLength, false);
  return c.tvb.length;
}

/** 117: Name Service Search (RFC 2937). */
const NAME_SERVICES: Readonly<Record<number, string>> = {
  0: "Local naming information (e.g., an /etc/hosts file on a UNIX machine) (0)",
  6: "Domain Name Server Option (6)",
  41: "Network Information Servers Option (41)",
  44: "NetBIOS over TCP/IP Name Server Option (44)",
  65: "Network Information Service+ Servers Option (65)",
};

function nameServiceSearch(c: OptCtx): number {
  const { tvb, t, st } = c;
  const length = tvb.reportedLength;
  if (length < 2) {
    badLength(t, "length isn't >= 2");
    return 1;
  } else if (length & 1) {
    badLength(t, `length (${length}) isn't even number`);
    return 1;
  }
  for (let o = 0; tvb.reportedRemainingFrom(o) > 0; o += 2) {
    const ns = tvb.u16(o);
    const s = NAME_SERVICES[ns];
    if (s !== undefined) addItem(t, st.f.option_dhcp_name_service_search_option, tvb, o, 2, s);
    else note(t, "error", "dhcp.option.dhcp_name_service.invalid", `Invalid Name Service (${ns}). RFC 2937 defines only 0, 6, 41, 44, and 65 as possible values.`);
  }
  return tvb.length;
}

/** Concatenated RFC 3396 pieces, as a tvb of their own. */
function compositeTvb(parts: Uint8Array[]): Tvb {
  let n = 0;
  for (const p of parts) n += p.length;
  const b = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    b.set(p, o);
    o += p.length;
  }
  return Tvb.of(b, "Composite");
}

/** Start of an RFC 3396 option: counts pieces, notes the split, keeps the bytes. Returns the whole value once the last piece is in. */
function longOptionPiece(lo: LongOption, c: OptCtx, detected: keyof DhcpF, referLast: keyof DhcpF): Tvb | null {
  const { tvb, t, st } = c;
  const length = tvb.reportedLength;
  lo.index++;
  if (lo.total > 1) {
    addItem(t, st.f[detected], tvb, 0, length, `${lo.index}/${lo.total}`);
    if (lo.index !== lo.total) addItem(t, st.f[referLast], tvb, 0, length, `${lo.total}/${lo.total}`);
  }
  if (lo.parts === null && length) lo.parts = [];
  if (length) {
    tvb.ensure(0, length);
    lo.parts!.push(tvb.bytes(0, length));
  }
  if (lo.index === lo.total && lo.parts !== null) {
    const whole = compositeTvb(lo.parts);
    lo.parts = null;
    return whole;
  }
  return null;
}

/** 119: Domain Search (RFC 3397), possibly split over several options (RFC 3396). */
function domainSearch(c: OptCtx): number {
  const { tvb, t, st } = c;
  const lo = st.search119;
  const whole = longOptionPiece(lo, c, "option_dhcp_dns_domain_search_list_rfc_3396_detected", "option_dhcp_dns_domain_search_list_refer_last_option");
  if (whole !== null) {
    let o = 0;
    const n = whole.reportedLength;
    while (o < n) {
      const name = readName(whole, o, 0, n);
      if (lo.total === 1) t.add(st.f.option_dhcp_dns_domain_search_list_fqdn, tvb, o, name.used, name.text);
      else t.add(st.f.option_dhcp_dns_domain_search_list_fqdn, tvb, 0, 0, name.text);
      o += name.used;
    }
  }
  return tvb.length;
}

/** 120: SIP Servers (RFC 3361), possibly split over several options (RFC 3396). */
function sipServers(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const lo = st.sip120;
  const whole = longOptionPiece(lo, c, "option_sip_server_rfc_3396_detected", "option_sip_server_refer_last_option");
  if (whole === null) return tvb.length;
  const enc = whole.u8(0);
  const single = lo.total === 1;
  t.add(f.option_sip_server_encoding, tvb, 0, single ? 1 : 0, enc);
  const n = whole.reportedLength;
  let o = 1;
  switch (enc) {
    case 0:
      if (n < 3) {
        badLength(t, `length isn't >= 3 (len = ${n})`);
        break;
      }
      while (o < n) {
        const name = readName(whole, o, 1, n);
        if (single) t.add(f.option_sip_server_name, tvb, o, name.used, name.text);
        else t.add(f.option_sip_server_name, tvb, 0, 0, name.text);
        o += name.used;
      }
      break;
    case 1:
      if (n < 5) {
        badLength(t, `length isn't >= 5 (len = ${n})`);
        break;
      }
      if ((n - 1) & 3) {
        badLength(t, single
          ? `length isn't a multiple of 4 plus 1 (len = ${n}).`
          : `length isn't a multiple of 4 plus 1 (len = ${n}). For your information with RFC 3396, the length is the length sum of all options 120 into this BOOTP packet.`);
        break;
      }
      for (; o < n; o += 4) {
        if (single) addItem(t, f.option_sip_server_address, tvb, o, 4, whole.u32(o));
        else t.add(f.option_sip_server_address, tvb, 0, 0, whole.u32(o));
      }
      break;
    default:
      note(t, "error", "dhcp.option.sip_server_address.encoding", `RFC 3361 defines only 0 and 1 for Encoding byte (Encoding = ${enc}).`);
  }
  return tvb.length;
}

/** 121 and 249: Classless Static Route (RFC 3442). */
function classlessStaticRoute(c: OptCtx): number {
  const { tvb, t, st } = c;
  if (tvb.reportedLength < 5) {
    badLength(t, "length isn't >= 5");
    return 1;
  }
  let o = 0;
  while (tvb.reportedRemainingFrom(o) > 0) {
    const width = tvb.u8(o);
    if (width > 32) {
      note(t, "error", "dhcp.option.classless_static.route", `Mask width (${width}) > 32`);
      break;
    }
    const sig = (width + 7) >> 3;
    tvb.ensure(o, 1 + sig + 4);
    const ri = t.add(st.f.option_classless_static_route, tvb, o, 1 + sig + 4, tvb.bytes(o, 1 + sig + 4));
    o++;
    if (tvb.reportedRemainingFrom(o + sig + 4) < 0) {
      badLength(ri, `Remaining length (${tvb.reportedRemainingFrom(o)}) < ${sig + 4} bytes`);
      break;
    }
    let text = " ";
    if (width === 0) text += "default";
    else {
      const parts: number[] = [];
      for (let i = 0; i < sig; i++) parts.push(tvb.u8(o++));
      for (let i = sig; i < 4; i++) parts.push(0);
      text += `${parts.join(".")}/${width}`;
    }
    text += `-${ipv4ToString(tvb.u32(o))}`;
    ri.setText(text);
    o += 4;
  }
  return tvb.length;
}

/** 124: V-I Vendor Class (RFC 3925). */
function viVendorClass(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  if (tvb.reportedLength === 1) {
    addU8(t, f.option_vi_class_cl_address_mode, tvb, 0);
    return 1;
  }
  let o = 0;
  while (tvb.reportedRemainingFrom(o) >= 5) {
    enterpriseItem(t, f.option_vi_class_enterprise, tvb, o);
    o += 4;
    const len = tvb.u8(o);
    t.add(f.option_vi_class_length, tvb, o, 1, len);
    o++;
    addString(t, f.option_vi_class_data, tvb, o, len, true);
    o += len;
  }
  if (tvb.reportedRemainingFrom(o) > 0) badLength(t, "length < 5");
  return tvb.length;
}

/** 145: Forcerenew Nonce Capable. */
function forcerenewNonce(c: OptCtx): number {
  const { tvb, t, st } = c;
  for (let o = 0; tvb.reportedRemainingFrom(o) > 0; o++) addU8(t, st.f.option_forcerenew_nonce_algorithm, tvb, o);
  return tvb.length;
}

/** 146: RDNSS Selection (RFC 6731). */
function rdnss(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  if (tvb.reportedLength < 10) {
    badLength(t, "length must be >= 10");
    return 1;
  }
  const b = tvb.u8(0);
  t.add(f.option_rdnss_reserved, tvb, 0, 1, (b & 0xfc) >> 2);
  t.add(f.option_rdnss_preference, tvb, 0, 1, b & 3);
  addIpv4(t, f.option_rdnss_primary_dns, tvb, 1);
  addIpv4(t, f.option_rdnss_secondary_dns, tvb, 5);
  const rest = tvb.reportedRemainingFrom(9);
  const n = readName(tvb, 9, 9, rest);
  t.add(f.option_rdnss_domain, tvb, 9, rest, n.text);
  return tvb.length;
}

/** 151: Leasequery Status Code. */
function bulkLeaseStatus(c: OptCtx): number {
  const { tvb, t, st } = c;
  if (tvb.reportedLength < 1) {
    badLength(t, "length must >= 1");
    return 1;
  }
  addU8(t, st.f.option_bulk_lease_status_code, tvb, 0);
  const rest = tvb.reportedRemainingFrom(1);
  if (rest > 0) {
    tvb.ensure(1, rest);
    const b = tvb.bytes(1, rest);
    const z = b.indexOf(0);
    const it = t.add(st.f.option_bulk_lease_status_code_message, tvb, 1, rest, new TextDecoder().decode(z < 0 ? b : b.subarray(0, z)),
      labelBytes(b, 0, z < 0 ? rest : z));
    strayNote(it, st.f.option_bulk_lease_status_code_message, b, true);
  }
  return tvb.length;
}

/** 152, 154, 155: NTP-era timestamps (seconds since 1900). */
function ntpTime(key: keyof DhcpF): OptHandler {
  return (c) => {
    const { tvb, t, st } = c;
    if (tvb.reportedLength !== 4) {
      badLength(t, "length must be 4");
      return 1;
    }
    const v = tvb.u32(0);
    // ENC_TIME_SECS_NTP: seconds since 1900, or since 2036 when the top bit is clear (RFC 2030)
    const s = (v & 0x80000000) !== 0 ? v - 2208988800 : v + 2085978496;
    t.add(st.f[key], tvb, 0, 4, { s, ns: 0 });
    return tvb.length;
  };
}

/** 158: PCP Server (RFC 7291). */
function pcpServer(c: OptCtx): number {
  const { tvb, t, st } = c;
  if (tvb.reportedLength < 5) {
    badLength(t, "length must >= 5");
    return 1;
  }
  let o = 0;
  while (tvb.reportedRemainingFrom(o) >= 5) {
    const listLen = tvb.u8(o);
    const sub = addSubtree(t, tvb, o, listLen, "PCP server list");
    addU8(sub, st.f.option_pcp_list_length, tvb, o);
    o++;
    let ipLen = 1;
    while ((listLen - 1) % 4 === 0 && ipLen < listLen && tvb.reportedRemainingFrom(o) >= 4) {
      addIpv4(sub, st.f.option_pcp_server, tvb, o);
      o += 4;
      ipLen = (ipLen + 4) & 0xff;
    }
  }
  return tvb.length;
}

/** 159: Portparams (RFC 7618). */
function portparams(c: OptCtx): number {
  const { tvb, t, st } = c;
  if (tvb.reportedLength !== 4) {
    badLength(t, "length must be 4");
    return 1;
  }
  addU8(t, st.f.option_portparams_offset, tvb, 0);
  addU8(t, st.f.option_portparams_psid_length, tvb, 1);
  addBytes(t, st.f.option_portparams_psid, tvb, 2, 2);
  return tvb.length;
}

/** 212: 6RD (RFC 5969). */
function sixRd(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  if (tvb.reportedLength < 22) {
    note(t, "error", "dhcp.option.6RD.malformed", "6RD: malformed option");
    return 1;
  }
  addU8(t, f.option_6RD_ipv4_mask_len, tvb, 0);
  addU8(t, f.option_6RD_prefix_len, tvb, 1);
  t.add(f.option_6RD_prefix, tvb, 2, 16, tvb.bytes(2, 16));
  addIpv4(t, f.option_6RD_border_relay_ip, tvb, 18);
  if (tvb.reportedLength > 22) {
    let o = 22;
    while (tvb.reportedRemainingFrom(o) >= 4) {
      addIpv4(t, f.option_6RD_border_relay_ip, tvb, o);
      o += 4;
    }
    if (tvb.reportedRemainingFrom(o) > 0) badLength(t, "Option length isn't a multiple of 4");
  }
  return tvb.length;
}

/** ISNS_BITFIELD_NZ_MUST_BE_IGNORED: flags set without the "enabled" bit. */
function isnsIgnored(it: Item, v: number): void {
  if (v !== 0 && (v & 1) === 0) note(it, "note", "dhcp.option.isns.ignored_bitfield", "Enabled field is not set - non-zero bitmask ignored");
}

/** 83: iSNS (RFC 4174). */
function isns(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const length = tvb.reportedLength;
  if (length < 14) {
    badLength(t, "length must be >= 14");
    return 1;
  }
  let v = tvb.u16(0);
  isnsIgnored(t.addBitmask(f.option_isns_functions, tvb, 0, 2, v, [
    f.option_isns_functions_enabled, f.option_isns_functions_dd_base_authorization,
    f.option_isns_functions_sec_policy_distribution, f.option_isns_functions_reserved,
  ]), v);
  v = tvb.u16(2);
  isnsIgnored(t.addBitmask(f.option_isns_discovery_domain_access, tvb, 2, 2, v, [
    f.option_isns_discovery_domain_access_enabled, f.option_isns_discovery_domain_access_control_node,
    f.option_isns_discovery_domain_access_iscsi_target, f.option_isns_discovery_domain_access_iscsi_initiator,
    f.option_isns_discovery_domain_access_ifcp_target_port, f.option_isns_discovery_domain_access_initiator_target_port,
    f.option_isns_discovery_domain_access_reserved,
  ]), v);
  const admin = tvb.u16(4);
  let heartbeat = false;
  if (admin & 1 && admin & 2) {
    if (length < 18) {
      badLength(t, "length must be >= 18");
      return 4;
    }
    heartbeat = true;
  }
  isnsIgnored(t.addBitmask(f.option_isns_administrative_flags, tvb, 4, 2, admin, [
    f.option_isns_administrative_flags_enabled, f.option_isns_administrative_flags_heartbeat,
    f.option_isns_administrative_flags_management_scns, f.option_isns_administrative_flags_default_discovery_domain,
    f.option_isns_administrative_flags_reserved,
  ]), admin);
  v = tvb.u32(6);
  isnsIgnored(t.addBitmask(f.option_isns_server_security_bitmap, tvb, 6, 4, v, [
    f.option_isns_server_security_bitmap_enabled, f.option_isns_server_security_bitmap_ike_ipsec_enabled,
    f.option_isns_server_security_bitmap_main_mode, f.option_isns_server_security_bitmap_aggressive_mode,
    f.option_isns_server_security_bitmap_pfs, f.option_isns_server_security_bitmap_transport_mode,
    f.option_isns_server_security_bitmap_tunnel_mode, f.option_isns_server_security_bitmap_reserved,
  ]), v);
  let o = 10;
  if (heartbeat) {
    addItem(t, f.option_isns_heartbeat_originator_addr, tvb, o, 4, tvb.u32(o));
    o += 4;
  }
  addItem(t, f.option_isns_primary_server_addr, tvb, o, 4, tvb.u32(o));
  o += 4;
  if (tvb.reportedRemainingFrom(o) > 0) {
    const sub = addSubtree(t, tvb, o, 0, "Secondary iSNS Servers");
    basicTypes(sub, sub, tvb, "ipv4_list", o, tvb.reportedRemainingFrom(o), f.option_isns_secondary_server_addr, {});
  }
  return tvb.length;
}

/** The decoders by option code (tshark's "dhcp.option" table). */
export const HANDLERS: (OptHandler | undefined)[] = new Array(256);
for (const [code, [type, key]] of Object.entries(BASIC)) HANDLERS[Number(code)] = basicHandler(type, key);
HANDLERS[21] = addressPairs("option_policy_filter_ip", "option_policy_filter_subnet_mask");
HANDLERS[33] = addressPairs("option_static_route_ip", "option_static_route_router");
HANDLERS[43] = vendorInfo;
HANDLERS[52] = optionOverload;
HANDLERS[53] = messageType;
HANDLERS[55] = paramRequestList;
HANDLERS[60] = vendorClassId;
HANDLERS[61] = (c) => clientIdentifier(c, true);
HANDLERS[63] = netwareIp;
HANDLERS[77] = userClass;
HANDLERS[78] = slpDirectoryAgent;
HANDLERS[79] = slpServiceScope;
HANDLERS[81] = clientFqdn;
HANDLERS[82] = agentInfo;
HANDLERS[83] = isns;
HANDLERS[85] = novellServers;
HANDLERS[90] = authentication;
HANDLERS[93] = clientArchitecture;
HANDLERS[94] = clientNdi;
HANDLERS[97] = (c) => clientIdentifier(c, false);
HANDLERS[99] = civicLocation;
HANDLERS[114] = captivePortal;
HANDLERS[117] = nameServiceSearch;
HANDLERS[119] = domainSearch;
HANDLERS[120] = sipServers;
HANDLERS[121] = classlessStaticRoute;
HANDLERS[122] = cableLabsCcc;
HANDLERS[123] = coordinateLocation;
HANDLERS[124] = viVendorClass;
HANDLERS[125] = viVendorInfo;
HANDLERS[145] = forcerenewNonce;
HANDLERS[146] = rdnss;
HANDLERS[151] = bulkLeaseStatus;
HANDLERS[152] = ntpTime("option_bulk_lease_base_time");
HANDLERS[154] = ntpTime("option_bulk_lease_query_start_time");
HANDLERS[155] = ntpTime("option_bulk_lease_query_end_time");
HANDLERS[158] = pcpServer;
HANDLERS[159] = portparams;
HANDLERS[160] = captivePortal;
HANDLERS[212] = sixRd;
HANDLERS[242] = avaya;
HANDLERS[249] = classlessStaticRoute;

// ──────────────────────────────────────────────────────────────── one option

/**
 * dhcp_option (second pass): adds the option at `voff` under `tree` and returns the bytes
 * it takes; sets atEnd.v at the End option.
 */
export function dhcpOption(st: DhcpState, tree: Item, voff: number, eoff: number, atEnd: { v: boolean }): number {
  const tvb = st.tvb;
  const f = st.f;
  const code = tvb.u8(voff);
  if (code === 0) {
    let i = voff + 1;
    while (i < eoff && tvb.u8(i) === 0) i++;
    const n = i - voff;
    const it = tree.add(f.option_type, tvb, voff, 1, 0, "(0) Padding");
    addBytes(it, f.option_padding, tvb, voff, n);
    return n;
  }
  if (code === 255) {
    const it = tree.add(f.option_type, tvb, voff, 1, 0, "(255) End");
    addItem(it, st.overload ? f.option_end_overload : f.option_end, tvb, voff, 1, tvb.u8(voff));
    atEnd.v = true;
    return 1;
  }
  const optlen = tvb.u8(voff + 1);
  const consumed = optlen + 2;
  const full = tree.tree.full;
  const vti = tree.add(f.option_type, tvb, voff, consumed, code, full ? `(${code}) ${OPTION_NAMES[code]}` : undefined);
  addU8(vti, f.option_length, tvb, voff + 1);
  const vi = addBytes(vti, f.option_value, tvb, voff + 2, optlen);
  const shown = vi !== vi.tree.sink;
  if (shown) vi.hidden = true;
  const h = HANDLERS[code];
  const handled = h !== undefined ? h({ st, tvb: tvb.sub(voff + 2, optlen), t: vti, parent: tree, code }) : 0;
  if (handled === 0 && shown) vi.hidden = false;
  return consumed;
}
