/**
 * Loads every dissector in dissectors/ (each file registers itself).
 * Adding a protocol is adding a file there; nothing else changes.
 * Runs once, at import time (top-level await).
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// src/core → ../../dissectors (works from the sources under vitest and from dist/ after tsc)
const dir = join(here, "..", "..", "dissectors");
const ext = here.includes(`${"dist"}`) ? ".js" : import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const files = readdirSync(dir)
  .filter((f) => f.endsWith(ext) && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
  .sort();
// "frame" and "data" first so tables exist in a stable order; the rest alphabetically.
for (const f of files) await import(pathToFileURL(join(dir, f)).href);
