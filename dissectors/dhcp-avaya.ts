/**
 * DHCP option 242: Avaya IP Telephone parameters ("NAME=value,NAME=value,…"), as tshark
 * 4.0 decodes them. Called through dhcp-options.ts's HANDLERS.
 */
import type { Field } from "../src/core/field.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { addItem, addString, badLength, note, type DhcpF, type OptCtx } from "./dhcp-util.js";

const AVAYA_STATIC: Readonly<Record<string, string>> = {
  0: "Static programming never overrides call server (DHCP) or call server administered data",
  1: "Static programming overrides only file server administered data",
  2: "Static programming overrides only call server administered data",
  3: "Static programming overrides both file server- and call server-administered data",
};
const AVAYA_DOT1X: Readonly<Record<string, string>> = {
  0: "With PAE pass-through", 1: "With PAE pass-through and proxy Logoff", 2: "Without PAE pass-through or proxy Logoff",
};
const AVAYA_ICMPDU: Readonly<Record<string, string>> = {
  0: "No ICMP Destination Unreachable messages", 1: "Send limited Port Unreachable messages",
  2: "Send Protocol and Port Unreachable messages",
};
const AVAYA_ICMPRED: Readonly<Record<string, string>> = { 0: "Ignore ICMP Redirect messages", 1: "Process ICMP Redirect messages" };
const AVAYA_L2Q: Readonly<Record<string, string>> = { 0: "Auto", 1: "Enabled", 2: "Disabled" };
const AVAYA_LOGLOCAL: Readonly<Record<string, string>> = {
  0: "Disabled", 1: "Emergencie", 2: "Alerts", 3: "Critical", 4: "Errors", 5: "Warnings", 6: "Notices", 7: "Information", 8: "Debug",
};
const AVAYA_PHYSTAT: Readonly<Record<string, string>> = {
  0: "Disabled", 1: "Auto", 2: "10Mbps half", 3: "10Mbps full", 4: "100Mbps half", 5: "100Mbps full", 6: "1000Mbps full",
};
const AVAYA_PROCSTAT: Readonly<Record<string, string>> = { 0: "All administrative options", 1: "Only view administrative options" };

/** ws_strtoi32 over a whole string: [value, valid]. */
function strtoi32(s: string): [number, boolean] {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(s);
  if (m === null) return [0, false];
  // a number followed by anything else is no number (0); out of range is clamped and invalid
  if (m[0].length !== s.length) return [0, false];
  const v = Number(m[1]);
  const clamped = Math.max(-2147483648, Math.min(2147483647, v));
  return [clamped, v === clamped];
}

/** UTF-8 length of a string (offsets in the option follow the C string's bytes). */
function u8len(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** 242: Avaya IP Telephone ("NAME=value,NAME=value,…"). */
export function avaya(c: OptCtx): number {
  const { tvb, t, st } = c;
  const f = st.f;
  const n = tvb.reportedLength;
  if (n < 5) {
    badLength(t, "Avaya IP Telephone option length isn't >= 5");
    return 1;
  }
  const ti = addString(t, f.option_vendor_avaya, tvb, 0, n, true);
  const value = ti.value as string | null;
  const str = typeof value === "string" ? value : asciiOf(tvb, n);
  let o = 0;
  let buf = "";
  const param = (p: string, at: number) => avayaParam(f, ti, tvb, at, p);
  for (const field of str === "" ? [] : str.split(",")) {
    if (!field.includes("=")) {
      if (buf === "") {
        note(ti, "error", "dhcp.subopt.unknown_type", `ERROR, Unknown parameter ${field}`);
        o += u8len(field);
        break;
      }
      buf += "," + field;
    } else {
      if (buf !== "") {
        param(buf, o);
        o += u8len(buf) + 1;
        buf = "";
      }
      buf += field;
    }
  }
  if (buf !== "") param(buf, o);
  return tvb.length;
}

function asciiOf(tvb: Tvb, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    const b = tvb.u8(i);
    if (b === 0) break;
    s += b < 0x80 ? String.fromCharCode(b) : "\ufffd";
  }
  return s;
}

function avayaParam(f: DhcpF, ti: Item, tvb: Tvb, o: number, p: string): void {
  const len = u8len(p);
  const str = (prefix: string, field: Field, table?: Readonly<Record<string, string>>): boolean => {
    if (!p.startsWith(prefix) || len <= prefix.length) return false;
    const v = p.slice(prefix.length);
    addItem(ti, field, tvb, o, len, v, table === undefined ? undefined : `${v} (${table[v] ?? `Unknown (${v})`})`);
    return true;
  };
  const int = (prefix: string, field: Field, abbrev: string, message: string, noteWhenValid: boolean): boolean => {
    if (!p.startsWith(prefix) || len <= prefix.length) return false;
    const [v, valid] = strtoi32(p.slice(prefix.length));
    const it = addItem(ti, field, tvb, o, len, v);
    if (valid === noteWhenValid) note(it, "error", abbrev, message);
    return true;
  };
  if (str("TLSSRVR=", f.option_vendor_avaya_tlssrvr)) return;
  if (str("HTTPSRVR=", f.option_vendor_avaya_httpsrvr)) return;
  if (str("HTTPDIR=", f.option_vendor_avaya_httpdir)) return;
  if (str("STATIC=", f.option_vendor_avaya_static, AVAYA_STATIC)) return;
  if (str("MCIPADD=", f.option_vendor_avaya_mcipadd)) return;
  if (str("DOT1X=", f.option_vendor_avaya_dot1x, AVAYA_DOT1X)) return;
  if (str("ICMPDU=", f.option_vendor_avaya_icmpdu, AVAYA_ICMPDU)) return;
  if (str("ICMPRED=", f.option_vendor_avaya_icmpred, AVAYA_ICMPRED)) return;
  if (str("L2Q=", f.option_vendor_avaya_l2q, AVAYA_L2Q)) return;
  if (int("L2QVLAN=", f.option_vendor_avaya_l2qvlan, "dhcp.option.vendor.avaya.l2qvlan.invalid", "Option 242 (L2QVLAN) invalid", true)) return;
  if (str("LOGLOCAL=", f.option_vendor_avaya_loglocal, AVAYA_LOGLOCAL)) return;
  if (str("PHY1STAT=", f.option_vendor_avaya_phy1stat, AVAYA_PHYSTAT)) return;
  if (str("PHY2STAT=", f.option_vendor_avaya_phy2stat, AVAYA_PHYSTAT)) return;
  if (str("PROCPSWD=", f.option_vendor_avaya_procpswd)) return;
  if (str("PROCSTAT=", f.option_vendor_avaya_procstat, AVAYA_PROCSTAT)) return;
  if (str("SNMPADD=", f.option_vendor_avaya_snmpadd)) return;
  if (str("SNMPSTRING=", f.option_vendor_avaya_snmpstring)) return;
  if (int("VLANTEST=", f.option_vendor_avaya_vlantest, "dhcp.option.vendor.avaya.vlantest.invalid", "Option 242 (avaya vlantest) invalid", false)) return;
  note(ti, "error", "dhcp.subopt.unknown_type", `ERROR, Unknown Avaya IP Telephone parameter ${p}`);
}
