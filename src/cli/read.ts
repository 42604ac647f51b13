/** `nestcap -r FILE`: read, dissect, print (summary, -V, -x, -T fields/json), write (-w). */
import { statSync } from "node:fs";
import { CaptureError, CaptureReader } from "../capture/reader.js";
import { PcapngWriter, PcapWriter } from "../capture/writer.js";
import type { InterfaceInfo } from "../capture/frame.js";
import { Dissector } from "../core/dissect.js";
import type { Field } from "../core/field.js";
import { fieldByAbbrev } from "../core/field.js";
import { compileFilter, FilterError, formatFilterError, type CompiledFilter } from "../filter/index.js";
import { makeStyle } from "../output/color.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsHeader, fieldsLine, parseFieldsOption, resolveFields, type FieldsOptions } from "../output/fields.js";
import { hexDump } from "../output/hex.js";
import { jsonEnd, jsonFrame, jsonStart } from "../output/json.js";
import { summaryLine } from "../output/summary.js";
import { treeText } from "../output/tree-text.js";
import type { Options } from "./args.js";
import { fail } from "./fail.js";
import { Out, Progress } from "./out.js";

/** Exit codes as tshark's: 2 for a file it can't read (not a capture, cut short, corrupt). */
export const EXIT_BAD_FILE = 2;

export async function readCommand(o: Options): Promise<number> {
  if (o.stats.length > 0) fail("statistics (-z) are not available in this version yet", 1);
  if (o.outputType === "fields" && o.fields.length === 0) fail('-T fields was specified, but no fields were specified with "-e"', 1);
  if (o.fields.length > 0 && o.outputType !== "fields") fail('"-Tfields" was not specified, but fields were specified with "-e"', 1);

  let fields: Field[] = [];
  const fo: FieldsOptions = { ...DEFAULT_FIELDS_OPTIONS };
  try {
    fields = resolveFields(o.fields);
    for (const e of o.fieldOptions) parseFieldsOption(fo, e);
  } catch (e) {
    fail((e as Error).message.replace(/\n\t/g, " "), 1);
  }
  const highlight: Field[] = [];
  for (const h of o.highlight) {
    const f = fieldByAbbrev(h);
    if (!f) fail(`'${h}' is neither a field nor a protocol name (--highlight)`, 1);
    highlight.push(f);
  }

  let filter: CompiledFilter | undefined;
  if (o.displayFilter !== undefined) {
    try {
      filter = compileFilter(o.displayFilter);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      process.stderr.write(formatFilterError(o.displayFilter, e) + "\n");
      return 2;
    }
  }

  const style = makeStyle(o.color, process.stdout.isTTY === true);
  // tshark: the summary line alone by default; -V/-x replace it unless -P asks for it too
  const printSummary = !o.quiet && o.outputType === "text" && ((!o.verbose && !o.hex) || o.printSummary);
  const printTree = !o.quiet && o.outputType === "text" && o.verbose;
  const printHex = !o.quiet && o.hex;
  const needTree = printTree || o.outputType === "json" || highlight.length > 0;
  const dissector = new Dissector({ tree: needTree && !o.quiet, columns: printSummary, wanted: [...(o.outputType === "fields" ? fields : []), ...(filter?.fields ?? [])] });

  let reader: CaptureReader;
  const src = o.read === "-" ? process.stdin : o.read!;
  try {
    reader = await CaptureReader.open(src);
  } catch (e) {
    if (e instanceof CaptureError) fail(e.message, EXIT_BAD_FILE);
    throw e;
  }

  const out = new Out();
  const total = o.read !== "-" ? statSafe(o.read!) : 0;
  const progress = new Progress(total, o.progress && process.stderr.isTTY === true && !process.stdout.isTTY);

  let writer: PcapngWriter | PcapWriter | undefined;
  const ifaceMap = new Map<number, number>();
  if (o.write !== undefined) {
    writer = o.writeFormat === "pcap" ? new PcapWriter(o.write === "-" ? process.stdout : o.write) : new PcapngWriter(o.write === "-" ? process.stdout : o.write);
  }

  if (o.outputType === "fields" && fo.header && !o.quiet) out.write(fieldsHeader(o.fields, fo) + "\n");
  if (o.outputType === "json" && !o.quiet) out.write(jsonStart());

  let n = 0;
  let exit = 0;
  let firstJson = true;
  try {
    outer: for await (const batch of reader.batches()) {
      for (const fr of batch) {
        if (o.count !== undefined && n >= o.count) break outer;
        n++;
        const d = dissector.dissect(fr);
        if (filter !== undefined && !filter.test(d)) continue;
        dissector.session.prevDisplayedTs = { s: fr.tsSec, ns: fr.tsNsec };
        if (writer) {
          let id = ifaceMap.get(fr.interfaceId);
          if (id === undefined) {
            const info: InterfaceInfo = fr.iface ?? { linkType: fr.linkType, snaplen: 262144, tsresol: 1e9, tsoffset: 0 };
            id = writer.addInterface({ ...info, linkType: fr.linkType });
            ifaceMap.set(fr.interfaceId, id);
          }
          writer.write({ ...fr, interfaceId: id });
        }
        if (o.write === "-" || o.quiet) continue;
        if (o.outputType === "text") {
          let printed = false;
          if (printSummary) {
            out.write(summaryLine(d, style) + "\n");
            printed = true;
          }
          if (printTree) {
            out.write(treeText(d, { only: o.only.length ? o.only : undefined, style, hex: printHex }));
            printed = true;
          }
          if (printHex) {
            if (printed) out.write("\n");
            out.write(hexDump(d, { highlight, style }) + "\n");
          } else if (printTree) out.write("\n");
        } else if (o.outputType === "fields") out.write(fieldsLine(d.tree, fields, fo) + "\n");
        else {
          out.write(jsonFrame(d, firstJson));
          firstJson = false;
        }
        if (out.full) await out.flush();
      }
      progress.update(readerPosition(reader), n);
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    await out.flush();
    progress.done();
    process.stderr.write(`nestcap: ${e.message}\n`);
    exit = EXIT_BAD_FILE;
  }
  if (o.outputType === "json" && !o.quiet) out.write(jsonEnd(!firstJson));
  await out.flush();
  progress.done();
  if (writer) await writer.close();
  for (const w of reader.warnings) {
    process.stderr.write(`nestcap: ${w}\n`);
    exit = EXIT_BAD_FILE;
  }
  await reader.close();
  return exit;
}

function statSafe(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

function readerPosition(r: CaptureReader): number {
  const pos = (r as unknown as { bytesRead?: number }).bytesRead;
  return typeof pos === "number" ? pos : 0;
}
