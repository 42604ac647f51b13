/**
 * DHCP's vendor-flavoured options as tshark 4.0 decodes them: option 60's vendor-id
 * heuristics (DOCSIS 3.0, Apple BSDP client), option 43 (Vendor-Specific Information:
 * tshark's heuristic list — Alcatel-Lucent, PXEClient, CableLabs, Aruba AP / Instant AP,
 * Apple BSDP, Aerohive, Cisco ACI — in its self-reordering order; other data raw), option
 * 82 (Relay Agent Information and its suboptions, CableLabs' 82.9 tags), option 125 (V-I
 * Vendor-specific Information: TR-111, CableLabs, the generic layout) and the IANA
 * enterprise names from Wireshark's `enterprises.tsv`.
 *
 * Not decoded (shown as tshark shows the raw parts around them): PacketCable MTA and
 * DOCSIS 1.1/2.0 capability strings in option 60, DOCSIS modem capabilities in 125.4491.5.
 */
import { readFileSync } from "node:fs";
import type { Field } from "../src/core/field.js";
import { labelBytes } from "../src/core/label.js";
import { manufName } from "../src/core/manuf.js";
import type { Item } from "../src/core/tree.js";
import { BoundsError, type Tvb } from "../src/core/tvb.js";
import { basicTypes, enterpriseItem, type BasicDefaults, type Ftype } from "./dhcp-options.js";
import {
  addBytes, addEtherItem, addIpv4, addIpv4Item, addItem, addString, addTyped, addU16, addU8, addUintItem, badLength,
  ContainedBoundsError, note, strayNote, type DhcpF, type OptCtx,
} from "./dhcp-util.js";

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

function missingLength(t: Item, sub: number, capital = false): void {
  note(t, "error", "dhcp.missing_subopt_length", `Suboption ${sub}: ${capital ? "No" : "no"} room left in option for suboption length`);
}
function missingValue(t: Item, sub: number, text = "no room left in option for suboption value"): void {
  note(t, "error", "dhcp.missing_subopt_value", `Suboption ${sub}: ${text}`);
}
function unknownType(t: Item, sub: number): void {
  note(t, "error", "dhcp.subopt.unknown_type", `ERROR, please report: Unknown subopt type handler ${sub}`);
}

/** A suboption header: "(n) Name" item, its Length; returns the item. */
function subHeader(t: Item, f: Field, lenField: Field, tvb: Tvb, o: number, sub: number, len: number, names: Readonly<Record<number, string>>): Item {
  const vti = t.add(f, tvb, o, len + 2, sub, t.tree.full ? `(${sub}) ${names[sub] ?? "Unknown"}` : undefined);
  addU8(vti, lenField, tvb, o + 1);
  return vti;
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

// Alcatel-Lucent

const ALU_NAMES: Readonly<Record<number, string>> = {
  0: "Padding", 58: "Voice VLAN ID", 64: "Spatial Redundancy TFTP1", 65: "Spatial Redundancy TFTP2",
  66: "Application Type", 67: "SIP URL", 255: "Alcatel-Lucent End",
};

/** The heuristic: a first suboption Alcatel uses, and suboptions that fit the option. */
function alcatelLike(tvb: Tvb): boolean {
  const end = tvb.reportedLength;
  if (end < 1) return false;
  const s = tvb.u8(0);
  if (s !== 58 && s !== 64 && s !== 65 && s !== 66 && s !== 67) return false;
  let o = 0;
  while (o < end) {
    const sub = tvb.u8(o++);
    if (sub === 0) continue;
    if (sub === 255) break;
    if (o >= end) return false;
    const len = tvb.u8(o++);
    if (o + len > end) return false;
    o += len;
  }
  return true;
}

function alcatelSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
  const sub = tvb.u8(o);
  if (sub === 0) {
    addItem(t, f.option_vendor_alu_padding, tvb, o, 1, 0);
    return o + 1;
  }
  if (sub === 255) {
    addItem(t, f.option_vendor_alu_end, tvb, o, 1, 255);
    return end;
  }
  if (o + 1 >= end) {
    missingLength(t, sub);
    return end;
  }
  const len = tvb.u8(o + 1);
  const vti = subHeader(t, f.option_vendor_alu_suboption, f.option_suboption_length, tvb, o, sub, len, ALU_NAMES);
  const so = o + 2;
  if (so + len > end) {
    missingValue(vti, sub);
    return end;
  }
  const want = (n: number) => {
    if (len !== n) {
      badLength(vti, `length isn't ${n}`);
      return false;
    }
    return true;
  };
  switch (sub) {
    case 58:
      if (!want(2)) return end;
      addU16(vti, f.option_vendor_alu_vid, tvb, so);
      break;
    case 64:
      if (!want(4)) return end;
      addIpv4(vti, f.option_vendor_alu_tftp1, tvb, so);
      break;
    case 65:
      if (!want(4)) return end;
      addIpv4(vti, f.option_vendor_alu_tftp2, tvb, so);
      break;
    case 66:
      if (!want(1)) return end;
      addU8(vti, f.option_vendor_alu_app_type, tvb, so);
      break;
    case 67:
      addString(vti, f.option_vendor_alu_sip_url, tvb, so, len, false);
      break;
    default:
      unknownType(vti, sub);
      return end;
  }
  return o + len + 2;
}

// Cisco ACI fabric

const CISCO_NAMES: Readonly<Record<number, string>> = {
  1: "Unk-1 (Node role?)", 2: "Unk-2 (Spine level?)", 3: "Unk-3 (Pod ID?)", 4: "Node ID", 5: "Unk-5", 6: "Unk-6",
  7: "Model", 8: "APIC UUID", 9: "Fabricname", 10: "Unk-10", 11: "SerialNo", 12: "Interfacename",
};

function ciscoSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
  const sub = tvb.u8(o);
  if (o + 1 >= end) {
    missingLength(t, sub, true);
    return end;
  }
  const len = tvb.u8(o + 1);
  const vti = subHeader(t, f.option_vendor_cisco_suboption, f.option_suboption_length, tvb, o, sub, len, CISCO_NAMES);
  const so = o + 2;
  if (so + len > end) {
    missingValue(vti, sub, "Not sufficient room left in option for suboption value");
    return end;
  }
  const num = (fl: Field) => addUintItem(vti, fl, tvb, so, len);
  switch (sub) {
    case 1: num(f.option_vendor_cisco_unknown1); break;
    case 2: num(f.option_vendor_cisco_unknown2); break;
    case 3: num(f.option_vendor_cisco_unknown3); break;
    case 4: num(f.option_vendor_cisco_nodeid); break;
    case 5: num(f.option_vendor_cisco_unknown5); break;
    case 6: num(f.option_vendor_cisco_unknown6); break;
    case 7: addString(vti, f.option_vendor_cisco_model, tvb, so, len, false); break;
    case 8: addString(vti, f.option_vendor_cisco_apicuuid, tvb, so, len, false); break;
    case 9: addString(vti, f.option_vendor_cisco_fabricname, tvb, so, len, false); break;
    case 10: num(f.option_vendor_cisco_unknown10); break;
    case 11: addString(vti, f.option_vendor_cisco_serialno, tvb, so, len, false); break;
    case 12: addString(vti, f.option_vendor_cisco_clientint, tvb, so, len, false); break;
    default: addBytes(vti, f.option_vendor_cisco_unknown, tvb, so, len);
  }
  return o + len + 2;
}

// Aerohive

const AEROHIVE_NAMES: Readonly<Record<number, string>> = { 225: "XiqHostname", 226: "XiqIpAddress" };

function aerohiveSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
  const sub = tvb.u8(o);
  if (o + 1 >= end) {
    missingLength(t, sub, true);
    return end;
  }
  const len = tvb.u8(o + 1);
  const vti = subHeader(t, f.option_vendor_cisco_suboption, f.option_suboption_length, tvb, o, sub, len, AEROHIVE_NAMES);
  const so = o + 2;
  if (so + len > end) {
    missingValue(vti, sub, "Not sufficient room left in option for suboption value");
    return end;
  }
  if (sub === 225) addString(vti, f.option_vendor_aerohive_xiqhostname, tvb, so, len, false);
  else if (sub === 226) addIpv4Item(vti, f.option_vendor_aerohive_xiqipaddress, tvb, so, len); else addBytes(vti, f.option_vendor_aerohive_unknown, tvb, so, len);
  return o + len + 2;
}

function arubaInstantAp(c: OptCtx): void {
  const { tvb, t, st } = c;
  const f = st.f;
  const n = tvb.reportedLength;
  if (t.tree.full) t.appendText(" (Aruba Instant AP)");
  const vi = addString(t, f.option_vendor_arubaiap, tvb, 0, n, false);
  // tvb_find_guint8: within the captured bytes; an offset past them throws
  const find = (from: number, max: number): number => {
    tvb.ensure(from, 0);
    const lim = max < 0 ? tvb.length : Math.min(tvb.length, from + max);
    for (let i = from; i < lim; i++) if (tvb.u8(i) === 0x2c) return i;
    return -1;
  };
  // a length of -1 is "to the end" (no comma found)
  const str = (fl: Field, o: number, len: number) => addString(vi, fl, tvb, o, len === -1 ? tvb.remaining(o) : len, false);
  const nameLen = find(0, n);
  str(f.option_vendor_arubaiap_name_org, 0, nameLen);
  let o = nameLen + 1;
  const ampLen = find(o, n - nameLen - 1) - o;
  str(f.option_vendor_arubaiap_amp_ip, o, ampLen);
  o += ampLen + 1;
  addString(vi, f.option_vendor_arubaiap_password, tvb, o, tvb.reportedRemainingFrom(o), false);
}

// Apple BSDP

const BSDP_NAMES: Readonly<Record<number, string>> = {
  0: "Pad", 1: "Message Type", 2: "Version", 3: "Server Identifier", 4: "Server Priority", 5: "Reply Port",
  6: "Boot Image List Path", 7: "Default Boot Image", 8: "Selected Boot Image", 9: "Boot Image List",
  10: "NetBoot 1.0 Firmware", 11: "Boot Image Attributes Filter List", 12: "Maximum Message Size", 255: "End",
};

function bsdpAttributes(f: DhcpF, t: Item, tvb: Tvb, o: number): void {
  t.addBitmask(f.option_vendor_bsdp_boot_image_attribute, tvb, o, 2, tvb.u16(o), [
    f.option_vendor_bsdp_boot_image_attribute_install, f.option_vendor_bsdp_boot_image_attribute_kind,
    f.option_vendor_bsdp_boot_image_attribute_reserved,
  ]);
}

function bsdpSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
  const sub = tvb.u8(o);
  let len = 0;
  let itemLen = 1;
  if (sub !== 0 && sub !== 255) {
    if (o + 1 >= end) {
      missingLength(t, sub);
      return end;
    }
    len = tvb.u8(o + 1);
    itemLen = len + 2;
  }
  const vti = t.add(f.option_vendor_bsdp_suboption, tvb, o, itemLen, sub, t.tree.full ? `(${sub}) ${BSDP_NAMES[sub] ?? "Unknown"}` : undefined);
  if (itemLen === 1) return o + 1;
  addU8(vti, f.option_suboption_length, tvb, o + 1);
  const so = o + 2;
  if (so + len > end) {
    missingValue(vti, sub);
    return end;
  }
  switch (sub) {
    case 1: addUintItem(vti, f.option_vendor_bsdp_message_type, tvb, so, len); break;
    case 2: addUintItem(vti, f.option_vendor_bsdp_version, tvb, so, len); break;
    case 3: addIpv4Item(vti, f.option_vendor_bsdp_server_identifier, tvb, so, len); break;
    case 4: addUintItem(vti, f.option_vendor_bsdp_server_priority, tvb, so, len); break;
    case 5: addUintItem(vti, f.option_vendor_bsdp_reply_port, tvb, so, len); break;
    case 6: addString(vti, f.option_vendor_bsdp_boot_image_list_path, tvb, so, len, false); break;
    case 7: case 8: {
      const ti = addUintItem(vti, sub === 7 ? f.option_vendor_bsdp_default_boot_image_id : f.option_vendor_bsdp_selected_boot_image_id, tvb, so, len);
      bsdpAttributes(f, ti, tvb, so);
      addUintItem(ti, f.option_vendor_bsdp_boot_image_index, tvb, so + 2, len - 2);
      break;
    }
    case 9: {
      const ti = addBytes(vti, f.option_vendor_bsdp_boot_image_list, tvb, so, len);
      let left = len;
      let a = so;
      while (left >= 5) {
        const sl = tvb.u8(a + 4);
        if (sl > 0) {
          const tj = addBytes(ti, f.option_vendor_bsdp_boot_image_desc, tvb, a, sl + 5);
          bsdpAttributes(f, tj, tvb, a);
          addUintItem(tj, f.option_vendor_bsdp_boot_image_index, tvb, a + 2, 2);
          addU8(tj, f.option_vendor_bsdp_boot_image_name_len, tvb, a + 4);
          tvb.ensure(a + 5, sl);
          const b = tvb.bytes(a + 5, sl);
          const z = b.indexOf(0);
          const it = tj.add(f.option_vendor_bsdp_boot_image_name, tvb, a + 5, sl, new TextDecoder().decode(z < 0 ? b : b.subarray(0, z)),
            labelBytes(b, 0, z < 0 ? sl : z));
          strayNote(it, f.option_vendor_bsdp_boot_image_name, b, true);
        }
        a += 5 + sl;
        left = (left - (5 + sl)) & 0xff;
      }
      break;
    }
    case 10: addItem(vti, f.option_vendor_bsdp_netboot_firmware, tvb, so, len, null); break;
    case 11: {
      const ti = addBytes(vti, f.option_vendor_bsdp_attributes_filter_list, tvb, so, len);
      for (let left = len, a = so; left >= 2; left -= 2, a += 2) bsdpAttributes(f, ti, tvb, a);
      break;
    }
    case 12: addUintItem(vti, f.option_vendor_bsdp_message_size, tvb, so, len); break;
  }
  return o + itemLen;
}

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
