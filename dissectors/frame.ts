/** The frame "protocol": capture metadata (time, lengths, interface), then the link layer by link type. */
import { callData, callDissector, defineProtocol, lookupTable } from "../src/core/proto.js";
import { timeDiff } from "../src/core/time.js";
import type { Time } from "../src/core/field.js";

/** Names of Wireshark's WTAP_ENCAP values (what frame.encap_type holds), for the link types nestcap reads. */
const WTAP_ENCAP_NAMES: Record<number, string> = {
  1: "Ethernet", 3: "SLIP", 4: "PPP", 7: "Raw IP", 9: "Linux ARCNET", 13: "ATM PDUs", 15: "NULL/Loopback",
  20: "IEEE 802.11 Wireless LAN", 23: "IEEE 802.11 plus radiotap radio header", 25: "Linux cooked-mode capture v1",
  26: "Frame Relay", 28: "Cisco HDLC", 67: "Juniper ATM1", 83: "Juniper Ethernet", 104: "IEEE 802.15.4 Wireless PAN",
  124: "Solaris IPNET", 129: "Raw IPv4", 130: "Raw IPv6", 141: "NFLOG", 146: "D-Bus", 171: "Apple PKTAP",
  174: "OpenBSD loopback", 180: "IP over IB", 210: "Linux cooked-mode capture v2",
};
// USER0..USER15 (LINKTYPE 147..162) are WTAP_ENCAP 45..60
for (let i = 0; i < 16; i++) WTAP_ENCAP_NAMES[45 + i] = `USER ${i}`;

export const frame = defineProtocol({
  name: "Frame",
  abbrev: "frame",
  fields: {
    sectionNumber: { abbrev: "frame.section_number", name: "Section number", type: "uint32" },
    interfaceId: { abbrev: "frame.interface_id", name: "Interface id", type: "uint32" },
    interfaceName: { abbrev: "frame.interface_name", name: "Interface name", type: "string" },
    interfaceDescription: { abbrev: "frame.interface_description", name: "Interface description", type: "string" },
    encapType: { abbrev: "frame.encap_type", name: "Encapsulation type", type: "int16", strings: WTAP_ENCAP_NAMES },
    time: { abbrev: "frame.time", name: "Arrival Time", type: "abs_time" },
    timeShift: { abbrev: "frame.offset_shift", name: "Time shift for this packet", type: "rel_time" },
    timeEpoch: { abbrev: "frame.time_epoch", name: "Epoch Time", type: "abs_time", base: "epoch", ftName: "FT_RELATIVE_TIME" },
    timeDelta: { abbrev: "frame.time_delta", name: "Time delta from previous captured frame", type: "rel_time" },
    timeDeltaDisplayed: { abbrev: "frame.time_delta_displayed", name: "Time delta from previous displayed frame", type: "rel_time" },
    timeRelative: { abbrev: "frame.time_relative", name: "Time since reference or first frame", type: "rel_time" },
    number: { abbrev: "frame.number", name: "Frame Number", type: "uint32" },
    len: { abbrev: "frame.len", name: "Frame Length", type: "uint32" },
    capLen: { abbrev: "frame.cap_len", name: "Capture Length", type: "uint32" },
    lenLtCaplen: { abbrev: "frame.len_lt_caplen", name: "Frame length is less than captured length", type: "none" },
    timeInvalid: { abbrev: "frame.time_invalid", name: "Arrival Time: Fractional second out of range (0-1000000000)", type: "none" },
    marked: { abbrev: "frame.marked", name: "Frame is marked", type: "bool", tfs: ["True", "False"] },
    ignored: { abbrev: "frame.ignored", name: "Frame is ignored", type: "bool", tfs: ["True", "False"] },
    protocols: { abbrev: "frame.protocols", name: "Protocols in frame", type: "string" },
    comment: { abbrev: "frame.comment", name: "Comment", type: "string" },
    comments: { abbrev: "frame.comment.expert", name: "Packet comments", type: "none" },
  },
  dissect(tvb, pinfo, tree) {
    const fr = pinfo.frame;
    const s = pinfo.session;
    const f = frame.f;
    const ts: Time = { s: fr.tsSec, ns: fr.tsNsec };
    if (s.firstTs === null) s.firstTs = ts;
    const prev = s.prevTs ?? ts;
    const prevDisp = s.prevDisplayedTs ?? ts;
    s.prevTs = ts;
    pinfo.prevTs = prev;
    pinfo.prevDisplayedTs = prevDisp;

    if (fr.comments && fr.comments.length > 0) {
      const ct = tree.add(f.comments, tvb, 0, 0, null).setText("Packet comments");
      for (const c of fr.comments) ct.add(f.comment, tvb, 0, 0, c).setText(c);
    }

    const ifname = fr.iface?.name ?? "unknown";
    // pcapng frames carry their interface (tshark shows its id, and "unknown" without if_name)
    const hasIdb = fr.iface !== undefined;
    // Labels and derived times are built only when someone will read them (hot path).
    const t = tree.tree;
    const full = t.full;
    const top = tree.add(frame.hf, tvb, 0, tvb.length, null);
    if (full)
      top.setText(
        `Frame ${fr.num}: ${onWire(fr.len)}, ${captured(fr.caplen)}` +
          (hasIdb ? ` on interface ${ifname}, id ${fr.interfaceId}` : ""),
      );
    if (fr.section !== undefined) top.add(f.sectionNumber, tvb, 0, 0, fr.section);
    if (hasIdb) {
      const id = fr.localInterfaceId ?? fr.interfaceId;
      const it = top.add(f.interfaceId, tvb, 0, 0, id, full ? `${id} (${ifname})` : undefined);
      // tshark 4.0 names the interface even when its IDB has no if_name ("unknown")
      it.add(f.interfaceName, tvb, 0, 0, ifname);
      if (fr.iface?.description) it.add(f.interfaceDescription, tvb, 0, 0, fr.iface.description);
    }
    top.add(f.encapType, tvb, 0, 0, encapOf(fr.linkType));
    if (!fr.noTimestamp) {
      top.add(f.time, tvb, 0, 0, ts);
      if (ts.ns < 0 || ts.ns >= 1e9) {
        // a record whose fraction is out of range (tshark's "%09ld"), noted on the frame right after the time
        const n = ts.ns < 0 ? "-" + String(-ts.ns).padStart(8, "0") : String(ts.ns).padStart(9, "0");
        top.expert("note", "sequence", `Arrival Time: Fractional second ${n} is invalid, the valid range is 0-1000000000`, "frame", "frame.time_invalid");
      }
      if (t.wants(f.timeShift)) top.addGenerated(f.timeShift, tvb, 0, 0, { s: 0, ns: 0 });
      top.add(f.timeEpoch, tvb, 0, 0, ts);
      if (t.wants(f.timeDelta)) top.addGenerated(f.timeDelta, tvb, 0, 0, timeDiff(ts, prev));
      if (t.wants(f.timeDeltaDisplayed)) top.addGenerated(f.timeDeltaDisplayed, tvb, 0, 0, timeDiff(ts, prevDisp));
      if (t.wants(f.timeRelative)) top.addGenerated(f.timeRelative, tvb, 0, 0, timeDiff(ts, s.firstTs));
    }
    top.add(f.number, tvb, 0, 0, fr.num);
    const lenItem = top.add(f.len, tvb, 0, 0, fr.len, full ? bits(fr.len) : undefined);
    // a record claiming fewer bytes on the wire than it holds
    if (fr.len < fr.caplen) lenItem.expert("error", "malformed", "Frame length is less than captured length", "frame", "frame.len_lt_caplen");
    top.add(f.capLen, tvb, 0, 0, fr.caplen, full ? bits(fr.caplen) : undefined);
    top.addGenerated(f.marked, tvb, 0, 0, false);
    top.addGenerated(f.ignored, tvb, 0, 0, false);

    // The link layer, by link type; the protocols list is known only afterwards.
    const link = lookupTable("wtap_encap", fr.linkType);
    if (link === undefined) {
      // no dissector for this link type at all: tshark's columns say so
      pinfo.setProtocol("UNKNOWN");
      if (pinfo.cols !== null) pinfo.setInfo(`WTAP_ENCAP = ${encapOf(fr.linkType)}`);
    }
    if (link === undefined || callDissector(link, tvb, pinfo, tree) === 0) callData(tvb, pinfo, tree);
    // layers[0] is "frame" itself; tshark's list starts below it
    if (t.wants(f.protocols)) top.addGenerated(f.protocols, tvb, 0, 0, pinfo.layers.slice(1).join(":"));
    return tvb.length;
  },
});

const b = (n: number): string => (n === 1 ? "1 byte" : `${n} bytes`);
const bits = (n: number): string => `${b(n)} (${n * 8} bits)`;
const onWire = (n: number): string => `${b(n)} on wire (${n * 8} bits)`;
const captured = (n: number): string => `${b(n)} captured (${n * 8} bits)`;

/** Wireshark's WTAP_ENCAP numbers differ from LINKTYPE numbers; frame.encap_type shows Wireshark's. */
const WTAP_ENCAP: Record<number, number> = {
  0: 15, 1: 1, 8: 3, 9: 4, 12: 7, 14: 7, 50: 4, 101: 7, 104: 28, 105: 20, 107: 26, 108: 174, 113: 25, 123: 13,
  127: 23, 129: 9, 137: 67, 178: 83, 195: 104, 226: 124, 228: 129, 229: 130, 231: 146, 239: 141, 242: 180,
  258: 171, 276: 210,
};
for (let i = 0; i < 16; i++) WTAP_ENCAP[147 + i] = 45 + i;
function encapOf(linkType: number): number {
  return WTAP_ENCAP[linkType] ?? linkType;
}
