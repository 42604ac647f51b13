/**
 * `-z` statistics. makeStats(spec) returns a collector; the CLI passes its `fields` to the
 * Dissector's wanted list (and a full tree when `needsTree`), calls add(d) for every frame
 * that passes -Y, and prints render(format, style) at the end.
 */
import { LayersCollector } from "../layers.js";
import type { Style } from "../color.js";
import { Collector, StatsError, type StatsCollector } from "./base.js";
import { renderReports, type StatsFormat } from "./report.js";
import { ConvCollector, EndpointsCollector } from "./conv.js";
import { ExpertCollector } from "./expert.js";
import { IoStatCollector } from "./iostat.js";
import { PhsCollector } from "./phs.js";
import { DnsTree, Http2Tree, HttpReq, HttpTree, OpenVpnTree } from "./trees.js";

export { Collector, StatsError, type StatsCollector } from "./base.js";
export { renderReport, renderReports, type Report, type Section, type StatsFormat } from "./report.js";
export { ConvCollector, EndpointsCollector, type Conversation, type Endpoint } from "./conv.js";
export { ExpertCollector } from "./expert.js";
export { IoStatCollector } from "./iostat.js";
export { PhsCollector } from "./phs.js";
export { DnsTree, Http2Tree, HttpReq, HttpTree, OpenVpnTree } from "./trees.js";
export { LayersCollector } from "../layers.js";

/** The statistics makeStats knows, for help text. */
export const STATS_HELP: readonly string[] = [
  "conv,eth|ip|ipv6|tcp|udp[,filter]",
  "endpoints,eth|ip|ipv6|tcp|udp[,filter]",
  "io,phs[,filter]",
  "io,stat,interval[,filter][,filter]…",
  "expert[,error|warn|note|chat|comment][,filter]",
  "dns,tree[,filter]",
  "http,tree[,filter]",
  "http,req[,filter]",
  "http2,tree[,filter]",
  "openvpn,tree[,filter]",
  "layers",
];

function is(spec: string, name: string): boolean {
  return spec === name || spec.startsWith(name + ",");
}

/** Make the collector for a "-z" argument; throws StatsError with a tshark-like message for a bad one. */
export function makeStats(spec: string): StatsCollector {
  let c: Collector;
  if (is(spec, "conv")) c = new ConvCollector(spec);
  else if (is(spec, "endpoints")) c = new EndpointsCollector(spec);
  else if (is(spec, "io,phs")) c = new PhsCollector(spec);
  else if (is(spec, "io,stat")) c = new IoStatCollector(spec);
  else if (is(spec, "expert")) c = new ExpertCollector(spec);
  else if (is(spec, "dns,tree")) c = new DnsTree(spec);
  else if (is(spec, "http,tree")) c = new HttpTree(spec);
  else if (is(spec, "http,req")) c = new HttpReq(spec);
  else if (is(spec, "http2,tree")) c = new Http2Tree(spec);
  else if (is(spec, "openvpn,tree")) c = new OpenVpnTree(spec);
  else if (spec === "layers") c = new LayersCollector(spec);
  else throw new StatsError(`invalid -z argument "${spec}"; it must be one of:\n${STATS_HELP.map((s) => "     -z " + s).join("\n")}`);
  return c;
}

/** Render every -z statistic: one JSON document for all of them (an array when several), else one after the other. */
export function renderStats(stats: readonly StatsCollector[], format: StatsFormat, style: Style): string {
  if (format !== "json" || stats.length < 2) return stats.map((z) => z.render(format, style)).join("");
  return renderReports(stats.map((z) => z.report()), format, style);
}
