/** What every statistic shares: the collector interface, field lookup and an optional own filter. */
import { fieldByAbbrev, type Field } from "../../core/field.js";
import type { Dissection } from "../../core/dissect.js";
import { compileFilter, type CompiledFilter } from "../../filter/index.js";
import type { Style } from "../color.js";
import { renderReport, type Report, type StatsFormat } from "./report.js";

export interface StatsCollector {
  /** Fields whose values must be recorded for this statistic (passed to the Dissector's wanted list). */
  readonly fields: readonly Field[];
  /** Does it need the full tree (io,phs walks the protocol items; layers reads byte ranges)? */
  readonly needsTree: boolean;
  /** Called for every frame that passes -Y; the statistic applies its own filter (if any) itself. */
  add(d: Dissection): void;
  /** The result as data (sections of rows); what render() prints. */
  report(): Report;
  render(format: StatsFormat, style: Style): string;
}

/** A -z spec that is wrong: the message reads like tshark's. */
export class StatsError extends Error {}

/** Look a field up by its abbrev; a statistic whose dissector isn't there fails clearly. */
export function need(abbrev: string, stat: string): Field {
  const f = fieldByAbbrev(abbrev);
  if (!f) throw new StatsError(`${stat}: field "${abbrev}" is not available (its dissector is not loaded), so this statistic can't be computed`);
  return f;
}

/** Compile a statistic's own filter ("-z io,phs,tcp"); errors say which statistic. */
export function statFilter(text: string | undefined, stat: string): CompiledFilter | null {
  if (text === undefined || text === "") return null;
  try {
    return compileFilter(text);
  } catch (e) {
    throw new StatsError(`${stat}: invalid filter "${text}": ${(e as Error).message}`);
  }
}

export abstract class Collector implements StatsCollector {
  fields: Field[] = [];
  needsTree = false;
  abstract add(d: Dissection): void;
  abstract report(): Report;
  render(format: StatsFormat, style: Style): string {
    return renderReport(this.report(), format, style);
  }
}
