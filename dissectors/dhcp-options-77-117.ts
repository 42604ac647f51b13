/**
 * DHCP options 77 to 117 with decoders of their own, as tshark 4.0 decodes them: User
 * Class (77), SLP (78, 79), Client FQDN (81), iSNS (83), NDS servers (85), Authentication
 * (90), the PXE client's architecture and network interface (93, 94), civic location (99),
 * the captive portal (114, and 160 with the same decoder) and Name Service Search (117).
 * Called through dhcp-options.ts's HANDLERS.
 */
import type { Item } from "../src/core/tree.js";
import { basicTypes } from "./dhcp-basic.js";
import { addBytes, addItem, addString, addSubtree, addU32, addU8, badLength, note, type OptCtx } from "./dhcp-util.js";
import { readName } from "./dns-rr-names.js";

/** 77: User Class Information (RFC 3004, and the non-standard single-string form). */
export function userClass(c: OptCtx): number {
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
export function slpDirectoryAgent(c: OptCtx): number {
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
export function slpServiceScope(c: OptCtx): number {
  const { tvb, t, st } = c;
  addU8(t, st.f.option_slp_service_scope_value, tvb, 0);
  addString(t, st.f.option_slp_service_scope_string, tvb, 1, tvb.reportedRemainingFrom(1), true);
  return tvb.length;
}

/** 81: Client FQDN. */
export function clientFqdn(c: OptCtx): number {
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
export function novellServers(c: OptCtx): number {
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
export function authentication(c: OptCtx): number {
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
export function clientArchitecture(c: OptCtx): number {
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
export function clientNdi(c: OptCtx): number {
  const { tvb, t, st } = c;
  const type = tvb.u8(0);
  if (type === 1) {
    addU8(t, st.f.client_network_id_major, tvb, 1);
    addU8(t, st.f.client_network_id_minor, tvb, 2);
  }
  return tvb.length;
}

/** 99: Civic Addresses Configuration (RFC 4776). */
export function civicLocation(c: OptCtx): number {
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
export function captivePortal(c: OptCtx): number {
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

export function nameServiceSearch(c: OptCtx): number {
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

/** ISNS_BITFIELD_NZ_MUST_BE_IGNORED: flags set without the "enabled" bit. */
function isnsIgnored(it: Item, v: number): void {
  if (v !== 0 && (v & 1) === 0) note(it, "note", "dhcp.option.isns.ignored_bitfield", "Enabled field is not set - non-zero bitmask ignored");
}

/** 83: iSNS (RFC 4174). */
export function isns(c: OptCtx): number {
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
