/**
 * Per-frame output shared by `-r` (read.ts) and `-i` (live.ts): set up the Dissector,
 * display filter, printers and writer once from the options, then `emit(frame)` for
 * each frame and `finish()` at the end.
 */
import { PcapngWriter, PcapWriter } from "../capture/writer.js";
import type { Frame, InterfaceInfo } from "../capture/frame.js";
import { Dissector, type Dissection } from "../core/dissect.js";
import { Session, type SessionOptions } from "../core/session.js";
import type { Field } from "../core/field.js";
import { fieldByAbbrev } from "../core/field.js";
import { compileFilter, FilterError, formatFilterError, type CompiledFilter } from "../filter/index.js";
import { makeStyle } from "../output/color.js";
import { columnFields, DEFAULT_FIELDS_OPTIONS, fieldsHeader, needsFullTree, parseFieldsOption, resolveFields, writeFieldsLine, type FieldsOptions } from "../output/fields.js";
import { hexDump } from "../output/hex.js";
import { layersView } from "../output/layers.js";
import { makeStats, renderStats, StatsError, type StatsCollector } from "../output/stats/index.js";
import { makeFollow } from "../output/follow.js";
import { jsonEnd, jsonFieldsFrame, jsonFrame, jsonStart, type JsonOptions } from "../output/json.js";
import { ekFieldsFrame, ekFrame } from "../output/ek.js";
import { pdmlEnd, pdmlFieldsFrame, pdmlFrame, pdmlStart } from "../output/pdml.js";
import { psmlEnd, psmlFrame, psmlStart } from "../output/psml.js";
import type { LineWriter } from "../output/line-writer.js";
import { columnText, writeSummaryLine, type TimeDisplay } from "../output/summary.js";
import { treeTextTo } from "../output/tree-text.js";
import { ObjectExport } from "../output/export-objects.js";
import type { Options } from "./args.js";
import { fail } from "./fail.js";
import { belowTransport, decodeAsRules, portsOnly, prefValues } from "./session-options.js";
import { Out } from "./out.js";

/** Something frames are written to (-w): a pcap/pcapng writer, or live.ts's ring buffer. */
export interface FrameSink {
  addInterface(info: InterfaceInfo): number;
  write(fr: Frame): void;
  close(): Promise<void>;
}

/** Where the Emitter's text goes: stdout (Out), or a worker's batch buffer (parallel.ts). */
export interface TextSink extends LineWriter {
  write(s: string): void;
  /** True when the caller should flush before the next frame. */
  readonly full: boolean;
  flush(): Promise<void>;
}

/** Fields whose values count across the whole capture, not within one flow. */
const CAPTURE_WIDE = /(^|\.)stream$|^frame\.time_delta_displayed$/;

export class Emitter {
  readonly out: TextSink;
  private readonly writeOut = (s: string): void => this.out.write(s);
  readonly dissector: Dissector;
  /** The options of the dissector's session (-2's first pass makes a session of its own with them). */
  readonly sessionOptions: SessionOptions;
  /** Frames given to emit() (displayed or not). */
  count = 0;
  /** The display filter (-Y). */
  readonly filter: CompiledFilter | undefined;
  /** -2 -w: frames a displayed frame's reassembly used (its first pass found them), written though not displayed. */
  dependedUpon: ReadonlySet<number> | null = null;
  private readonly fields: Field[];
  private readonly fo: FieldsOptions;
  /** The Time column's display (-t, -u). */
  private readonly time: TimeDisplay;
  /** The -e fields that are summary columns (`_ws.col.Info`), filled from the columns after dissection. */
  private readonly columnFields: { field: Field; title: string }[];
  private readonly highlight: Field[];
  private readonly style: ReturnType<typeof makeStyle>;
  private readonly printSummary: boolean;
  private readonly printTree: boolean;
  private readonly printHex: boolean;
  /**
   * Nothing reads the dissection: no filter, statistic, follow or export, and no per-frame
   * output (-q, or -w FILE without -P/-V/-x): frames then go to the writer undissected, so
   * `-r big.pcap -c 1000 -w small.pcapng` (or `-i eth0 -q -w f.pcapng`) copies records
   * without dissecting them, into the file a dissecting run writes (tshark skips them too).
   */
  private readonly idle: boolean;
  private readonly ifaceMap = new Map<number, number>();
  private readonly stats: StatsCollector[] = [];
  private readonly follows: ReturnType<typeof makeFollow>[] = [];
  /** -j/-J for -T json. */
  private readonly jsonOptions: JsonOptions;
  /** --export-objects: the bodies the dissectors tap, each written as it comes. */
  private readonly exports: ObjectExport[] = [];
  private firstJson = true;
  private started = false;

  /**
   * Validates the options (one-line error and exit on a bad one; exit 2 for a bad display filter).
   * `out`: where text goes (stdout by default); `tty`: whether it ends up on a terminal
   * (colour "auto"): a read worker is told its main thread's.
   */
  constructor(private readonly o: Options, public writer?: FrameSink, out?: TextSink, tty = process.stdout.isTTY === true) {
    this.out = out ?? new Out();
    // -z statistics: each a collector fed every displayed frame, rendered at the end
    try {
      // tshark prints -z follow output last-given first; the other statistics in order
      for (const z of o.stats) {
        if (z.startsWith("follow,")) this.follows.unshift(makeFollow(z));
        else this.stats.push(makeStats(z));
      }
    } catch (e) {
      // StatsError or makeFollow's Error: both are a bad -z argument
      if (!(e instanceof StatsError) && !(e instanceof Error && /follow/.test(e.message))) throw e;
      fail((e as Error).message, 1);
    }
    if (o.outputType === "fields" && o.fields.length === 0) fail('-T fields was specified, but no fields were specified with "-e"', 1);
    // (tshark takes -e with -T json, ek and pdml too: only those fields, see jsonFieldsFrame)
    if (o.fields.length > 0 && ((o.outputType !== "fields" && o.outputType !== "json" && o.outputType !== "ek" && o.outputType !== "pdml") || o.jsonRaw)) {
      fail('Output fields were specified with "-e", but "-Tek, -Tfields, -Tjson or -Tpdml" was not specified.', 1);
    }
    if (o.hex && (o.outputType === "fields" || o.outputType === "pdml" || o.outputType === "psml")) fail("Raw packet hex data can only be printed as text, PostScript, JSON, JSONRAW or EK JSON", 1);
    let fields: Field[] = [];
    const fo: FieldsOptions = { ...DEFAULT_FIELDS_OPTIONS };
    try {
      fields = resolveFields(o.fields);
      for (const e of o.fieldOptions) parseFieldsOption(fo, e);
    } catch (e) {
      fail((e as Error).message.replace(/\n\t/g, " "), 1);
    }
    this.fields = fields;
    this.fo = fo;
    this.columnFields = o.outputType !== "text" ? columnFields(fields) : [];
    this.time = { format: o.timeFormat, hms: o.secondsFormat === "hms" };
    this.highlight = [];
    for (const h of o.highlight) {
      const f = fieldByAbbrev(h);
      if (!f) fail(`'${h}' is neither a field nor a protocol name (--highlight)`, 1);
      this.highlight.push(f);
    }
    if (o.displayFilter !== undefined) {
      try {
        this.filter = compileFilter(o.displayFilter);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        process.stderr.write(formatFilterError(o.displayFilter, e) + "\n");
        process.exit(2);
      }
    }
    for (const e of o.exportObjects) {
      const x = new ObjectExport(e.proto, e.dir);
      try {
        x.prepare();
      } catch (err) {
        fail((err as Error).message, 1);
      }
      this.exports.push(x);
    }
    this.jsonOptions = { hex: o.hex, text: !o.jsonRaw, noDuplicateKeys: o.noDuplicateKeys === true };
    if (o.jsonMatch !== undefined) this.jsonOptions.match = { names: new Set(o.jsonMatch.names), children: o.jsonMatch.children };
    this.style = makeStyle(o.color, tty);
    // tshark: the summary line alone by default; -V/-x replace it unless -P asks for it too
    // as tshark: writing a file (-w FILE) hides the summary lines unless -P asks for them
    this.printSummary = !o.quiet && (o.outputType === "text" || o.outputType === "tabs") && ((!o.verbose && !o.hex && !o.layers && (o.write === undefined || o.write === "-")) || o.printSummary);
    this.printTree = !o.quiet && o.outputType === "text" && o.verbose;
    this.printHex = !o.quiet && o.hex;
    const prints = !o.quiet && o.write !== "-" && (o.outputType !== "text" || this.printSummary || this.printTree || this.printHex || o.layers);
    this.idle = !prints && this.filter === undefined && this.stats.length === 0 && this.follows.length === 0 && this.exports.length === 0;
    const needTree =
      (!o.quiet && (this.printTree || ((o.outputType === "json" || o.outputType === "ek" || o.outputType === "pdml") && fields.length === 0) || this.highlight.length > 0 || o.layers || (o.outputType !== "text" && needsFullTree(fields)))) ||
      this.stats.some((z) => z.needsTree);
    const read = [...fields, ...(this.filter?.fields ?? [])];
    this.sessionOptions = {
      prefs: prefValues(o.prefs),
      decodeAs: decodeAsRules(o.decodeAs),
      taps: this.taps(),
      // (-x prints every data source: reassembled and decrypted bytes need the payloads dissected)
      transportOnly: !needTree && !o.hex && o.readFilter === undefined && !this.printSummary && this.stats.length === 0 && this.follows.length === 0 && this.exports.length === 0 &&
        this.columnFields.length === 0 && o.decodeAs.length === 0 && !Object.keys(o.prefs).some((k) => k.startsWith("openvpn.")) &&
        belowTransport(read),
      tcpPortsOnly: portsOnly(read),
    };
    this.dissector = new Dissector({
      tree: needTree,
      columns: this.printSummary || this.columnFields.length > 0 || o.outputType === "psml",
      wanted: [...fields, ...(this.filter?.fields ?? []), ...this.stats.flatMap((z) => z.fields), ...this.follows.flatMap((z) => z.fields)],
    }, new Session(this.sessionOptions));
  }

  /**
   * True when each frame's output depends only on the frame and its own flow, so that
   * frames can be dissected by flow in parallel (parallel.ts): summary lines or -T fields,
   * with or without -Y, and none of the numbers counted across the whole capture
   * (tcp.stream, udp.stream: the order flows first appear in) or across displayed frames.
   */
  flowLocal(): boolean {
    const o = this.o;
    if (o.quiet || o.write !== undefined || this.stats.length > 0 || this.follows.length > 0 || this.exports.length > 0) return false;
    if (o.outputType === "json" || o.outputType === "ek" || o.outputType === "pdml" || o.outputType === "psml" || o.outputType === "tabs") return false;
    // the time since the previous displayed frame depends on the frames of every flow
    if (o.timeFormat === "dd") return false;
    if (o.outputType === "text" && (!this.printSummary || this.printTree || this.printHex || o.layers)) return false;
    const used = [...(o.outputType === "fields" ? this.fields : []), ...(this.filter?.fields ?? [])];
    return used.every((f) => !CAPTURE_WIDE.test(f.abbrev));
  }

  /** Open the -w writer the options ask for (pcapng unless -F pcap). */
  static openWriter(o: Options): PcapngWriter | PcapWriter | undefined {
    if (o.write === undefined) return undefined;
    const dest = o.write === "-" ? process.stdout : o.write;
    return o.writeFormat === "pcap" ? new PcapWriter(dest) : new PcapngWriter(dest);
  }

  /** The writer already has IDBs 0..n-1 for frames' interfaceId 0..n-1 (live capture adds them up front). */
  mapInterfaces(n: number): void {
    for (let i = 0; i < n; i++) this.ifaceMap.set(i, i);
  }

  /** Header lines (-E header=y, the JSON opening bracket): once, before the first frame. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const o = this.o;
    if (o.outputType === "fields" && this.fo.bom && !o.quiet) this.out.write("\ufeff");
    if (o.outputType === "fields" && this.fo.header && !o.quiet) this.out.write(fieldsHeader(o.fields, this.fo) + "\n");
    if (o.outputType === "json" && !o.quiet) this.out.write(jsonStart());
    if (o.outputType === "psml" && !o.quiet) this.out.write(psmlStart());
    if (o.outputType === "pdml" && !o.quiet) this.out.write(pdmlStart(o.read ?? ""));
  }

  /** The frame to the -w file, if there is one (its interface described once). */
  private writeFrame(fr: Frame): void {
    const writer = this.writer;
    if (!writer) return;
    let id = this.ifaceMap.get(fr.interfaceId);
    if (id === undefined) {
      const info: InterfaceInfo = fr.iface ?? { linkType: fr.linkType, snaplen: 262144, tsresol: 1e9, tsoffset: 0 };
      id = writer.addInterface({ ...info, linkType: fr.linkType });
      this.ifaceMap.set(fr.interfaceId, id);
    }
    writer.write({ ...fr, interfaceId: id });
  }

  /** Dissect, filter, write and print one frame. Returns true when it was displayed. The caller flushes when out.full. */
  emit(fr: Frame): boolean {
    if (!this.started) this.start();
    const o = this.o;
    this.count++;
    if (this.idle) {
      this.writeFrame(fr);
      return true;
    }
    const d = this.dissector.dissect(fr);
    if (this.filter !== undefined && !this.filter.test(d)) {
      // (tshark -2 -w: what a displayed frame depends on is written too)
      if (this.dependedUpon !== null && this.dependedUpon.has(fr.num)) this.writeFrame(fr);
      return false;
    }
    this.dissector.session.prevDisplayedTs = { s: fr.tsSec, ns: fr.tsNsec };
    for (const z of this.stats) z.add(d);
    for (const z of this.follows) z.add(d);
    this.writeFrame(fr);
    if (o.write === "-" || o.quiet) return true;
    const out = this.out;
    if (o.outputType === "psml") out.write(psmlFrame(d, this.time));
    else if (o.outputType === "pdml") {
      this.recordColumns(d);
      out.write(this.fields.length > 0 ? pdmlFieldsFrame(d, this.fields) : pdmlFrame(d));
    }
    else if (o.outputType === "ek") {
      this.recordColumns(d);
      out.write(this.fields.length > 0 ? ekFieldsFrame(d, this.fields) : ekFrame(d, o.hex));
    }
    else if (o.outputType === "text" || o.outputType === "tabs") {
      let printed = false;
      if (this.printSummary) {
        writeSummaryLine(d, this.style, out, this.time, o.outputType === "tabs");
        printed = true;
      }
      if (o.layers && !o.quiet) {
        out.write(layersView(d, this.style));
        printed = true;
      }
      if (this.printTree) {
        treeTextTo(d, { only: o.only.length ? o.only : undefined, style: this.style, hex: this.printHex }, this.writeOut);
        printed = true;
      }
      if (this.printHex) {
        if (printed) out.write("\n");
        out.write(hexDump(d, { highlight: this.highlight, style: this.style }) + "\n");
      } else if (this.printTree) out.write("\n");
    } else if (o.outputType === "fields") {
      this.recordColumns(d);
      writeFieldsLine(d.tree, this.fields, this.fo, out);
    }
    else {
      this.recordColumns(d);
      out.write(this.fields.length > 0 ? jsonFieldsFrame(d, this.fields, this.firstJson) : jsonFrame(d, this.firstJson, this.jsonOptions));
      this.firstJson = false;
    }
    return true;
  }

  /**
   * -2 -R: a frame the read filter left out. tshark's second pass does not show it, but the
   * state its first pass left (a reassembly it began) is there: it is dissected for that
   * state only, with no output, no taps, and the clock of the shown frames left alone.
   */
  replay(fr: Frame): void {
    const s = this.dissector.session;
    const prevTs = s.prevTs;
    s.muted = true;
    try {
      this.dissector.dissect(fr);
    } finally {
      s.muted = false;
      s.prevTs = prevTs;
    }
  }

  /** The tap listeners of --export-objects and -z follow (tls, http), one function per tap name. */
  private taps(): Record<string, (record: unknown) => void> | undefined {
    const by = new Map<string, ((record: unknown) => void)[]>();
    const on = (name: string, fn: (record: unknown) => void) => {
      const l = by.get(name);
      if (l === undefined) by.set(name, [fn]);
      else l.push(fn);
    };
    for (const x of this.exports) on("http_eo", x.add);
    for (const z of this.follows) for (const [name, fn] of Object.entries(z.taps)) on(name, fn);
    if (by.size === 0) return undefined;
    const taps: Record<string, (record: unknown) => void> = {};
    for (const [name, l] of by) taps[name] = l.length === 1 ? l[0] : (r) => { for (const fn of l) fn(r); };
    return taps;
  }

  /** The -e fields that are summary columns (_ws.col.Info…), recorded from the columns. */
  private recordColumns(d: Dissection): void {
    for (const c of this.columnFields) {
      const t = columnText(d, c.title, this.time);
      if (t !== null) d.tree.record(c.field, t);
    }
  }

  /** Closing output (the JSON bracket), flush stdout, close the writer. */
  async finish(): Promise<void> {
    if (!this.started) this.start();
    if (this.o.outputType === "json" && !this.o.quiet) this.out.write(jsonEnd(!this.firstJson));
    if (this.o.outputType === "psml" && !this.o.quiet) this.out.write(psmlEnd());
    if (this.o.outputType === "pdml" && !this.o.quiet) this.out.write(pdmlEnd());
    this.out.write(renderStats(this.stats, this.o.statsFormat, this.style));
    for (const z of this.follows) this.out.write(z.render());
    await this.out.flush();
    for (const x of this.exports) {
      try {
        x.finish();
      } catch (err) {
        fail(`--export-objects: ${(err as Error).message}`, 2);
      }
    }
    if (this.writer) await this.writer.close();
  }
}
