/** Build dist/ once before the suite when sources changed (the CLI tests run the built CLI). */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export default function setup(): void {
  const root = resolve(import.meta.dirname, "..");
  const r = spawnSync("bash", [resolve(root, "scripts/setup.sh"), "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("build failed (scripts/setup.sh build)");
}
