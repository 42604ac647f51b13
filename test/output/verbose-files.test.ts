/**
 * Whole-file -V equal to tshark's, line for line, on every fixture: all but the OpenVPN
 * captures seen from outside the tunnel, where nestcap shows more than tshark on purpose
 * (decryption, its own fields). The captures inside the tunnels (*-tun.pcap) are compared.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { FIXTURES, haveTshark, runCli } from "../helpers/tshark.js";

// e.g. http.pcapng: reassembled bodies, JSON, forms, 73-segment lists cut at Wireshark's label length;
// ping-frag.pcap: IPv4 fragments, ICMP errors quoting UDP (whose data tshark shows at the top level);
// openvpn/tls-auth-tun.pcap: a spurious retransmission of a PDU's last segment, with FIN
const FILES = readdirSync(FIXTURES, { recursive: true, encoding: "utf8" })
  .filter((f) => /\.pcap(ng)?$/.test(f) && (!f.startsWith("openvpn/") || f.endsWith("-tun.pcap")))
  .sort()
  .map((f) => `${FIXTURES}/${f}`);

describe.skipIf(!haveTshark())("-V vs tshark, whole files", () => {
  it("covers the fixtures", () => expect(FILES.length).toBeGreaterThanOrEqual(20));
  for (const f of FILES) {
    it(f.slice(FIXTURES.length + 1), () => {
      const want = execFileSync("tshark", ["-n", "-r", f, "-V"], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, TZ: "UTC" } }).split("\n");
      const got = runCli(["-r", f, "-V"]).stdout.split("\n");
      expect(got.length).toBeGreaterThan(100);
      const firstDiff = got.findIndex((l, i) => l !== want[i]);
      expect(firstDiff === -1 ? null : `line ${firstDiff + 1}: ours ${JSON.stringify(got[firstDiff])} tshark ${JSON.stringify(want[firstDiff])}`).toBeNull();
      expect(got.length).toBe(want.length);
    }, 60_000);
  }
});
