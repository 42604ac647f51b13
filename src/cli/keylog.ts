/** `nestcap keylog …` (placeholder until implemented). */
import { fail } from "./fail.js";

export async function run(_argv: string[]): Promise<number> {
  fail("'nestcap keylog' is not implemented yet", 1);
}
