/**
 * -V of corpus captures at the edges of how tshark writes labels, equal to tshark's line for
 * line: UTF-8 in header names and text lines (printed as it is, not byte by byte; a byte-order
 * mark as \uFEFF), a long
 * expert message (cut at the label length without a "[truncated]" mark), an IP header cut
 * between its source and destination (", Src: …" only), non-zero TCP option padding after
 * EOL cut by the snaplen; HTTP bodies framed by a transfer coding that is not chunked, and
 * continuation data after an empty line. Found by comparing the -V of every corpus file whose summary lines
 * already agree, and TCP analysis and HTTP chunk edges found by comparing every corpus file;
 * skipped when ../shared is absent.
 */
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { corpus, haveTshark, runCli, tsharkText } from "../helpers/tshark.js";

const FILES: Record<string, string> = {
  "http-evader__http-evader-278__input.pcap": "Löchriger-Häddar: foobar",
  "http-evader__http-evader-313__input.pcap": "Transfer-Encoding:\\uFEFFchunked",
  "http-pipeline-files-with-gap__input.pcap": "My passion\u00a0lies",
  "http-protocol-inspect-v2__http.pcap": "[GET /pagead/ads?client=ca-pub-",
  // a Transfer-Encoding that is not chunked beside two Content-Lengths; binary data after a blank line
  "http-evader__http-evader-245__input.pcap": "File Data: 68 bytes",
  "http-evader__http-evader-480__input.pcap": "Data (348 bytes)",
  "ipv4_invalid_length.pcap": "Internet Protocol Version 4, Src: 140.211.9.206\n",
  "ipv6_39_byte_header.pcap": "Internet Protocol Version 6\n", // (IPv6 labels both addresses at once)
  "beep-oobr.pcap": "Non-zero header padding",
  // ACKs beyond data not captured: "ACKed unseen" once per gap (the other side's dup-ACK count
  // latches it), again once that side sent more; not on a duplicate ACK after a gap
  "http-gap-double__input.pcap": "[ACKed segment that wasn't captured (common at capture start)]",
  "http-gap-beyond-body__input.pcap": "[ACKed segment that wasn't captured (common at capture start)]",
  "http-post-file__input.pcap": "[Duplicate ACK #: 1]",
  // a last chunk "0\n\n" at the very end: its item runs 1 byte past the data, HTTP is malformed
  "http-evader__http-evader-029__input.pcap": "[Malformed Packet: HTTP]",
};

const files = [...corpus("suricata-verify", (n) => n in FILES), ...corpus("tcpdump", (n) => n in FILES)];

describe.skipIf(!haveTshark() || files.length === 0)("-V at label edges vs tshark", () => {
  it.each(files)("%s", (file) => {
    const ours = runCli(["-r", file, "-V"]).stdout;
    expect(ours).toContain(FILES[basename(file)]);
    expect(ours).toBe(tsharkText(["-n", "-r", file, "-V"]));
  });
});
