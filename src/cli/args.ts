/** tshark-style command-line parsing: short options with attached or separate values, long options. */
import { accessSync, constants } from "node:fs";
import { KeyLogError, readKeyLog } from "../openvpn/keylog.js";
import { KeyFileError, readStaticKeyFile, splitKeyArg } from "../openvpn/static.js";
import { TIME_FORMATS, type TimeFormat } from "../output/summary.js";
import { parseExportObjects } from "../output/export-objects.js";

export interface Options {
  read?: string;
  /** --export-objects PROTOCOL,DIR (checked): the bodies to save at the end. */
  exportObjects: { proto: string; dir: string }[];
  interfaces: string[];
  count?: number;
  displayFilter?: string;
  /** -2: two-pass analysis (forward references: "reply in", "Reassembled in", "Response In"). */
  twoPass: boolean;
  /** -R: the read filter of -2's first pass (frames failing it are left out, the rest renumbered). */
  readFilter?: string;
  captureFilter?: string;
  verbose: boolean;
  only: string[];
  hex: boolean;
  highlight: string[];
  outputType: "text" | "fields" | "json" | "ek" | "pdml" | "psml" | "tabs";
  /** -T jsonraw: outputType "json" with only the items' raw bytes (tshark's jsonraw). */
  jsonRaw: boolean;
  /** --no-duplicate-keys (tshark's): -T json's repeated keys become one key with an array. */
  noDuplicateKeys?: boolean;
  /** -j / -J: the JSON protocol match filter (names), and whether children come whole (-J). */
  jsonMatch?: { names: string[]; children: boolean };
  fields: string[];
  fieldOptions: string[];
  write?: string;
  writeFormat: "pcapng" | "pcap";
  quiet: boolean;
  /** --layers: the nesting-doll ruler for each packet. */
  layers: boolean;
  /** --format for -z statistics: table (default), csv or json. */
  statsFormat: "table" | "csv" | "json";
  /** -P: the summary line too, with -V or -x. */
  printSummary: boolean;
  stats: string[];
  color: "auto" | "always" | "never";
  progress: boolean;
  listInterfaces: boolean;
  help: boolean;
  version: boolean;
  /** --threads N: read a file with N threads, split by flow (parallel.ts); unset: one. */
  threads?: number;
  /** -o name:value protocol preferences. */
  prefs: Record<string, string>;
  /** -G [fields|protocols]: print the glossary instead of reading. */
  glossary?: string;
  /** -t: the Time column's format (r: since the first frame). */
  timeFormat: TimeFormat;
  /** -u: seconds as seconds (s) or hours, minutes and seconds (hms). */
  secondsFormat: "s" | "hms";
  /** -d layer==selector,protocol (decode as), as given; checked against the tables when dissection starts. */
  decodeAs: string[];
  /** -s: bytes kept per captured packet (0: all). */
  snaplen?: number;
  /** -B: kernel capture buffer per interface, in MiB (tshark's -B). */
  bufferMB?: number;
  /** -a: autostop conditions (duration in seconds, filesize in kB, packets). */
  autostop: { duration?: number; filesize?: number; packets?: number };
  /** -b: ring buffer (switch files after filesize kB / duration s; keep files newest). */
  ring: { filesize?: number; duration?: number; files?: number };
}

export class UsageError extends Error {}

const WITH_VALUE = new Set(["r", "i", "c", "Y", "T", "e", "E", "w", "F", "O", "z", "f", "o", "s", "a", "b", "R", "B", "d", "t", "u", "j", "J"]);
const FLAGS = new Set(["V", "x", "n", "q", "D", "h", "v", "l", "S", "N", "P", "2"]);

export function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    interfaces: [], twoPass: false, verbose: false, only: [], hex: false, highlight: [], outputType: "text", jsonRaw: false, fields: [], fieldOptions: [],
    writeFormat: "pcapng", quiet: false, layers: false, statsFormat: "table", printSummary: false, stats: [], color: "auto", progress: true, listInterfaces: false, help: false,
    version: false, prefs: {}, decodeAs: [], timeFormat: "r", secondsFormat: "s", autostop: {}, ring: {}, exportObjects: [],
  };
  const longWithValue = new Set(["threads", "color", "highlight", "read-file", "count", "display-filter", "format", "keylog", "openvpn-tls-crypt", "openvpn-static", "export-objects"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      let val: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
      if (val === undefined && longWithValue.has(name)) {
        if (i + 1 >= argv.length) throw new UsageError(`option --${name} requires an argument`);
        val = argv[++i];
      }
      switch (name) {
        case "help": o.help = true; break;
        case "version": o.version = true; break;
        case "color":
          if (val !== "auto" && val !== "always" && val !== "never") throw new UsageError(`--color must be auto, always or never (got "${val ?? ""}")`);
          o.color = val;
          break;
        case "no-color": o.color = "never"; break;
        case "highlight": o.highlight.push(...val!.split(",").filter(Boolean)); break;
        case "no-progress": o.progress = false; break;
        case "threads": {
          const n = Number(val);
          if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--threads must be a whole number from 1 to 64 (got "${val ?? ""}")`);
          o.threads = n;
          break;
        }
        case "layers": o.layers = true; break;
        case "no-duplicate-keys": o.noDuplicateKeys = true; break;
        case "format":
          if (val !== "table" && val !== "csv" && val !== "json") throw new UsageError(`--format must be table, csv or json (got "${val ?? ""}")`);
          o.statsFormat = val;
          break;
        case "read-file": o.read = val; break;
        case "count": applyShort(o, "c", val!); break;
        case "display-filter": applyShort(o, "Y", val!); break;
        // OpenVPN decryption: checked here (one-line error, exit 1), read by the dissector via the session prefs
        case "keylog": checkKeyFile(val!, "keylog"); o.prefs["openvpn.keylog"] = val!; break;
        case "openvpn-tls-crypt": checkKeyFile(val!, "tls-crypt"); o.prefs["openvpn.tls_crypt_key"] = val!; break;
        case "openvpn-static": checkKeyFile(val!, "static"); o.prefs["openvpn.static_key"] = val!; break;
        case "export-objects":
          try {
            o.exportObjects.push(parseExportObjects(val!));
          } catch (e) {
            throw new UsageError((e as Error).message);
          }
          break;
        default: throw new UsageError(`unknown option --${name}`);
      }
      continue;
    }
    if (a === "-G") {
      // tshark's -G takes an optional report name (default: fields)
      o.glossary = i + 1 < argv.length && !argv[i + 1].startsWith("-") ? argv[++i] : "fields";
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      let j = 1;
      while (j < a.length) {
        const c = a[j];
        if (WITH_VALUE.has(c)) {
          let val = a.slice(j + 1);
          if (val === "") {
            if (i + 1 >= argv.length) throw new UsageError(`option -${c} requires an argument`);
            val = argv[++i];
          }
          applyShort(o, c, val);
          break;
        }
        if (!FLAGS.has(c)) throw new UsageError(`invalid option -- '${c}'`);
        applyFlag(o, c);
        j++;
      }
      continue;
    }
    throw new UsageError(`unexpected argument "${a}" (a display filter goes after -Y)`);
  }
  return o;
}

/**
 * The preferences (-o name:value) some dissector reads (Session.pref); a test holds this
 * list to the names the sources read. Another name is said to be ignored, on stderr: tshark
 * knows thousands (it refuses only names it does not know), nestcap only these.
 */
export const PREFERENCES: readonly string[] = [
  "ip.check_checksum", "ip.defragment", "ip.tso_support", "ipv6.defragment",
  "openvpn.keylog", "openvpn.static_key", "openvpn.tls_auth_hmac_size", "openvpn.tls_crypt_key",
  "tcp.desegment_tcp_streams", "tcp.fastrt_supersedes_ooo", "tcp.no_subdissector_on_error", "tls.keylog_file",
];

const KEY_PREFS: Record<string, "keylog" | "tls-crypt" | "static" | "tls-keylog"> = {
  "openvpn.keylog": "keylog", "openvpn.tls_crypt_key": "tls-crypt", "openvpn.static_key": "static", "tls.keylog_file": "tls-keylog",
};

function checkKeyFile(v: string, kind: "keylog" | "tls-crypt" | "static" | "tls-keylog"): void {
  try {
    if (kind === "tls-keylog") {
      // read again while dissecting (it may grow); here only: can it be read at all?
      accessSync(v, constants.R_OK);
      return;
    }
    if (kind === "keylog") readKeyLog(v);
    else readStaticKeyFile(splitKeyArg(v).path);
  } catch (e) {
    if (e instanceof KeyLogError || e instanceof KeyFileError) throw new UsageError(e.message);
    if (kind === "tls-keylog") throw new UsageError(`cannot read the TLS key log "${v}" (${(e as NodeJS.ErrnoException).code ?? e})`);
    throw e;
  }
}

function applyFlag(o: Options, c: string): void {
  switch (c) {
    case "V": o.verbose = true; break;
    case "x": o.hex = true; break;
    case "q": o.quiet = true; break;
    case "P": o.printSummary = true; break;
    case "2": o.twoPass = true; break;
    case "D": o.listInterfaces = true; break;
    case "h": o.help = true; break;
    case "v": o.version = true; break;
    // -n (no name resolution) is nestcap's default; -l, -S, -N accepted for tshark compatibility
  }
}

function applyShort(o: Options, c: string, v: string): void {
  switch (c) {
    case "r": o.read = v; break;
    case "i": o.interfaces.push(v); break;
    case "c": {
      if (!/^\d+$/.test(v) || parseInt(v, 10) <= 0) throw new UsageError(`the packet count must be a positive number, not "${v}"`);
      if (Number(v) > 2147483647) throw new UsageError(`The specified packet count "${v}" is too large (greater than 2147483647)`);
      o.count = parseInt(v, 10);
      break;
    }
    case "Y": o.displayFilter = v; break;
    case "R": o.readFilter = v; break;
    case "f": o.captureFilter = v; break;
    case "T":
      if (v === "jsonraw") {
        o.outputType = "json";
        o.jsonRaw = true;
        break;
      }
      if (v !== "text" && v !== "fields" && v !== "json" && v !== "ek" && v !== "pdml" && v !== "psml" && v !== "tabs") throw new UsageError(`invalid -T "${v}": use text, tabs, fields, json, jsonraw, ek, pdml or psml`);
      o.outputType = v;
      o.jsonRaw = false;
      break;
    case "e": o.fields.push(v); break;
    case "j": case "J": o.jsonMatch = { names: v.split(/\s+/).filter(Boolean), children: c === "J" }; break;
    case "d": o.decodeAs.push(v); break;
    case "t":
      if (!(TIME_FORMATS as readonly string[]).includes(v)) throw new UsageError(`invalid time stamp type "${v}": use one of ${TIME_FORMATS.join(", ")}`);
      o.timeFormat = v as TimeFormat;
      break;
    case "u":
      if (v !== "s" && v !== "hms") throw new UsageError(`invalid seconds type "${v}": use s or hms`);
      o.secondsFormat = v;
      break;
    case "E": o.fieldOptions.push(v); break;
    case "w": o.write = v; break;
    case "F":
      if (v !== "pcap" && v !== "pcapng") throw new UsageError(`invalid -F "${v}": use pcap or pcapng`);
      o.writeFormat = v;
      break;
    case "O": o.only.push(...v.split(",").filter(Boolean)); o.verbose = true; break;
    case "z": o.stats.push(v); break;
    case "o": {
      const k = v.indexOf(":");
      if (k < 0) throw new UsageError(`invalid -o "${v}": use name:value`);
      const name = v.slice(0, k);
      o.prefs[name] = v.slice(k + 1);
      if (!PREFERENCES.includes(name)) process.stderr.write(`nestcap: -o ${name}: not a preference nestcap reads (it reads ${PREFERENCES.join(", ")}); ignored\n`);
      const kf = KEY_PREFS[name];
      if (kf !== undefined) checkKeyFile(v.slice(k + 1), kf);
      break;
    }
    case "B": {
      if (!/^\d+$/.test(v) || parseInt(v, 10) === 0) throw new UsageError(`invalid capture buffer size "${v}" (MiB)`);
      o.bufferMB = parseInt(v, 10);
      break;
    }
    case "s": {
      if (!/^\d+$/.test(v)) throw new UsageError(`invalid snapshot length "${v}"`);
      o.snaplen = parseInt(v, 10);
      break;
    }
    case "a": case "b": {
      const k = v.indexOf(":");
      const key = k < 0 ? v : v.slice(0, k);
      const num = k < 0 ? "" : v.slice(k + 1);
      const allowed = c === "a" ? ["duration", "filesize", "packets"] : ["duration", "filesize", "files"];
      if (!allowed.includes(key) || !/^\d+(\.\d+)?$/.test(num) || parseFloat(num) <= 0)
        throw new UsageError(`invalid -${c} "${v}": use ${allowed.map((x) => x + ":N").join(", ")}`);
      (c === "a" ? o.autostop : o.ring)[key as "duration"] = parseFloat(num);
      break;
    }
  }
}

export const HELP = `nestcap — look inside packets, layer by layer

Usage: nestcap -r FILE [options]
       nestcap -i IFACE [options]        (live capture)

Input:
  -r FILE | -           read a pcap or pcapng file, gzipped or not ("-": standard input; a pipe
                        given by name works too: -r <(ssh host tcpdump -w -))
  -c N                  stop after N packets
  -2                    two passes: show what only later packets tell ("reply in 4", "[Response In:
                        4]", "[Reassembled IPv4 in frame: 9]", a TCP stream's final completeness)
  -R FILTER             with -2: read only packets matching FILTER (the others are left out and
                        the rest numbered from 1, as tshark -2 -R)
Output:
  (default)             one summary line per packet
  -V                    the full protocol tree
  -O PROTO[,PROTO]      the tree, expanding only these protocols
  -x                    hex and ASCII dump of the packet bytes
  -P                    the summary lines too (with -V, -x, or -w FILE)
  -Y FILTER             show only packets matching a display filter (Wireshark syntax)
  -d LAYER==SEL,PROTO   decode as: -d udp.port==11940,openvpn  -d tcp.port==8000-8010,http
  -t r|a|ad|adoy|d|dd|e|u|ud|udoy   the Time column: since the first frame (r), time of day
                        (a; u: UTC; ad/ud with the date), since the previous (d) or previous
                        displayed (dd) frame, since the epoch (e)
  -u s|hms              seconds as seconds, or as hours, minutes and seconds ("2m 28.995016s")
  --highlight FIELD     in the hex dump, mark the bytes of FIELD (e.g. ip.ttl)
  -T fields -e FIELD…   selected fields, tab-separated (as tshark; -e _ws.col.Info: a summary column)
  -E header=y|separator=,|occurrence=f|l|N|aggregator=X|quote=d|s|n|bom=y
  -T json [-e FIELD…]   tshark-shaped JSON (with -e: only those fields, as tshark; with -x:
                        each item's bytes too, as "<field>_raw": [hex, offset, length, bitmask, type])
  -T jsonraw            the same JSON with only the items' bytes ("_raw"), no values
  -j|-J "NAME…"         with -T json: expand only these nodes, the others {"filtered": …}
                        (-J: everything under them), as tshark
  --no-duplicate-keys   with -T json: a key repeated in an object becomes one key with an array
  -T pdml [-e FIELD…]   every item of every packet as tshark's PDML (XML; -e: only those fields)
  -T ek [-e FIELD…]     the same as tshark's EK: newline-delimited JSON for Elasticsearch's
                        bulk API (with -e: only those fields; -x: the bytes too)
  -T psml | -T tabs     the summary columns as tshark's PSML (XML), or as text with tabs between columns
  -w FILE [-F pcap]     write the packets read (pcapng by default)
  -q                    no per-packet output
  --export-objects http,DIR   save every HTTP body (requests' and responses', de-chunked and
                        decompressed) in DIR, named after the request URI, as tshark does
  -z STAT               statistics at the end: io,phs  conv,ip|eth|ipv6|tcp|udp  endpoints,…
                        io,stat,SECONDS[,FILTER…]  expert  dns,tree  http,tree  http,req
                        http2,tree  openvpn,tree  layers   (--format table|csv|json)
                        follow,tcp|udp|tls|http,ascii|hex|raw,N   one stream's bytes (tls: decrypted
                        with a key log; http: each message's head, then its decoded body; instead
                        of N, two endpoints: 10.0.0.1:5000,10.0.0.2:80 or [fd00::1]:5000,[fd00::2]:80)
  -o tls.keylog_file:FILE   decrypt TLS 1.2 and 1.3 with a key log in the SSLKEYLOGFILE format
                        (curl, browsers, openssl s_client -keylogfile): HTTPS shows as HTTP
  -o NAME:VALUE         other preferences, as tshark's (tcp.desegment_tcp_streams:FALSE…;
                        the README lists those nestcap reads)
  --keylog FILE         decrypt OpenVPN data channels (and tls-crypt) with a nestcap key log
                        (make one with: nestcap keylog --from-openvpn-log LOG…)
  --openvpn-tls-crypt KEYFILE   decrypt tls-crypt control packets with an OpenVPN key file
  --openvpn-static KEYFILE[:DIR]   decrypt static-key (--secret) tunnels (AES-256-CBC/SHA256)
  --layers              each packet's layers as a nested ruler: byte ranges, header and
                        payload sizes, what each encapsulation adds
  --color=auto|always|never   colour (auto: on a terminal, unless NO_COLOR is set)
  --no-progress         no progress bar on stderr
  --threads N           read a file with N threads, each dissecting its own flows (summary
                        lines and -T fields; output as with one thread; memory grows with N)
  -n                    no name resolution (always the case in nestcap)
  -G fields|protocols   list the fields (for -e and -Y) or protocols nestcap knows, as tshark -G
Live capture (root or CAP_NET_RAW):
  -D                    list interfaces
  -i IFACE              capture on IFACE (several -i allowed; "any" = all, Linux cooked header)
  -f BPF                capture filter (libpcap syntax), e.g. -f "udp port 53"
  -s SNAPLEN            bytes kept per packet (0: all)
  -B MiB                kernel capture buffer per interface (default 16)
  -a duration:S|packets:N|filesize:KB     stop after…
  -b filesize:KB|duration:S -b files:N    ring buffer of -w files
Subcommands:
  nestcap keylog --from-openvpn-log LOG…  turn OpenVPN --verb 9 logs into a key log
  nestcap tunnel client|server …          a tun-backed OpenVPN tunnel (nestcap tunnel --help)
  -v, --version         version;  -h, --help  this help

Examples:
  nestcap -r fixtures/sample.pcapng
  nestcap -r fixtures/sample.pcapng -V -c 1
  nestcap -r fixtures/sample.pcapng -x --highlight ip.ttl -c 1
  nestcap -r fixtures/dns.pcap -T fields -e frame.number -e ip.src -e udp.dstport -E header=y
  nestcap -r fixtures/http.pcapng -q --export-objects http,objects
  tcpdump -w - -i lo | nestcap -r -
`;
