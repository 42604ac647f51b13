/**
 * Option 43 (Vendor-Specific Information) suboptions of equipment vendors, as tshark 4.0
 * decodes them: Alcatel-Lucent (with the heuristic that recognises its suboptions), Cisco
 * ACI fabric, Aerohive, Aruba Instant AP and Apple's Boot Server Discovery Protocol (BSDP).
 * dhcp-vendor.ts's heuristic list picks the decoder.
 */
import type { Field } from "../src/core/field.js";
import { labelBytes } from "../src/core/label.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import {
  addBytes, addIpv4, addIpv4Item, addItem, addString, addU16, addU8, addUintItem, badLength, missingLength, missingValue,
  strayNote, subHeader, unknownType, type DhcpF, type OptCtx,
} from "./dhcp-util.js";

// Alcatel-Lucent

const ALU_NAMES: Readonly<Record<number, string>> = {
  0: "Padding", 58: "Voice VLAN ID", 64: "Spatial Redundancy TFTP1", 65: "Spatial Redundancy TFTP2",
  66: "Application Type", 67: "SIP URL", 255: "Alcatel-Lucent End",
};

/** The heuristic: a first suboption Alcatel uses, and suboptions that fit the option. */
export function alcatelLike(tvb: Tvb): boolean {
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

export function alcatelSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
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

export function ciscoSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
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

export function aerohiveSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
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

export function arubaInstantAp(c: OptCtx): void {
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

export function bsdpSuboption(f: DhcpF, t: Item, tvb: Tvb, o: number, end: number): number {
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
