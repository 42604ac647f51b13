/**
 * DHCP options 122 (CableLabs Client Configuration, RFC 3495 as tshark's default
 * "protocol version") and 123 (Coordinate-based Location, RFC 3825, or CableLabs' DSS_ID),
 * as tshark 4.0 decodes them. Called through dhcp-options.ts's HANDLERS.
 */
import { ipv4ToString } from "../src/core/format.js";
import { addItem, addString, addU8, badLength, note, type DhcpF, type OptCtx } from "./dhcp-util.js";
import { readName } from "./dns-rr-names.js";

/** plurality(n, "", "s") */
function bytesWord(n: number): string {
  return n === 1 ? "byte" : "bytes";
}

/** 122: CableLabs Client Configuration, as RFC 3495 (tshark's default "protocol version"). */
export function cableLabsCcc(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const end = tvb.reportedLength;
  let o = 0;
  while (tvb.reportedRemainingFrom(o) > 0) {
    const sub = tvb.u8(o);
    let so = o + 1;
    if (so >= end) {
      note(t, "error", "dhcp.missing_subopt_length", `Suboption ${sub}: no room left in option for suboption length`);
      break;
    }
    const len = tvb.u8(so);
    so++;
    const vti = t.add(f.vendor_pc_ietf_ccc_suboption, tvb, o, 1, sub);
    vti.setLen(len + 2);
    const full = t.tree.full;
    if (full) vti.appendText(": ");
    let text = "";
    const missing = () => note(vti, "error", "dhcp.missing_subopt_value", "no room left in option for suboption value");
    let stop = false;
    switch (sub) {
      case 1: case 2:
        if (so + 4 > end) {
          missing();
          stop = true;
          break;
        }
        text += `${ipv4ToString(tvb.u32(so))} (${len} ${bytesWord(len)}${len !== 4 ? " [Invalid]" : ""})`;
        so += len;
        break;
      case 3: {
        if (so + 1 > end) {
          missing();
          stop = true;
          break;
        }
        const type = tvb.u8(so);
        so++;
        if (type === 0) {
          const n = readName(tvb, so, so, len);
          text += `${n.text} (${(len - 1) & 0xff} ${bytesWord(len)})`;
        } else if (type === 1) {
          if (so + 4 > end) {
            missing();
            stop = true;
            break;
          }
          text += `${ipv4ToString(tvb.u32(so))} (${len} ${bytesWord(len)}${len !== 5 ? " [Invalid]" : ""})`;
        } else text += `Invalid type: ${type} (${len} ${bytesWord(len)})`;
        so += len - 1;
        break;
      }
      case 4: case 5: {
        if (sub === 4 && so + 12 > end) {
          missing();
          stop = true;
          break;
        }
        text += `(${len} ${bytesWord(len)}${len !== 12 ? " [Invalid]" : ""})`;
        if (full) vti.appendText(text);
        text = "";
        if (len === 12) {
          const keys = sub === 4
            ? [f.cl_ietf_ccc_dev_realm_unc_key_nom_timeout, f.cl_ietf_ccc_dev_realm_unc_key_max_timeout, f.cl_ietf_ccc_dev_realm_unc_key_max_retries]
            : [f.cl_ietf_ccc_dev_prov_unc_key_nom_timeout, f.cl_ietf_ccc_dev_prov_unc_key_max_timeout, f.cl_ietf_ccc_dev_prov_unc_key_max_retries];
          keys.forEach((k, i) => addItem(vti, k, tvb, so + 4 * i, 4, tvb.u32(so + 4 * i)));
        }
        so += len;
        break;
      }
      case 6: {
        const n = readName(tvb, so, so, len);
        text += `${n.text} (${len} ${bytesWord(len)})`;
        so += len;
        break;
      }
      case 7:
        if (so + 1 > end) {
          missing();
          stop = true;
          break;
        }
        text += `${tvb.u8(so) ? "Yes" : "No"} (${len} ${bytesWord(len)}${len !== 1 ? " [Invalid]" : ""})`;
        so += 1;
        break;
      case 8: {
        if (so + 1 > end) {
          missing();
          stop = true;
          break;
        }
        const timer = tvb.u8(so);
        text += `${timer} (${len} ${bytesWord(len)}${len !== 1 ? " [Invalid]" : ""})`;
        so += 1;
        break;
      }
      case 9: {
        if (so + 2 > end) {
          missing();
          stop = true;
          break;
        }
        const v = tvb.u16(so);
        text += `0x${v.toString(16).padStart(4, "0")} (${len} ${bytesWord(len)}${len !== 2 ? " [Invalid]" : ""})`;
        if (full) vti.appendText(text);
        text = "";
        if (len === 2) {
          vti.add(f.ccc_ietf_sec_tkt_pc_provision_server, tvb, so, 2, (v & 1) !== 0);
          vti.add(f.ccc_ietf_sec_tkt_all_pc_call_management, tvb, so, 2, (v & 2) !== 0);
        }
        so += len;
        break;
      }
      default:
        so += len;
    }
    if (full && !stop) vti.appendText(text);
    if (stop) break;
    o = so;
  }
  return tvb.length;
}

/** C's "%15.10f". */
function fixed15(x: number): string {
  return x.toFixed(10).padStart(15, " ");
}

/** 123: Coordinate-based Location (RFC 3825), or CableLabs' DSS_ID. */
export function coordinateLocation(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const length = tvb.reportedLength;
  if (length === 16) {
    const b = tvb.bytes(0, 16);
    const r = rfc3825(b);
    if (typeof r === "number") t.add(f.option_rfc3825_error, tvb, 0, 1, r).setLen(length);
    else {
      const d = (key: keyof DhcpF, o: number, n: number, v: number) => t.add(f[key], tvb, o, n, v, fixed15(v));
      d("option_rfc3825_latitude", 0, 5, r.lat);
      d("option_rfc3825_longitude", 5, 5, r.lon);
      d("option_rfc3825_latitude_res", 0, 1, r.latRes);
      d("option_rfc3825_longitude_res", 5, 1, r.lonRes);
      d("option_rfc3825_altitude", 12, 4, r.alt);
      d("option_rfc3825_altitude_res", 10, 2, r.altRes);
      t.add(f.option_rfc3825_altitude_type, tvb, 10, 1, r.altType);
      t.add(f.option_cl_dss_id_option, tvb, 15, 1, r.datum);
    }
  } else if (length < 69) {
    addU8(t, f.option_cl_dss_id_type, tvb, 0);
    addU8(t, f.option_cl_dss_id_len, tvb, 1);
    let sLen = tvb.u8(1);
    addString(t, f.option_cl_dss_id, tvb, 2, sLen, true);
    if (length > sLen + 2) {
      addU8(t, f.option_cl_dss_id_type, tvb, 2 + sLen);
      addU8(t, f.option_cl_dss_id_len, tvb, 3 + sLen);
      sLen = tvb.u8(3 + sLen);
      addString(t, f.option_cl_dss_id, tvb, 4 + sLen, sLen, true);
    }
  } else badLength(t, "Invalid length of DHCP option!");
  return tvb.length;
}

interface Lci {
  lat: number; lon: number; latRes: number; lonRes: number; alt: number; altRes: number; altType: number; datum: number;
}

/** rfc3825_lci_to_fixpoint + rfc3825_fixpoint_to_decimal: the location, or an error number. */
function rfc3825(b: Uint8Array): Lci | number {
  const fx34 = (i: number) => {
    let v = (b[i] & 3) * 2 ** 32 + ((b[i + 1] << 24) >>> 0) + (b[i + 2] << 16) + (b[i + 3] << 8) + b[i + 4];
    if (b[i] & 2) v -= 2 ** 34;
    return v;
  };
  const latResFx = (b[0] >> 2) & 0x3f;
  const lonResFx = (b[5] >> 2) & 0x3f;
  const altType = (b[10] >> 4) & 0x0f;
  const altResFx = ((b[10] & 0x0f) << 2) | ((b[11] >> 6) & 3);
  let altFx = ((b[11] & 0x3f) << 24) | (b[12] << 16) | (b[13] << 8) | b[14];
  if (b[11] & 0x20) altFx |= 3 << 30;
  const res = (r: number, base: number) => (r > base ? 1 / 2 ** (r - base) : 2 ** (base - r));
  const lat = fx34(0) / 2 ** 25;
  if (lat > 90 || lat < -90) return 1;
  if (latResFx > 34) return 2;
  const lon = fx34(5) / 2 ** 25;
  if (lon > 180 || lon < -180) return 3;
  if (lonResFx > 34) return 4;
  let alt = 0;
  let altRes = 0;
  if (altType === 1) {
    alt = altFx / 2 ** 8;
    if (alt > 2 ** 21 - 1 || alt < -(2 ** 21)) return 5;
    if (altResFx > 30) return 6;
    altRes = res(altResFx, 21);
  } else if (altType === 2) {
    if (altResFx !== 30 && altResFx !== 0) return 6;
    alt = altFx / 2 ** 8;
  } else if (altType !== 0) return 7;
  if (b[15] > 3 || b[15] < 1) return 8;
  return { lat, lon, latRes: res(latResFx, 8), lonRes: res(lonResFx, 8), alt, altRes, altType, datum: b[15] };
}
