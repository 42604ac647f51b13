/**
 * DHCP options (RFC 2132 and successors) as tshark 4.0 decodes them: the decoders by
 * option code (HANDLERS), dhcp_option that adds one option and runs its decoder, and the
 * decoders of RFC 2132's options that are more than a basic type (21/33, 52, 53, 55, 60,
 * 61 and 97, 63). Each decoder returns what packet-dhcp.c's returns
 * (the option's captured length, 1 after a length complaint, 0 when the basic decoder
 * gave up), which decides whether the option's raw Value is shown.
 * Option names and basic types: dhcp-basic.ts; the other decoders: dhcp-options-77-117.ts,
 * dhcp-options-119-212.ts, dhcp-vendor.ts, dhcp-relay-vi.ts, dhcp-cablelabs.ts, dhcp-avaya.ts.
 */
import type { Field } from "../src/core/field.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import {
  BASIC, basicHandler, basicTypes, enterpriseItem, messageTypeName, OPTION_NAMES, type BasicDefaults, type Ftype,
} from "./dhcp-basic.js";
import {
  addBytes, addEther, addItem, addString, addSubtree, addU16, addU32, addU8, arphrdAddr, badLength, guidText, note,
  type DhcpF, type DhcpState, type OptCtx, type OptHandler,
} from "./dhcp-util.js";
import {
  authentication, captivePortal, civicLocation, clientArchitecture, clientFqdn, clientNdi, isns, nameServiceSearch,
  novellServers, slpDirectoryAgent, slpServiceScope, userClass,
} from "./dhcp-options-77-117.js";
import {
  bulkLeaseStatus, classlessStaticRoute, domainSearch, forcerenewNonce, ntpTime, pcpServer, portparams, rdnss, sipServers,
  sixRd, viVendorClass,
} from "./dhcp-options-119-212.js";
import { vendorClassHeuristics, vendorInfo } from "./dhcp-vendor.js";
import { agentInfo, viVendorInfo } from "./dhcp-relay-vi.js";
import { cableLabsCcc, coordinateLocation } from "./dhcp-cablelabs.js";
import { avaya } from "./dhcp-avaya.js";

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
