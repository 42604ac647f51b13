/**
 * `-z expert[,error|warn|note|chat|comment][,filter]`: expert notes counted by
 * severity, then (group, protocol, message) in order of first appearance, as tshark.
 */
import type { Dissection } from "../../core/dissect.js";
import { SEVERITY_RANK, type Severity } from "../../core/expert.js";
import { protocolByAbbrev } from "../../core/proto.js";
import type { CompiledFilter } from "../../filter/index.js";
import { Collector, statFilter } from "./base.js";
import type { Cell, Report } from "./report.js";

export const GROUP_NAMES: Record<string, string> = {
  checksum: "Checksum", sequence: "Sequence", "response-code": "Response code", "request-code": "Request code",
  undecoded: "Undecoded", reassemble: "Reassemble", malformed: "Malformed", debug: "Debug", protocol: "Protocol",
  security: "Security", comment: "Comment", decryption: "Decryption", assumption: "Assumption", deprecated: "Deprecated",
};
const SEV_TITLES: Record<Severity, string> = { error: "Errors", warn: "Warns", note: "Notes", chat: "Chats", comment: "Comments" };
const ORDER: Severity[] = ["error", "warn", "note", "chat", "comment"];

export interface ExpertCount {
  severity: Severity;
  group: string;
  protocol: string;
  message: string;
  count: number;
}

export class ExpertCollector extends Collector {
  private readonly filter: CompiledFilter | null;
  private readonly minRank: number;
  private readonly map = new Map<string, ExpertCount>();
  private readonly list: ExpertCount[] = [];

  constructor(spec: string) {
    super();
    let rest = spec.slice("expert".length);
    let min: Severity = "comment";
    const m = /^,(error|warn|note|chat|comment)(?=,|$)/.exec(rest);
    if (m) {
      min = m[1] as Severity;
      rest = rest.slice(m[0].length);
    }
    this.minRank = SEVERITY_RANK[min];
    this.filter = statFilter(rest.startsWith(",") ? rest.slice(1) : "", spec);
    this.fields = [...(this.filter?.fields ?? [])];
  }

  add(d: Dissection): void {
    const ex = d.tree.experts;
    if (ex.length === 0) return;
    if (this.filter !== null && !this.filter.test(d)) return;
    for (let i = 0; i < ex.length; i++) {
      const e = ex[i];
      if (SEVERITY_RANK[e.severity] < this.minRank) continue;
      const k = `${e.severity}\0${e.group}\0${e.protocol}\0${e.message}`;
      let c = this.map.get(k);
      if (c === undefined) {
        const p = protocolByAbbrev(e.protocol);
        c = { severity: e.severity, group: GROUP_NAMES[e.group] ?? e.group, protocol: p ? p.short : e.protocol, message: e.message, count: 0 };
        this.map.set(k, c);
        this.list.push(c);
      }
      c.count++;
    }
  }

  counts(): ExpertCount[] {
    return this.list;
  }

  report(): Report {
    const sections = [];
    for (const sev of ORDER) {
      const l = this.list.filter((c) => c.severity === sev);
      if (l.length === 0) continue;
      const total = l.reduce((a, c) => a + c.count, 0);
      sections.push({
        title: `${SEV_TITLES[sev]} (${total})`,
        columns: ["Frequency", "Group", "Protocol", "Summary"],
        rows: l.map((c): Cell[] => [c.count, c.group, c.protocol, c.message]),
      });
    }
    return { stat: "expert", title: "Expert Information", sections };
  }
}
