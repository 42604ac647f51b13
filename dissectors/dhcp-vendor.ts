/**
 * DHCP's vendor-class options as tshark 4.0 decodes them: option 60's vendor-id
 * heuristics (DOCSIS 3.0, Apple BSDP client) and option 43 (Vendor-Specific Information:
 * tshark's heuristic list — Alcatel-Lucent, PXEClient, CableLabs, Aruba AP / Instant AP,
 * Apple BSDP, Aerohive, Cisco ACI — in its self-reordering order; other data raw) with the
 * PXEClient and CableLabs suboptions. The other vendors' suboptions:
 * dhcp-vendor-equipment.ts; options 82 and 125: dhcp-relay-vi.ts.
 *
 * Not decoded (shown as tshark shows the raw parts around them): PacketCable MTA and
 * DOCSIS 1.1/2.0 capability strings in option 60.
 */
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { basicTypes, type BasicDefaults, type Ftype } from "./dhcp-basic.js";
import {
  addBytes, addIpv4, addItem, addString, addTyped, addU8, badLength, missingLength, missingValue, note, subHeader,
  unknownType, type DhcpF, type OptCtx,
} from "./dhcp-util.js";
import {
  aerohiveSuboption, alcatelLike, alcatelSuboption, arubaInstantAp, bsdpSuboption, ciscoSuboption,
} from "./dhcp-vendor-equipment.js";

// ──────────────────────────────────────────────────────────────── option 60 heuristics

/**
 * Option 60's heuristics: Apple's BSDP client ("AAPLBSDPC/…": the rest is shown as
 * vendor-class-data) and DOCSIS 3.0 cable modems ("docsis3.0:…", shown whole as
 * vendor-class-data). PacketCable's MTA and DOCSIS 1.1/2.0 capability strings ("pktc1.0:…",
 * "docsis1.1:…", hex-encoded TLVs) are not decoded.
 */
export function vendorClassHeuristics(c: OptCtx): void {
  const { tvb, t, st } = c;
  // PacketCable CM: only DOCSIS 3.0's string is shown (as vendor-class-data)
  if (tvb.reportedLength >= 10 && tvb.has(0, 10) && tvb.ascii(0, 10) === "docsis3.0:") {
    st.pinfo.layers.push("dhcp");
    addString(t, st.f.option_vendor_class_data, tvb, 0, tvb.reportedLength, true);
    return;
  }
  const prefix = "AAPLBSDPC/";
  if (tvb.reportedLength < prefix.length || !tvb.has(0, prefix.length) || tvb.ascii(0, prefix.length) !== prefix) return;
  st.pinfo.layers.push("dhcp");
  addString(t, st.f.option_vendor_class_data, tvb, prefix.length, tvb.reportedRemainingFrom(prefix.length), true);
}

// ──────────────────────────────────────────────────────────────── option 43

function startsWith(s: string | null, p: string): boolean {
  return s !== null && s.startsWith(p);
}

type Heuristic = "cisco" | "aerohive" | "bsdp" | "arubaIap" | "arubaAp" | "cablelabs" | "pxe" | "alcatel";

/**
 * tshark's "dhcp.vendor_info" heuristic list: registration prepends (so the Alcatel-Lucent
 * one, registered first, starts last) and a heuristic that takes a packet moves to the
 * front for the packets after it. The order lives in the session, as the list does in tshark.
 */
class VendorHeuristics {
  order: Heuristic[] = ["cisco", "aerohive", "bsdp", "arubaIap", "arubaAp", "cablelabs", "pxe", "alcatel"];
}

function heuristicMatches(h: Heuristic, vc: string | null, tvb: Tvb): boolean {
  switch (h) {
    case "cisco": return startsWith(vc, "cisco");
    case "aerohive": return startsWith(vc, "AEROHIVE");
    case "bsdp": return startsWith(vc, "AAPLBSDPC");
    case "arubaIap": return startsWith(vc, "ArubaInstantAP");
    case "arubaAp": return startsWith(vc, "ArubaAP");
    case "cablelabs":
      return startsWith(vc, "pktc") || startsWith(vc, "docsis") || startsWith(vc, "OpenCable2.0") || startsWith(vc, "CableHome");
    case "pxe": return startsWith(vc, "PXEClient");
    case "alcatel": return alcatelLike(tvb);
  }
}

/** 43: the vendor heuristics (tshark's dhcp.vendor_info list), then the raw value. */
export function vendorInfo(c: OptCtx): number {
  const { tvb, t, st } = c;
  const vc = st.vendorClassId;
  const hs = st.pinfo.session.get("dhcp.vendor_info", () => new VendorHeuristics());
  let i = 0;
  while (i < hs.order.length && !heuristicMatches(hs.order[i], vc, tvb)) i++;
  if (i === hs.order.length) {
    addBytes(t, st.f.option_vendor_value, tvb, 0, tvb.reportedLength);
    return tvb.length;
  }
  const h = hs.order[i];
  // the heuristic is a layer of its own in frame.protocols, unless it added nothing
  // (a suboption list over an empty option)
  if (tvb.length > 0 || h === "arubaAp" || h === "arubaIap") st.pinfo.layers.push("dhcp");
  switch (h) {
    case "alcatel": suboptions(c, " (Alcatel-Lucent)", alcatelSuboption); break;
    case "pxe": suboptions(c, " (PXEClient)", pxeSuboption); break;
    case "cablelabs": suboptions(c, " (CableLabs)", cableLabsSuboption); break;
    case "arubaAp":
      if (t.tree.full) t.appendText(" (Aruba AP)");
      addString(t, st.f.option_vendor_arubaap_controllerip, tvb, 0, tvb.reportedLength, false);
      break;
    case "arubaIap": arubaInstantAp(c); break;
    case "bsdp": suboptions(c, " (Boot Server Discovery Protocol (BSDP))", bsdpSuboption); break;
    case "aerohive": suboptions(c, " (Aerohive)", aerohiveSuboption); break;
    case "cisco": suboptions(c, " (Cisco ACI Fabric)", ciscoSuboption); break;
  }
  // bubbled to the front once it returned (an exception leaves the order as it was)
  if (i > 0) {
    hs.order.splice(i, 1);
    hs.order.unshift(h);
  }
  return tvb.length;
}

type Suboption = (f: DhcpF, t: Item, tvb: Tvb, o: number, end: number) => number;

function suboptions(c: OptCtx, label: string, one: Suboption): void {
  const { tvb, t } = c;
  if (t.tree.full) t.appendText(label);
  let o = 0;
  while (tvb.reportedRemainingFrom(o) > 0) o = one(c.st.f, t, tvb, o, tvb.reportedLength);
}

// PXEClient (Intel PXE 2.1)

const PXE_NAMES: Readonly<Record<number, string>> = {
  0: "Padding", 1: "PXE mtftp IP", 2: "PXE mtftp client port", 3: "PXE mtftp server port", 4: "PXE mtftp timeout",
  5: "PXE mtftp delay", 6: "PXE discovery control", 7: "PXE multicast address", 8: "PXE boot servers",
  9: "PXE boot menu", 10: "PXE menu prompt", 11: "PXE multicast address alloc", 12: "PXE credential types",
  71: "PXE boot item", 179: "PXE LCM Server", 180: "PXE LCM Domain", 181: "PXE LCM NIC option 0",
  190: "PXE LCM Workgroup", 191: "PXE Discovery", 192: "PXE Configured", 193: "PXE LCM version",
  194: "PXE LCM Serial Number", 255: "PXE End",
};

/** o43pxeclient_opt: suboption → [type, field]; the table runs to 194. */
function pxeType(sub: number): readonly [Ftype, keyof DhcpF | null] {
  switch (sub) {
    case 1: return ["ipv4_list", "option_vendor_pxeclient_mtftp_ip"];
    case 2: return ["u16le", "option_vendor_pxeclient_mtftp_client_port"];
    case 3: return ["u16le", "option_vendor_pxeclient_mtftp_server_port"];
    case 4: return ["u8", "option_vendor_pxeclient_mtftp_timeout"];
    case 5: return ["u8", "option_vendor_pxeclient_mtftp_delay"];
    case 6: case 8: case 9: case 10: case 71: return ["special", null];
    case 7: return ["ipv4_list", "option_vendor_pxeclient_multicast_address"];
    case 11: return ["special", "option_vendor_pxeclient_multicast_address_alloc"];
    case 12: return ["special", "option_vendor_pxeclient_credential_types"];
    case 179: return ["string", "option_vendor_pxeclient_lcm_server"];
    case 180: return ["string", "option_vendor_pxeclient_lcm_domain"];
    case 181: return ["bytes", "option_vendor_pxeclient_lcm_nic_option"];
    case 190: return ["string", "option_vendor_pxeclient_lcm_workgroup"];
    case 191: return ["bool", "option_vendor_pxeclient_discovery"];
    case 192: return ["bool", "option_vendor_pxeclient_configured"];
    case 193: return ["u32", "option_vendor_pxeclient_lcm_version"];
    case 194: return ["string", "option_vendor_pxeclient_lcm_serial"];
    default: return ["opaque", null];
  }
}

function pxeSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
  const sub = tvb.u8(o);
  if (sub === 0) {
    addItem(t, f.option_vendor_pxeclient_padding, tvb, o, 1, 0);
    return o + 1;
  }
  if (sub === 255) {
    addItem(t, f.option_vendor_pxeclient_end, tvb, o, 1, 255);
    return end;
  }
  if (o + 1 >= end) {
    missingLength(t, sub);
    return end;
  }
  const len = tvb.u8(o + 1);
  const vti = subHeader(t, f.option_vendor_pxeclient_suboption, f.option_suboption_length, tvb, o, sub, len, PXE_NAMES);
  let so = o + 2;
  addBytes(vti, f.option_vendor_value, tvb, so, len).hide();
  if (sub < 1 || sub > 194) {
    note(vti, "error", "dhcp.suboption_invalid", `Unknown suboption ${sub} (${len} bytes)`);
  } else {
    const [type, key] = pxeType(sub);
    if (type === "special") {
      if (key !== null) addTyped(vti, f[key], tvb, so, len, true);
      else {
        switch (sub) {
          case 6:
            vti.addBitmask(f.option_vendor_pxeclient_discovery_control, tvb, so, 1, tvb.u8(so), [
              f.option_vendor_pxeclient_discovery_control_broadcast, f.option_vendor_pxeclient_discovery_control_multicast,
              f.option_vendor_pxeclient_discovery_control_serverlist, f.option_vendor_pxeclient_discovery_control_bstrap,
            ]);
            break;
          case 8: {
            const start = so;
            const bi = addBytes(vti, f.option_vendor_pxeclient_boot_servers, tvb, so, len);
            while (so - start < len - 1) {
              addItem(bi, f.option_vendor_pxeclient_boot_servers_type, tvb, so, 2, tvb.u16(so));
              so += 2;
              let count = tvb.u8(so);
              bi.add(f.option_vendor_pxeclient_boot_servers_count, tvb, so, 1, count);
              so++;
              for (; count > 0; count--) {
                addIpv4(bi, f.option_vendor_pxeclient_boot_servers_ip, tvb, so);
                so += 4;
              }
            }
            break;
          }
          case 9: {
            const start = so;
            const bi = addBytes(vti, f.option_vendor_pxeclient_boot_menu, tvb, so, len);
            while (so - start < len - 1) {
              addItem(bi, f.option_vendor_pxeclient_boot_menu_type, tvb, so, 2, tvb.u16(so));
              so += 2;
              const ml = tvb.u8(so);
              bi.add(f.option_vendor_pxeclient_boot_menu_length, tvb, so, 1, ml);
              so++;
              addString(bi, f.option_vendor_pxeclient_boot_menu_desc, tvb, so, ml, false);
              so += ml;
            }
            break;
          }
          case 10: {
            const bi = addBytes(vti, f.option_vendor_pxeclient_menu_prompt, tvb, so, len);
            addU8(bi, f.option_vendor_pxeclient_menu_prompt_timeout, tvb, so);
            addString(bi, f.option_vendor_pxeclient_menu_prompt_prompt, tvb, so + 1, len === 0 ? tvb.remaining(so + 1) : len - 1, false);
            break;
          }
          case 71: {
            const bi = addBytes(vti, f.option_vendor_pxeclient_boot_item, tvb, so, len);
            addItem(bi, f.option_vendor_pxeclient_boot_item_type, tvb, so, 2, tvb.u16(so));
            addBytes(bi, f.option_vendor_pxeclient_boot_item_layer, tvb, so + 2, 2);
            break;
          }
          default:
            addBytes(vti, f.option_vendor_value, tvb, so, len);
        }
      }
    } else {
      const d: BasicDefaults = { ipv4: f.option_vendor_value_address, ipv4List: f.option_vendor_value_address, u8: f.option_vendor_value_uint };
      if (basicTypes(vti, vti, tvb, type, so, len, key === null ? null : f[key], d) === 0) unknownType(vti, sub);
    }
  }
  return o + len + 2;
}

// CableLabs (DOCSIS, PacketCable, CableHome, OpenCable)

const CL_NAMES: Readonly<Record<number, string>> = {
  0: "Padding", 1: "Suboption Request List", 2: "Device Type", 3: "eSAFE Types", 4: "Serial Number",
  5: "Hardware Version", 6: "Software Version", 7: "Boot ROM version", 8: "Organizationally Unique Identifier",
  9: "Model Number", 10: "Vendor Name", 11: "Address Realm", 12: "CM/PS System Description",
  13: "CM/PS Firmware Revision", 14: "Firewall Policy File Version", 15: "eSafe Config File Devices",
  18: "Video Security Type", 31: "MTA MAC Address", 32: "Correlation ID", 51: "Vendor Name",
  52: "CableCARD Capability", 53: "Device Identification (CA)", 54: "Device Identification (X.509)",
  179: "LCM Server", 180: "LCM Domain", 181: "LCM NIC option 0", 190: "LCM Workgroup", 191: "Discovery",
  192: "HH Configured", 193: "LCM Version", 194: "LCM Serial Number", 255: "CL End",
};

/** o43cablelabs_opt (0..55): [type, field]. */
const CL43: Readonly<Record<number, readonly [Ftype, keyof DhcpF | null]>> = {
  1: ["string", "option_vendor_cl_suboption_request_list"], 2: ["string", "option_vendor_cl_device_type"],
  3: ["string", "option_vendor_cl_esafe_type"], 4: ["string", "option_vendor_cl_serial_number"],
  5: ["string", "option_vendor_cl_hardware_version"], 6: ["string", "option_vendor_cl_software_version"],
  7: ["string", "option_vendor_cl_boot_rom_version"], 8: ["special", "option_vendor_cl_oui_bytes"],
  9: ["string", "option_vendor_cl_model_number"], 10: ["string", "option_vendor_cl_vendor_name10"],
  11: ["u8", "option_vendor_cl_address_realm"], 12: ["string", "option_vendor_cl_cm_ps_system_desc"],
  13: ["string", "option_vendor_cl_cm_ps_firmware_revision"], 14: ["string", "option_vendor_cl_firewall_policy_file_version"],
  15: ["string", "option_vendor_cl_esafe_config_file_devices"], 18: ["string", "option_vendor_cl_video_security_tape"],
  31: ["special", "option_vendor_cl_mta_mac_address"], 32: ["u32", "option_vendor_cl_correlation_ID"],
  51: ["string", "option_vendor_cl_vendor_name51"], 52: ["special", "option_vendor_cl_cablecard_capability"],
  53: ["special", "option_vendor_cl_device_id_ca"], 54: ["string", "option_vendor_cl_device_id_x509"],
};

function cableLabsSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
  const sub = tvb.u8(o);
  if (sub === 0) {
    addItem(t, f.option_vendor_cl_padding, tvb, o, 1, 0);
    return o + 1;
  }
  if (sub === 255) {
    addItem(t, f.option_vendor_cl_end, tvb, o, 1, 255);
    return end;
  }
  if (o + 1 >= end) {
    missingLength(t, sub);
    return end;
  }
  const len = tvb.u8(o + 1);
  const vti = subHeader(t, f.option_vendor_cl_suboption, f.option_suboption_length, tvb, o, sub, len, CL_NAMES);
  const so = o + 2;
  if (so + len > end) {
    missingValue(vti, sub);
    return end;
  }
  if (sub >= 56) addBytes(vti, f.option_vendor_value, tvb, so, len);
  else {
    const [type, key] = CL43[sub] ?? ["special", null];
    if (type === "special") {
      if (sub === 8) {
        if (len === 3) {
          tvb.ensure(so, 3);
          const b = tvb.bytes(so, 3);
          vti.add(f.option_vendor_cl_oui_bytes, tvb, so, 3, b, [...b].map((x) => x.toString(16).padStart(2, "0")).join(":"));
        } else if (len === 6) addString(vti, f.option_vendor_cl_oui_string, tvb, so, 6, true);
        else badLength(vti, "length isn't 3 or 6");
      } else if (sub === 31) {
        if (len !== 6) badLength(vti, "length isn't 6");
        else vti.add(f.option_vendor_cl_mta_mac_address, tvb, so, 6, tvb.bytes(so, 6));
      } else if (key !== null) addTyped(vti, f[key], tvb, so, len, true);
      else addBytes(vti, f.option_vendor_value, tvb, so, len);
    } else {
      const d: BasicDefaults = { bytes: f.option_vendor_value, string: f.option_vendor_value_string, u8: f.option_vendor_value_uint };
      if (basicTypes(vti, vti, tvb, type, so, len, key === null ? null : f[key], d) === 0) unknownType(vti, sub);
    }
  }
  return o + len + 2;
}
