/**
 * DHCP's options that carry vendor data by IANA enterprise number, as tshark 4.0 decodes
 * them: option 82 (Relay Agent Information and its suboptions, CableLabs' 82.9 tags) and
 * option 125 (V-I Vendor-specific Information: TR-111, CableLabs, the generic layout).
 *
 * Not decoded (shown as tshark shows the raw parts around them): DOCSIS modem capabilities
 * in 125.4491.5.
 */
import type { Field } from "../src/core/field.js";
import { manufName } from "../src/core/manuf.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { basicTypes, enterpriseItem, type BasicDefaults, type Ftype } from "./dhcp-basic.js";
import {
  addBytes, addEtherItem, addString, addU8, badLength, ContainedBoundsError, missingLength, missingValue, note,
  subHeader, unknownType, type DhcpF, type OptCtx,
} from "./dhcp-util.js";

// ──────────────────────────────────────────────────────────────── option 82

const O82_NAMES: Readonly<Record<number, string>> = {
  0: "Padding", 1: "Agent Circuit ID", 2: "Agent Remote ID", 3: "Reserved", 4: "DOCSIS Device Class",
  5: "Link selection", 6: "Subscriber ID", 7: "RADIUS Attributes", 8: "Authentication",
  9: "Vendor-Specific Information", 10: "Flags", 11: "Server ID Override", 12: "Relay Agent Identifier",
  13: "Access Technology Type", 14: "Access Network Name", 15: "Access Point Name", 16: "Access Point BSSID",
  17: "Access Network Operator ID", 18: "Access Network Operator Realm", 19: "Source Port",
  150: "Link selection (Cisco proprietary)", 151: "VRF name/VPN ID", 152: "Server ID Override (Cisco proprietary)",
};

/** o82_opt: suboption → [type, field]; 0 is padding (shown raw), codes missing here are unknown. */
const O82: Readonly<Record<number, readonly [Ftype, keyof DhcpF]>> = {
  1: ["bytes", "option_agent_information_option_agent_circuit_id"],
  2: ["bytes", "option_agent_information_option_agent_remote_id"],
  3: ["bytes", "option_agent_information_option_reserved"],
  4: ["u32", "option_agent_information_option_docsis_device_class"],
  5: ["ipv4", "option_agent_information_option_link_selection"],
  6: ["string", "option_agent_information_option_subscriber_id"],
  7: ["bytes", "option_agent_information_option_radius_attributes"],
  8: ["bytes", "option_agent_information_option_authentication"],
  9: ["special", "option_agent_information_option_vi"],
  10: ["u8", "option_agent_information_option_flags"],
  11: ["ipv4", "option_agent_information_option_server_id_override"],
  12: ["bytes", "option_agent_information_option_relay_agent_id"],
  13: ["bytes", "option_agent_information_option_ani_att"],
  14: ["string", "option_agent_information_option_ani_network_name"],
  15: ["string", "option_agent_information_option_ani_ap_name"],
  16: ["special", "option_agent_information_option_ani_ap_bssid"],
  17: ["bytes", "option_agent_information_option_ani_operator_id"],
  18: ["string", "option_agent_information_option_ani_operator_realm"],
  19: ["presence", "option_agent_information_option_source_port"],
  150: ["ipv4", "option_agent_information_option_link_selection_cisco"],
  151: ["special", "option_agent_information_option_vrf_name_vpn_id"],
  152: ["ipv4", "option_agent_information_option_server_id_override_cisco"],
};

/** 82: Relay Agent Information (RFC 3046) and its suboptions. */
export function agentInfo(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const end = tvb.reportedLength;
  const d: BasicDefaults = {
    bytes: f.option_agent_information_option_value, ipv4: f.option_agent_information_option_value_address,
    ipv4List: f.option_agent_information_option_value_address, string: f.option_agent_information_option_value_string,
    u8: f.option_agent_information_option_value_uint,
  };
  let o = 0;
  while (tvb.reportedRemainingFrom(o) > 0) {
    const sub = tvb.u8(o);
    if (o + 1 >= end) {
      missingLength(t, sub);
      break;
    }
    const len = tvb.u8(o + 1);
    const vti = subHeader(t, f.option_agent_information_option_suboption, f.option_suboption_length, tvb, o, sub, len, O82_NAMES);
    let so = o + 2;
    const subEnd = so + len;
    if (subEnd > end) {
      missingValue(vti, sub);
      break;
    }
    const vi = addBytes(vti, f.option_agent_information_option_value, tvb, so, len);
    const spec = O82[sub];
    if (spec !== undefined) {
      vi.hide();
      const [type, key] = spec;
      if (type === "special") {
        switch (sub) {
          case 9:
            while (so < subEnd) {
              const enterprise = tvb.u32(so);
              const ei = enterpriseItem(vti, f.option_agent_information_option_vi_enterprise, tvb, so);
              so += 4;
              const dl = tvb.u8(so);
              ei.add(f.option_agent_information_option_vi_data_length, tvb, so, 1, dl);
              so++;
              if (enterprise === 4491) so = cableLabsAgentInfo(f, ei, tvb, so, so + dl);
              else {
                addBytes(vti, f.option_agent_information_option_value, tvb, so, dl);
                so += dl;
              }
            }
            break;
          case 151:
            if (len === 1) addU8(vti, f.option_agent_information_option_vrf_name_global, tvb, so);
            else if (len !== 7) addString(vti, f.option_agent_information_option_vrf_name, tvb, so, len, false);
            else {
              vti.add(f.option_agent_information_option_vrf_name_vpn_id_oui, tvb, so, 3, tvb.u24(so));
              vti.add(f.option_agent_information_option_vrf_name_vpn_id_index, tvb, so + 3, 4, tvb.u32(so + 3));
            }
            break;
          default: // 16: the access point's BSSID
            addEtherItem(vti, f[key], tvb, so, len);
        }
      } else if (basicTypes(vti, vti, tvb, type, so, len, f[key], d) === 0) {
        unknownType(vti, sub);
      }
    }
    o += len + 2;
  }
  return tvb.length;
}

/** 82.9 for CableLabs (4491): DOCSIS/DPoE versions, service class, MSO text, file transfer URI. */
function cableLabsAgentInfo(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
  const version = (fl: Field, at: number) =>
    t.add(fl, tvb, at, 2, 0, t.tree.full ? `${tvb.u8(at)}.${tvb.u8(at + 1)}` : (tvb.u16(at), undefined));
  while (o < end) {
    const tag = tvb.u8(o);
    const len = tvb.u8(o + 1);
    o += 2;
    switch (tag) {
      case 1: version(f.option_agent_information_option_vi_cl_docsis_version, o); o += 2; break;
      case 2: version(f.option_agent_information_option_vi_cl_dpoe_system_version, o); o += 2; break;
      case 4: addBytes(t, f.option_agent_information_option_vi_cl_dpoe_system_pbb_service, tvb, o, len); break;
      case 5: addString(t, f.option_agent_information_option_vi_cl_service_class_name, tvb, o, len, false); o += len; break;
      case 6: addString(t, f.option_agent_information_option_vi_cl_mso_defined_text, tvb, o, len, false); o += len; break;
      case 7: addString(t, f.option_agent_information_option_vi_cl_secure_file_transfer_uri, tvb, o, len, false); o += len; break;
      default:
        note(t, "error", "dhcp.option.option.vi.cl.tag_unknown", `Unknown tag ${tag} (${len} bytes)`);
        o += len;
    }
  }
  return o;
}

// ──────────────────────────────────────────────────────────────── option 125

const TR111_NAMES: Readonly<Record<number, string>> = {
  1: "DeviceManufacturerOUI", 2: "DeviceSerialNumber", 3: "DeviceProductClass", 4: "GatewayManufacturerOUI",
  5: "GatewaySerialNumber", 6: "GatewayProductClass",
};

const CL125_NAMES: Readonly<Record<number, string>> = {
  1: "Option Request", 2: "TFTP Server Addresses", 3: "eRouter Container Option",
  4: "MIB Environment Indicator Option", 5: "Modem Capabilities",
};

/** An enterprise's decoder over its data (tvb from its first byte): bytes used, 0 = none. */
type EnterpriseDecoder = (f: DhcpF, t: Item, tvb: Tvb) => number;

function tr111(f: DhcpF, t: Item, tvb: Tvb): number {
  const sub = tvb.u8(0);
  if (tvb.reportedRemainingFrom(1) < 1) {
    missingLength(t, sub);
    return 1;
  }
  const len = tvb.u8(1);
  const vti = t.add(f.option_vi_tr111_suboption, tvb, 1, len + 2, sub, t.tree.full ? `(${sub}) ${TR111_NAMES[sub] ?? "Unknown"}` : undefined);
  addU8(vti, f.option_suboption_length, tvb, 1);
  if (tvb.reportedRemainingFrom(2) < len) {
    missingValue(vti, sub);
    return 2;
  }
  addBytes(t, f.option_vi_value, tvb, 2, len).hide();
  const d: BasicDefaults = { string: f.option_vi_value_string };
  const spec: readonly [Ftype, keyof DhcpF | null] =
    sub === 1 ? ["special", "option_vi_tr111_device_manufacturer_oui"]
      : sub === 2 ? ["string", "option_vi_tr111_device_serial_number"]
        : sub === 3 ? ["string", "option_vi_tr111_device_product_class"]
          : sub === 4 ? ["string", "option_vi_tr111_gateway_manufacturer_oui"]
            : sub === 5 ? ["string", "option_vi_tr111_gateway_serial_number"]
              : sub === 6 ? ["string", "option_vi_tr111_gateway_product_class"]
                : ["special", null];
  if (sub < 7) {
    const [type, key] = spec;
    if (sub === 1) {
      // the OUI as six hex digits (strtol)
      tvb.ensure(2, len);
      const s = tvb.ascii(2, len);
      const m = /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]*)/.exec(s);
      let v = m !== null && m[2] !== "" ? parseInt(m[2].slice(0, 12), 16) : 0;
      if (m !== null && m[1] === "-") v = -v;
      v = v >>> 0 & 0xffffff;
      const name = manufName(v);
      // BASE_OUI is formatted into a 32-byte buffer: the text is cut at 31 characters
      const text = `${[v >>> 16, (v >>> 8) & 255, v & 255].map((x) => x.toString(16).padStart(2, "0")).join(":")}${name !== null ? ` (${name})` : ""}`.slice(0, 31);
      vti.add(f.option_vi_tr111_device_manufacturer_oui, tvb, 2, len, v, text);
    } else if (basicTypes(vti, vti, tvb, type, 2, len, key === null ? null : f[key], d) === 0) {
      if (key === null) addBytes(vti, f.option_vi_value, tvb, 2, len);
    }
  }
  return len + 2;
}

function cableLabs125(f: DhcpF, t: Item, tvb: Tvb): number {
  const sub = tvb.u8(0);
  if (tvb.reportedRemainingFrom(1) < 1) {
    missingLength(t, sub);
    return 1;
  }
  const len = tvb.u8(1);
  const vti = t.add(f.option_vi_cl_suboption, tvb, 1, len + 2, sub, t.tree.full ? `(${sub}) ${CL125_NAMES[sub] ?? "Unknown"}` : undefined);
  addU8(vti, f.option_suboption_length, tvb, 1);
  if (tvb.reportedRemainingFrom(2) < len) {
    missingValue(vti, sub);
    return 2;
  }
  const d: BasicDefaults = { bytes: f.option_vi_value, ipv4: f.option_vi_value_address, ipv4List: f.option_vi_value_address, string: f.option_vi_value_string, u8: f.option_vi_value_uint };
  // 0 is shown raw; 5 (the modem's DOCSIS capabilities) only as bytes: its TLVs are not decoded
  switch (sub) {
    case 0: addBytes(vti, f.option_vi_value, tvb, 2, len); break;
    case 4: basicTypes(vti, vti, tvb, "u8", 2, len, f.option_vi_cl_mib_environment_indicator_option, d); break;
    case 1: basicTypes(vti, vti, tvb, "bytes", 2, len, f.option_vi_cl_option_request, d); break;
    case 2: basicTypes(vti, vti, tvb, "ipv4_list", 2, len, f.option_vi_cl_tftp_server_addresses, d); break;
    case 3: basicTypes(vti, vti, tvb, "bytes", 2, len, f.option_vi_cl_erouter_container_option, d); break;
    case 5: addBytes(vti, f.option_vi_cl_modem_capabilities, tvb, 2, len); break;
  }
  return len + 2;
}

const ENTERPRISES: Readonly<Record<number, EnterpriseDecoder>> = { 3561: tr111, 4491: cableLabs125 };

/** 125: V-I Vendor-specific Information (RFC 3925). */
export function viVendorInfo(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  let o = 0;
  while (tvb.reportedRemainingFrom(o) >= 5) {
    const enterprise = tvb.u32(o);
    const vti = enterpriseItem(t, f.option_vi_enterprise, tvb, o);
    o += 4;
    const dl = tvb.u8(o);
    vti.add(f.option_vi_length, tvb, o, 1, dl);
    o++;
    // (tshark's "no room left for enterprise data" check never fires: its
    // tvb_reported_length_remaining is never negative; the suboptions run out of room instead)
    const sEnd = o + dl;
    while (o < sEnd) {
      const dec = ENTERPRISES[enterprise];
      const used = dec !== undefined ? enterpriseCall(dec, f, vti, tvb, o, dl) : 0;
      if (used === 0) o = genericSuboption(f, vti, tvb, o, sEnd);
      else o += used;
    }
  }
  if (tvb.reportedRemainingFrom(o) > 0) badLength(t, "length < 5");
  return tvb.length;
}

/**
 * An enterprise decoder over tvb_new_subset_length(tvb, o, dl): the subset may claim more
 * than the option holds; reading into that part is tshark's ContainedBoundsError.
 */
function enterpriseCall(dec: EnterpriseDecoder, f: DhcpF, t: Item, tvb: Tvb, o: number, dl: number): number {
  const sub = tvb.sub(o, dl);
  const claimsMore = o + dl > tvb.reportedLength && tvb.length === tvb.reportedLength;
  try {
    return dec(f, t, sub);
  } catch (e) {
    if (claimsMore && e instanceof BoundsError && !e.reported) throw new ContainedBoundsError();
    throw e;
  }
}

function genericSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
  const it = addU8(t, f.vendor_suboption, tvb, o);
  const sub = tvb.u8(o);
  if (o + 1 >= end) {
    missingLength(t, sub);
    return end;
  }
  const len = tvb.u8(o + 1);
  it.add(f.option_suboption_length, tvb, o + 1, 1, len);
  if (o + 2 + len > end) {
    missingValue(it, sub);
    return end;
  }
  addBytes(it, f.vendor_data, tvb, o + 2, len);
  return o + 2 + len;
}
