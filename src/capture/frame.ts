/** What a capture reader hands to the dissectors: one record, zero-copy where it can be. */

export interface InterfaceInfo {
  linkType: number;
  snaplen: number;
  name?: string;
  description?: string;
  /** Timestamp units per second (pcapng if_tsresol; 1e6 or 1e9 for classic pcap). */
  tsresol: number;
  /** Seconds added to every timestamp (pcapng if_tsoffset). */
  tsoffset: number;
}

export interface Frame {
  /** 1-based frame number. */
  num: number;
  /** Absolute timestamp: seconds since the epoch and nanoseconds. */
  tsSec: number;
  tsNsec: number;
  /** Captured length (data.length) and original length on the wire. */
  caplen: number;
  len: number;
  /**
   * The captured bytes. A view into the reader's block buffer: valid until the
   * reader is asked for the next batch. Copy it to keep it.
   */
  data: Uint8Array;
  linkType: number;
  /** Interface index (pcapng: global index of the IDB across sections; pcap: 0). */
  interfaceId: number;
  /**
   * The pcapng interface (IDB) the packet came on. Absent for classic pcap, whose
   * records carry no interface (tshark then shows no frame.interface_* fields);
   * the file's one interface is in the reader's info.interfaces[0].
   */
  iface?: InterfaceInfo;
  /** pcapng: 1-based number of the section (SHB) the packet is in (frame.section_number). */
  section?: number;
  comments?: string[];
  /**
   * Timestamp resolution (units per second) when the frame has no interface of its own
   * (classic pcap: 1e6 or 1e9); the summary's time column shows as many digits.
   */
  tsresol?: number;
  /** pcapng epb_flags, when present. */
  flags?: number;
  /**
   * Link-layer pseudo-header that Wireshark strips from the record before dissection
   * (SunATM, IrDA, MTP2, LAPD, SITA, Bluetooth H4/monitor, PPP-with-dir, I2C, NFC LLCP):
   * data/caplen/len then exclude it, as tshark's frame.len/cap_len do.
   */
  pseudoHeader?: Uint8Array;
  /** The record has no timestamp (pcapng Simple Packet Block): tshark leaves frame.time* empty. */
  noTimestamp?: boolean;
  /**
   * pcapng: the interface id as written in the block (per section), when it differs from
   * the global interfaceId. tshark 4.0 shows this one in frame.interface_id.
   */
  localInterfaceId?: number;
}

/** Link-layer header types (LINKTYPE_* from tcpdump.org/linktypes). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW_OLD12: 12,
  RAW_OLD14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Names of link types as Wireshark prints them in "Encapsulation type". */
export const LINKTYPE_NAMES: Record<number, string> = {
  0: "NULL/Loopback",
  1: "Ethernet",
  12: "Raw IP",
  14: "Raw IP",
  101: "Raw IP",
  108: "OpenBSD loopback",
  113: "Linux cooked-mode capture v1",
  228: "Raw IPv4",
  229: "Raw IPv6",
  276: "Linux cooked-mode capture v2",
};
