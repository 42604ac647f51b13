/**
 * Before the suite: build dist/ once when sources changed (the CLI tests run the built CLI),
 * and give the run a temporary directory of its own. Tests make their scratch files with
 * mkdtempSync(tmpdir()); TMPDIR points tmpdir() (and tshark, openvpn, dig…) into the run's
 * directory, which is removed when the suite ends, so repeated runs leave nothing in /tmp.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export default function setup(): () => void {
  const root = resolve(import.meta.dirname, "..");
  const r = spawnSync("bash", [resolve(root, "scripts/setup.sh"), "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("build failed (scripts/setup.sh build)");
  const dir = mkdtempSync(join(tmpdir(), "nestcap-test-run-"));
  // the test processes are forked after this and inherit it
  process.env.TMPDIR = dir;
  return () => {
    // keep it when asked (NESTCAP_KEEP_TMP=1), to look at what a failing test wrote
    if (process.env.NESTCAP_KEEP_TMP === "1") console.log(`test scratch files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
