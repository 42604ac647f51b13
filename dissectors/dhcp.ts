/**
 * DHCP and BOOTP (RFC 951, 1542, 2131, 2132) as tshark 4.0 shows them (packet-dhcp.c):
 * the BOOTP header, the magic cookie (or the 64 bytes of BOOTP vendor options), then the
 * options, in two passes as tshark reads them — a first pass that only looks for the
 * message type (53), the vendor class (60), the overload (52) and the long options
 * (119/120), so the columns say "DHCP Request  - Transaction ID 0x…" and the sname/file
 * fields are known to hold options, then the tree. A BOOTP message without option 53 keeps
 * the Protocol column "BOOTP" and an Info of its own ("Boot Request from <MAC> (<MAC>)").
 * UDP ports 67 and 68, and 4011 (proxyDHCP, only with the magic cookie).
 * Options: dhcp-options.ts (names and basic types: dhcp-basic.ts); vendor suboptions:
 * dhcp-vendor.ts, dhcp-vendor-equipment.ts, dhcp-relay-vi.ts; fields: dhcp-fields.ts.
 */
import { etherToString } from "../src/core/format.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import { MALFORMED, defineProtocol } from "../src/core/proto.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { DHCP_FIELDS } from "./dhcp-fields.js";
import { messageTypeName } from "./dhcp-basic.js";
import { dhcpOption } from "./dhcp-options.js";
import { addBytes, addItem, addString, addSubtree, addU8, arphrdAddr, ContainedBoundsError, note, type DhcpState } from "./dhcp-util.js";

const MAGIC = 0x63825363;
const PROXY_DHCP_PORT = 4011;
const VENDOR_INFO_OFFSET = 236;
const SERVER_NAME_OFFSET = 44;
const SERVER_NAME_LEN = 64;
const FILE_NAME_OFFSET = 108;
const FILE_NAME_LEN = 128;

export const dhcp = defineProtocol({
  name: "Dynamic Host Configuration Protocol",
  abbrev: "dhcp",
  aliases: ["bootp"],
  short: "DHCP/BOOTP",
  fields: DHCP_FIELDS,
  registers: [
    ["udp.port", 67],
    ["udp.port", 68],
    ["udp.port", PROXY_DHCP_PORT],
  ],
  dissect(tvb, pinfo, tree) {
    try {
      return dissectDhcp(tvb, pinfo, tree);
    } catch (e) {
      if (!(e instanceof ContainedBoundsError)) throw e;
      // show_exception's ContainedBoundsError: a malformed mark of its own wording
      pinfo.malformed = true;
      const it = tree.add(MALFORMED, tvb, 0, 0, null);
      it.setText(`[Malformed Packet: ${dhcp.short}: length of contained item exceeds length of containing item]`);
      it.expert("error", "malformed", "Malformed Packet (Exception occurred)", "_ws.malformed", "_ws.malformed.expert");
      pinfo.appendInfo("[Malformed Packet: length of contained item exceeds length of containing item]");
      return tvb.length;
    }
  },
});

function dissectDhcp(tvb: Tvb, pinfo: PacketInfo, tree: Item): number {
  const f = dhcp.f;
  let isProxy = false;
  if (pinfo.srcport === PROXY_DHCP_PORT || pinfo.dstport === PROXY_DHCP_PORT) {
    // the magic cookie is mandatory for proxyDHCP: without it, not ours
    if (!tvb.has(VENDOR_INFO_OFFSET, 4) || tvb.u32(VENDOR_INFO_OFFSET) !== MAGIC) return 0;
    isProxy = true;
  }
  pinfo.setProtocol("BOOTP");
  pinfo.setInfo("");

  const op = tvb.u8(0);
  const htype = tvb.u8(1);
  const hlen = tvb.u8(2);
  if (op === 1) {
    // the address is read whether or not the column is wanted (it can run out of bytes)
    const addr = arphrdAddr(tvb, 28, hlen, htype);
    if ((htype === 1 || htype === 6) && hlen === 6) pinfo.setInfo(`Boot Request from ${addr} (${etherToString(tvb.bytes(28, 6))})`);
    else pinfo.setInfo(`Boot Request from ${addr}`);
  } else if (op === 2) pinfo.setInfo("Boot Reply");
  else pinfo.setInfo(`Unknown BOOTP message type (${op})`);

  const hasCookie = tvb.has(VENDOR_INFO_OFFSET, 4) && tvb.u32(VENDOR_INFO_OFFSET) === MAGIC;
  let voff = hasCookie ? VENDOR_INFO_OFFSET + 4 : VENDOR_INFO_OFFSET + 64;
  const eoff = tvb.reportedLength;

  const top = tree.add(dhcp.hf, tvb, 0, tvb.length, null);
  const st: DhcpState = {
    f, pinfo, tvb, dhcpType: null, vendorClassId: null, overload: 0,
    search119: { total: 0, index: 0, parts: null },
    sip120: { total: 0, index: 0, parts: null },
  };

  // first pass: the options the columns and the tree depend on
  for (let o = voff, end = { v: false }; o < eoff && !end.v; ) o += firstPassOption(st, o, eoff, end);

  if (st.dhcpType !== null) {
    pinfo.setProtocol("DHCP");
    if (pinfo.cols !== null) {
      pinfo.setInfo(`${isProxy ? "proxy" : ""}DHCP ${st.dhcpType.padEnd(8)} - Transaction ID 0x${tvb.u32(4).toString(16)}`);
    }
  }

  top.add(f.type, tvb, 0, 1, op);
  addU8(top, f.hw_type, tvb, 1);
  top.add(f.hw_len, tvb, 2, 1, hlen);
  addU8(top, f.hops, tvb, 3);
  addItem(top, f.id, tvb, 4, 4, tvb.u32(4));
  // Windows sends "secs" little-endian; tshark takes a small little-endian value as that
  const secsLe = tvb.u16le(8);
  if (secsLe > 0 && secsLe <= 0xff) {
    const it = top.add(f.secs, tvb, 8, 2, secsLe);
    note(it, "note", "dhcp.secs_le", "Seconds elapsed appears to be encoded as little-endian");
  } else top.add(f.secs, tvb, 8, 2, tvb.u16(8));
  const flags = tvb.u16(10);
  const fi = top.addBitmask(f.flags, tvb, 10, 2, flags, [f.flags_bc, f.flags_reserved]);
  if (top.tree.full) fi.appendText(flags & 0x8000 ? " (Broadcast)" : " (Unicast)");
  addItem(top, f.ip_client, tvb, 12, 4, tvb.u32(12));
  addItem(top, f.ip_your, tvb, 16, 4, tvb.u32(16));
  addItem(top, f.ip_server, tvb, 20, 4, tvb.u32(20));
  addItem(top, f.ip_relay, tvb, 24, 4, tvb.u32(24));

  if (hlen > 0 && hlen <= 16) {
    if ((htype === 1 || htype === 6) && hlen === 6) top.add(f.hw_mac_addr, tvb, 28, 6, tvb.bytes(28, 6));
    else {
      // proto_tree_add_bytes_format_value over the whole chaddr field
      tvb.ensure(28, 16);
      top.add(f.hw_addr, tvb, 28, 16, tvb.bytes(28, 16), arphrdAddr(tvb, 28, hlen, htype));
    }
    if (16 - hlen > 0) addBytes(top, f.hw_addr_padding, tvb, 28 + hlen, 16 - hlen);
  } else {
    // proto_tree_add_expert: a text item carrying the note
    note(addSubtree(top, tvb, 28, 16, "Client address not given"), "note", "dhcp.client_address_not_given", "Client address not given");
  }

  nameField(st, top, st.overload & 2, f.server, SERVER_NAME_OFFSET, SERVER_NAME_LEN, "Server host name not given",
    "dhcp.server_name_overloaded_by_dhcp", "Server name option overloaded by DHCP");
  nameField(st, top, st.overload & 1, f.file, FILE_NAME_OFFSET, FILE_NAME_LEN, "Boot file name not given",
    "dhcp.boot_filename_overloaded_by_dhcp", "Boot file name option overloaded by DHCP");

  if (st.dhcpType === null) top.add(f.bootp, tvb, 0, 0, true).hide();
  if (hasCookie) top.add(f.cookie, tvb, VENDOR_INFO_OFFSET, 4, MAGIC, "DHCP");
  else addBytes(top, f.vendor_specific_options, tvb, VENDOR_INFO_OFFSET, 64);

  // second pass: the tree
  const atEnd = { v: false };
  st.search119.index = 0;
  st.sip120.index = 0;
  while (voff < eoff && !atEnd.v) voff += dhcpOption(st, top, voff, eoff, atEnd);
  if (st.dhcpType !== null && !atEnd.v) note(top, "error", "dhcp.end_option_missing", "End option missing");
  if (voff < eoff) addBytes(top, f.option_padding, tvb, voff, eoff - voff);
  return tvb.length;
}

/** The server host name or boot file name field: a string, "not given", or overloaded with options. */
function nameField(
  st: DhcpState, top: Item, overloaded: number, field: (typeof dhcp.f)["server"], off: number, len: number, notGiven: string,
  abbrev: string, message: string,
): void {
  const tvb = st.tvb;
  if (overloaded) note(addSubtree(top, tvb, off, len, message), "note", abbrev, message); else if (tvb.u8(off) !== 0) addString(top, field, tvb, off, len, false);
  else {
    tvb.ensure(off, len);
    const it = top.add(field, tvb, off, len, "");
    it.setText(notGiven);
  }
}

/**
 * dhcp_option's first pass: the bytes an option takes, noting 52, 53, 60, 119 and 120
 * when their value is all there. Reads nothing past what is captured except where
 * tshark does (padding runs, a zero-length 52/53 read past its end).
 */
function firstPassOption(st: DhcpState, voff: number, eoff: number, atEnd: { v: boolean }): number {
  const tvb = st.tvb;
  const code = tvb.u8(voff);
  if (code === 0) {
    let i = voff + 1;
    while (i < eoff && tvb.u8(i) === 0) i++;
    return i - voff;
  }
  if (code === 255) {
    atEnd.v = true;
    return 1;
  }
  if (!tvb.has(voff + 1, 1)) return 1;
  const optlen = tvb.u8(voff + 1);
  if (tvb.has(voff + 2, optlen)) {
    switch (code) {
      case 52:
        st.overload = tvb.u8(voff + 2);
        break;
      case 53:
        st.dhcpType = messageTypeName(tvb.u8(voff + 2));
        break;
      case 60: {
        const b = tvb.bytes(voff + 2, optlen);
        let s = "";
        for (let i = 0; i < b.length && b[i] !== 0; i++) s += b[i] < 0x80 ? String.fromCharCode(b[i]) : "\ufffd";
        st.vendorClassId = s;
        break;
      }
      case 119:
        st.search119.total++;
        break;
      case 120:
        st.sip120.total++;
        break;
    }
  }
  return optlen + 2;
}
