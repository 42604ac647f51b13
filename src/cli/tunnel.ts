/** `nestcap tunnel client|server …`: a tun-backed VPN speaking OpenVPN 2.6 (src/tunnel/). */
import { TUNNEL_HELP, TunnelUsageError, parseTunnelArgs } from "../tunnel/options.js";
import { Tunnel } from "../tunnel/run.js";
import { closeAllTuns } from "../tunnel/tun.js";
import { fail } from "./fail.js";

export async function run(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseTunnelArgs(argv);
  } catch (e) {
    if (e instanceof TunnelUsageError) fail(`tunnel: ${e.message} (see nestcap tunnel --help)`, 1);
    throw e;
  }
  if (o.help) {
    process.stdout.write(TUNNEL_HELP);
    return 0;
  }
  const verb = o.verb;
  const log = (level: number, msg: string): void => {
    if (level <= verb) process.stderr.write(`${new Date().toISOString().slice(11, 23)} nestcap tunnel: ${msg}\n`);
  };
  const t = new Tunnel(o, log);
  const observers = await import("../tunnel/observe.js");
  try {
    await observers.attach(t, o, log);
    await t.start();
  } catch (e) {
    closeAllTuns();
    fail(`tunnel: ${(e as Error).message}`, 1);
  }
  const onSig = (sig: string): void => {
    log(1, `${sig}: shutting down`);
    void t.stop(0);
  };
  process.on("SIGINT", () => onSig("SIGINT"));
  process.on("SIGTERM", () => onSig("SIGTERM"));
  process.on("SIGUSR1", () => process.stderr.write(`nestcap tunnel: ${t.statsLine()}\n`));
  const code = await t.done;
  closeAllTuns();
  process.exit(code);
}
