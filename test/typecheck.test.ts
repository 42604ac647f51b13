/**
 * The tests are TypeScript too, but vitest only strips their types: this compiles the
 * sources and the tests together (tsconfig.test.json: strict, no unused locals, no
 * output), so a test that calls a helper with the wrong shape, or a source file that
 * keeps a dead import, fails here instead of passing unnoticed.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

describe("type check", () => {
  it("sources and tests compile with tsconfig.test.json, without an error", () => {
    const tsc = resolve(ROOT, "node_modules/typescript/bin/tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.test.json"], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
