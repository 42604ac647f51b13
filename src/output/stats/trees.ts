/**
 * Counting trees (tshark's stats_tree): dns,tree, http,tree, http,req and our own
 * openvpn,tree. Each is a set of categories, each category a list of (label, count) in
 * order of first appearance. Labels come from the fields' value strings.
 */
import type { Dissection } from "../../core/dissect.js";
import type { Field, Value } from "../../core/field.js";
import type { CompiledFilter } from "../../filter/index.js";
import { Collector, need, statFilter } from "./base.js";
import type { Cell, Report } from "./report.js";

export class Category {
  total = 0;
  readonly counts = new Map<string, number>();
  /** Optional sub-counts per label (http,req: URIs per host). */
  readonly sub = new Map<string, Map<string, number>>();
  constructor(readonly name: string) {}
  inc(label: string, n = 1): void {
    this.total += n;
    this.counts.set(label, (this.counts.get(label) ?? 0) + n);
  }
  incSub(label: string, item: string): void {
    let m = this.sub.get(label);
    if (m === undefined) this.sub.set(label, (m = new Map()));
    m.set(item, (m.get(item) ?? 0) + 1);
  }
}

function label(f: Field, v: Value): string {
  if (typeof v === "number" && f.strings) return f.strings[v] ?? `Unknown (${v})`;
  if (typeof v === "boolean") return f.tfs ? (v ? f.tfs[0] : f.tfs[1]) : v ? "True" : "False";
  return String(v);
}

abstract class TreeCollector extends Collector {
  protected readonly filter: CompiledFilter | null;
  protected readonly filterText: string;
  protected packets = 0;
  abstract readonly title: string;
  protected readonly cats: Category[] = [];

  constructor(protected readonly spec: string, prefix: string) {
    super();
    const rest = spec.slice(prefix.length);
    this.filterText = rest.startsWith(",") ? rest.slice(1) : "";
    this.filter = statFilter(this.filterText, spec);
  }

  protected cat(name: string): Category {
    const c = new Category(name);
    this.cats.push(c);
    return c;
  }

  /** Register the wanted fields: the statistic's plus its filter's. */
  protected want(...fs: Field[]): void {
    this.fields = [...fs, ...(this.filter?.fields ?? [])];
  }

  add(d: Dissection): void {
    if (this.filter !== null && !this.filter.test(d)) return;
    this.count(d);
  }
  protected abstract count(d: Dissection): void;

  /** Extra summary lines. */
  protected summary(): string[] {
    return [];
  }

  category(name: string): Category | undefined {
    return this.cats.find((c) => c.name === name);
  }

  report(): Report {
    const rows: Cell[][] = [];
    const depth: number[] = [];
    const pct = (n: number, t: number) => (t === 0 ? "" : ((100 * n) / t).toFixed(2) + "%");
    for (const c of this.cats) {
      rows.push([c.name, c.total, ""]);
      depth.push(0);
      for (const [l, n] of c.counts) {
        rows.push([l, n, pct(n, c.total)]);
        depth.push(1);
        const sub = c.sub.get(l);
        if (sub) for (const [s, m] of sub) {
          rows.push([s, m, pct(m, n)]);
          depth.push(2);
        }
      }
    }
    return {
      stat: this.spec.split(",").slice(0, 2).join(","), title: this.title, filter: this.filterText || undefined,
      summary: this.summary(),
      sections: [{ title: "", columns: ["Topic / Item", "Count", "Percent"], rows, depth }],
    };
  }
}

/** `-z dns,tree`: rcode, opcode, query/response, query type and class per DNS message (first question). */
export class DnsTree extends TreeCollector {
  readonly title = "DNS";
  private readonly f: Record<"resp" | "opcode" | "rcode" | "nq" | "qtype" | "qclass", Field>;
  readonly total: Category;
  readonly rcode: Category;
  readonly opcodes: Category;
  readonly qr: Category;
  readonly qtype: Category;
  readonly qclass: Category;
  payloadSum = 0;

  constructor(spec: string) {
    super(spec, "dns,tree");
    this.f = {
      resp: need("dns.flags.response", spec), opcode: need("dns.flags.opcode", spec), rcode: need("dns.flags.rcode", spec),
      nq: need("dns.count.queries", spec), qtype: need("dns.qry.type", spec), qclass: need("dns.qry.class", spec),
    };
    this.want(...Object.values(this.f));
    this.total = this.cat("Total Packets");
    this.rcode = this.cat("rcode");
    this.opcodes = this.cat("opcodes");
    this.qr = this.cat("Query/Response");
    this.qtype = this.cat("Query Type");
    this.qclass = this.cat("Class");
  }

  protected count(d: Dissection): void {
    const t = d.tree, f = this.f;
    const resp = t.get(f.resp);
    if (resp.length === 0) return;
    const op = t.get(f.opcode), rc = t.get(f.rcode), nq = t.get(f.nq), qt = t.get(f.qtype), qc = t.get(f.qclass);
    let q = 0; // index of the message's first question among all recorded questions
    // the dissector may record the reply code for responses only (as Wireshark's tree): a query's is 0
    const rcAll = rc.length === resp.length;
    let r = 0;
    for (let k = 0; k < resp.length; k++) {
      this.total.inc("DNS messages");
      const code = rcAll ? rc[k] : resp[k] && r < rc.length ? rc[r++] : 0;
      this.rcode.inc(label(f.rcode, code));
      if (k < op.length) this.opcodes.inc(label(f.opcode, op[k]));
      this.qr.inc(resp[k] ? "Response" : "Query");
      const n = k < nq.length ? (nq[k] as number) : 0;
      if (n > 0 && q < qt.length) {
        this.qtype.inc(label(f.qtype, qt[q]));
        if (q < qc.length) this.qclass.inc(label(f.qclass, qc[q]));
      }
      q += n;
    }
  }
}

/** `-z http2,tree`: HTTP/2 frames by type (tshark's pivot: the commonest first). */
export class Http2Tree extends TreeCollector {
  readonly title = "HTTP2";
  private readonly type: Field;
  readonly types: Category;

  constructor(spec: string) {
    super(spec, "http2,tree");
    this.type = need("http2.type", spec);
    this.want(this.type);
    this.types = this.cat("Type");
  }

  protected count(d: Dissection): void {
    for (const v of d.tree.get(this.type)) this.types.inc(label(this.type, v));
  }

  override report(): Report {
    // (a stable sort: types as common as each other stay in the order they first came)
    const sorted = [...this.types.counts].sort((a, b) => b[1] - a[1]);
    this.types.counts.clear();
    for (const [l, n] of sorted) this.types.counts.set(l, n);
    return super.report();
  }
}

/** `-z http,tree`: request methods, response codes (by class and code). */
export class HttpTree extends TreeCollector {
  readonly title = "HTTP/Packet Counter";
  private readonly method: Field;
  private readonly code: Field;
  readonly all: Category;
  readonly requests: Category;
  readonly responses: Category;

  constructor(spec: string) {
    super(spec, "http,tree");
    this.method = need("http.request.method", spec);
    this.code = need("http.response.code", spec);
    this.want(this.method, this.code);
    this.all = this.cat("Total HTTP Packets");
    this.requests = this.cat("HTTP Request Packets");
    this.responses = this.cat("HTTP Response Packets");
  }

  protected count(d: Dissection): void {
    const m = d.tree.get(this.method), c = d.tree.get(this.code);
    if (m.length === 0 && c.length === 0) return;
    this.all.inc(m.length > 0 ? "Request" : "Response");
    for (const v of m) this.requests.inc(String(v));
    for (const v of c) {
      const n = Number(v);
      const cls = Math.floor(n / 100);
      const name = ["???", "1xx: Informational", "2xx: Success", "3xx: Redirection", "4xx: Client Error", "5xx: Server Error"][cls] ?? "???";
      this.responses.inc(name);
      this.responses.incSub(name, this.code.strings?.[n] ? `${n} ${this.code.strings[n]}` : String(n));
    }
  }
}

/** `-z http,req`: requests by host, and by URI under each host. */
export class HttpReq extends TreeCollector {
  readonly title = "HTTP/Requests";
  private readonly host: Field;
  private readonly uri: Field;
  readonly hosts: Category;

  constructor(spec: string) {
    super(spec, "http,req");
    this.host = need("http.host", spec);
    this.uri = need("http.request.uri", spec);
    this.want(this.host, this.uri, need("http.request.method", spec));
    this.hosts = this.cat("HTTP Requests by HTTP Host");
  }

  protected count(d: Dissection): void {
    const h = d.tree.get(this.host), u = d.tree.get(this.uri);
    for (let k = 0; k < u.length; k++) {
      const host = k < h.length ? String(h[k]) : "";
      this.hosts.inc(host);
      this.hosts.incSub(host, String(u[k]));
    }
  }
}

/** `-z openvpn,tree`: opcodes, key ids, sessions, control vs data bytes. */
export class OpenVpnTree extends TreeCollector {
  readonly title = "OpenVPN";
  private readonly opcode: Field;
  private readonly keyid: Field;
  private readonly session: Field;
  readonly opcodes: Category;
  readonly keyids: Category;
  readonly sessions: Category;
  readonly bytes: Category;

  constructor(spec: string) {
    super(spec, "openvpn,tree");
    this.opcode = need("openvpn.opcode", spec);
    this.keyid = need("openvpn.keyid", spec);
    this.session = need("openvpn.sessionid", spec);
    this.want(this.opcode, this.keyid, this.session);
    this.opcodes = this.cat("Opcodes");
    this.keyids = this.cat("Key IDs");
    this.sessions = this.cat("Sessions (packets by session ID)");
    this.bytes = this.cat("Bytes (frame length)");
  }

  protected count(d: Dissection): void {
    const ops = d.tree.get(this.opcode);
    if (ops.length === 0) return;
    const keys = d.tree.get(this.keyid), ses = d.tree.get(this.session);
    let data = false;
    for (let k = 0; k < ops.length; k++) {
      const op = ops[k] as number;
      this.opcodes.inc(label(this.opcode, op));
      if (k < keys.length) this.keyids.inc(`key-id ${keys[k]}`);
      if (op === 6 || op === 9) data = true;
    }
    for (const s of ses) this.sessions.inc(typeof s === "bigint" ? "0x" + s.toString(16).padStart(16, "0") : String(s));
    this.bytes.inc(data ? "Data channel (P_DATA_V1/V2)" : "Control channel", d.frame.len);
  }

  protected override summary(): string[] {
    const data = this.bytes.counts.get("Data channel (P_DATA_V1/V2)") ?? 0;
    const total = this.bytes.total;
    return total === 0 ? [] : [`${total} bytes in OpenVPN frames: ${data} data (${((100 * data) / total).toFixed(1)}%), ${total - data} control`];
  }
}
