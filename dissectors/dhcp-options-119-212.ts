/**
 * DHCP options 119 to 212 with decoders of their own, as tshark 4.0 decodes them: the
 * RFC 3396 long options (119 Domain Search, 120 SIP Servers: their pieces are put together
 * first), Classless Static Route (121, and 249 with the same decoder), V-I Vendor Class
 * (124), Forcerenew Nonce Capable (145), RDNSS Selection (146), Leasequery (151, 152, 154,
 * 155), PCP Server (158), Portparams (159) and 6RD (212). Called through dhcp-options.ts's
 * HANDLERS.
 */
import { ipv4ToString } from "../src/core/format.js";
import { labelBytes } from "../src/core/label.js";
import { Tvb } from "../src/core/tvb.js";
import { enterpriseItem } from "./dhcp-basic.js";
import {
  addBytes, addIpv4, addItem, addString, addSubtree, addU8, badLength, note, strayNote, type DhcpF, type LongOption,
  type OptCtx, type OptHandler,
} from "./dhcp-util.js";
import { readName } from "./dns-rr-names.js";

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
export function domainSearch(c: OptCtx): number {
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
export function sipServers(c: OptCtx): number {
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
export function classlessStaticRoute(c: OptCtx): number {
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
export function viVendorClass(c: OptCtx): number {
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
export function forcerenewNonce(c: OptCtx): number {
  const { tvb, t, st } = c;
  for (let o = 0; tvb.reportedRemainingFrom(o) > 0; o++) addU8(t, st.f.option_forcerenew_nonce_algorithm, tvb, o);
  return tvb.length;
}

/** 146: RDNSS Selection (RFC 6731). */
export function rdnss(c: OptCtx): number {
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
export function bulkLeaseStatus(c: OptCtx): number {
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
export function ntpTime(key: keyof DhcpF): OptHandler {
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
export function pcpServer(c: OptCtx): number {
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
export function portparams(c: OptCtx): number {
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
export function sixRd(c: OptCtx): number {
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
