/**
 * The dissection session's options that the command line decides (emit.ts builds them):
 * how deep to dissect for what the output reads (belowTransport: stop at TCP/UDP;
 * portsOnly: of TCP, read only the ports), `-d` rules and `-o` preferences.
 */
import { DecodeAsError, parseDecodeAs, type DecodeAsRule } from "../core/decode-as.js";
import type { Field } from "../core/field.js";
import { parentProtocol } from "../core/proto.js";
import { fail } from "./fail.js";

/** Protocols dissected before (and including) TCP and UDP: what their payloads cannot change. */
const LOW_LAYERS = new Set(["frame", "eth", "ethertype", "vlan", "ieee8021ad", "llc", "stp", "arp", "sll", "null", "raw", "ip", "ipv6", "icmp", "icmpv6", "tcp", "udp"]);
/** Fields of those protocols that the payload's dissection fills (TCP reassembly, the layer list). */
const PAYLOAD_FILLED = /^(frame\.protocols$|tcp\.(segment|reassembled|pdu|fragment))/;

/**
 * True when every field asked for (-e and -Y) belongs to a protocol at or below TCP/UDP
 * and is not filled in by their payload's dissection: then the payloads need not be
 * dissected at all (Session.transportOnly). `-T fields -e ip.src -e tcp.dstport` on a big
 * capture skips DNS, HTTP, TLS, OpenVPN… whose fields nobody reads; what it prints is what
 * the full dissection prints (a test holds them equal).
 */
export function belowTransport(fields: readonly Field[]): boolean {
  if (fields.length === 0) return false;
  return fields.every((f) => {
    const p = parentProtocol(f);
    return (LOW_LAYERS.has(p) || p.startsWith("ipv6.") || p.startsWith("icmp")) && !PAYLOAD_FILLED.test(f.abbrev);
  });
}

/** TCP's fields that need nothing of TCP but its first four bytes. */
const TCP_PORTS = new Set(["tcp.srcport", "tcp.dstport", "tcp.port"]);

/**
 * True when no TCP field is read but the ports (Session.tcpPortsOnly; used with
 * belowTransport): TCP can stop after them. The bench's `-T fields -e tcp.srcport …` spends
 * a fifth of its time on stream lookup, sequence analysis and options otherwise.
 */
export function portsOnly(fields: readonly Field[]): boolean {
  // (parentProtocol of the protocol field "tcp" is "tcp" itself)
  return fields.every((f) => TCP_PORTS.has(f.abbrev) || (parentProtocol(f) !== "tcp" && !f.abbrev.startsWith("tcp.")));
}

/** The -d arguments as rules: a bad one is a one-line error (exit 1); a lone "=" a warning, as tshark. */
export function decodeAsRules(specs: readonly string[]): DecodeAsRule[] {
  const rules: DecodeAsRule[] = [];
  for (const spec of specs) {
    try {
      const { rule, warning } = parseDecodeAs(spec);
      if (warning !== undefined) process.stderr.write(`nestcap: WARNING: ${warning}\n`);
      rules.push(rule);
    } catch (e) {
      if (!(e instanceof DecodeAsError)) throw e;
      fail(e.message, 1);
    }
  }
  return rules;
}

/** -o name:value (and --keylog …) as session prefs: TRUE/FALSE become booleans, whole numbers numbers (as tshark reads them). */
export function prefValues(p: Record<string, string>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(p)) {
    const u = v.toUpperCase();
    out[k] = u === "TRUE" ? true : u === "FALSE" ? false : /^\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}
