/**
 * `nestcap keylog …`: make and check nestcap OpenVPN key logs.
 *
 *   nestcap keylog --from-openvpn-log LOG [LOG…]   key log on stdout (from --verb 7/9 logs)
 *   nestcap keylog --check KEYLOG                  parse a key log, print a one-line summary
 */
import { readFileSync } from "node:fs";
import { keylogFromLogs } from "../openvpn/fromlog.js";
import { formatKeyLog, KeyLogError, readKeyLog } from "../openvpn/keylog.js";
import { fail } from "./fail.js";

export const KEYLOG_HELP = `Usage: nestcap keylog --from-openvpn-log LOGFILE [LOGFILE…] > KEYLOG
       nestcap keylog --check KEYLOG

  --from-openvpn-log    read OpenVPN logs (--verb 7 or more; --verb 9 for AES-GCM/ChaCha20,
                        whose implicit IV is only in the per-packet "ENCRYPT IV" lines) and
                        print a nestcap key log. Give both ends' logs to get both endpoints.
  --check               parse a key log and say how many keys of each kind it holds
Then: nestcap -r tunnel.pcap --keylog KEYLOG -V
`;

export async function run(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === "-h" || argv[0] === "--help") {
    process.stdout.write(KEYLOG_HELP);
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === "--check") {
    if (argv.length !== 2) fail("usage: nestcap keylog --check KEYLOG", 1);
    try {
      const es = readKeyLog(argv[1]);
      const n = (k: string): number => es.filter((e) => e.kind === k).length;
      process.stdout.write(`${argv[1]}: ${es.length} keys (${n("DATA")} DATA, ${n("STATIC")} STATIC, ${n("TLS-CRYPT")} TLS-CRYPT)\n`);
      return 0;
    } catch (e) {
      if (e instanceof KeyLogError) fail(e.message, 1);
      throw e;
    }
  }
  if (argv[0] !== "--from-openvpn-log") fail(`nestcap keylog: unknown option "${argv[0]}" (see nestcap keylog --help)`, 1);
  const files = argv.slice(1);
  if (files.length === 0) fail("nestcap keylog: --from-openvpn-log needs at least one log file", 1);
  const logs: { name: string; text: string }[] = [];
  for (const f of files) {
    try {
      logs.push({ name: f, text: readFileSync(f, "utf8") });
    } catch (e) {
      fail(`nestcap keylog: cannot read ${f} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 1);
    }
  }
  const { entries, notes } = keylogFromLogs(logs);
  for (const n of notes) process.stderr.write(`nestcap keylog: ${n}\n`);
  if (entries.length === 0) fail(`nestcap keylog: no keys found in ${files.join(", ")} (OpenVPN logs key material at --verb 7 and above)`, 1);
  process.stdout.write(formatKeyLog(entries, [`from ${files.join(", ")}`]));
  return 0;
}
