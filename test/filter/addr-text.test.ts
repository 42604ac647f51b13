/** IP address text, parsed by the one module (src/core/addr-text.ts) the filters, key logs, -z follow and the tunnel use. */
import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { parseAddress, parseIPv4, parseIPv6 } from "../../src/core/addr-text.js";
import { ipv6ToString } from "../../src/core/format.js";

describe("IP address text", () => {
  it("reads back every address tshark's formatting writes (random IPv6, with runs of zero groups)", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 2000; n++) {
      const b = new Uint8Array(16);
      for (let i = 0; i < 16; i++) b[i] = rnd() < 90 ? 0 : rnd();
      const text = ipv6ToString(b);
      expect(parseIPv6(text), text).toEqual(b);
      expect(parseAddress(text), text).toEqual(b);
    }
  });

  it("takes what node:net takes and refuses what it refuses", () => {
    const cases = [
      "10.0.0.1", "255.255.255.255", "0.0.0.0", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4x",
      "::", "::1", "fd00::2", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", "::ffff:10.0.0.1", "64:ff9b::192.0.2.33",
      "12345::", "g::1", ":1:2", "1:2:3:4:5:6:7::", "::1.2.3.256", "",
    ];
    for (const c of cases) expect(parseAddress(c) !== null, c).toBe(isIP(c) !== 0);
    // (a zone index names an interface, not part of the address: node takes it, nestcap does not)
    expect(parseAddress("fe80::1%eth0")).toBeNull();
  });

  it("gives IPv4 as a number and as 4 bytes, and the embedded IPv4 of an IPv6 address its last 4 bytes", () => {
    expect(parseIPv4("10.1.2.3")).toBe(0x0a010203);
    expect(parseAddress("10.1.2.3")).toEqual(Uint8Array.of(10, 1, 2, 3));
    expect([...parseIPv6("::ffff:192.0.2.1")!.slice(10)]).toEqual([0xff, 0xff, 192, 0, 2, 1]);
  });
});
