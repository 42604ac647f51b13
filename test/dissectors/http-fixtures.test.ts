/**
 * HTTP/1.x on the real-server fixture fixtures/http-encoding.pcapng (made by
 * fixtures/make-captures.sh: curl and a small Python server, one keep-alive connection
 * with a chunked body (chunk extensions), gzip, chunked+gzip, deflate, a 304 and a
 * HEAD request, then an HTTP/1.0-style response without Content-Length ended by FIN).
 *
 * Differential against tshark 4.0 with its defaults (TCP reassembly on, bodies
 * de-chunked and decompressed): every http.* field nestcap registers, the common
 * header fields, http.file_data, and the Info column of HTTP frames. Only stable facts
 * are asserted on their own (the fixture's ports, dates and sequence numbers change
 * when it is regenerated).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCaptureSync } from "../../src/capture/reader.js";
import { Dissector } from "../../src/core/dissect.js";
import { Session } from "../../src/core/session.js";
import { allFields } from "../../src/core/field.js";
import { DEFAULT_FIELDS_OPTIONS, fieldsLine, resolveFields } from "../../src/output/fields.js";
import { FIXTURES, haveTshark, tsharkFields } from "../helpers/tshark.js";

process.env.TZ = "UTC";

const FILE = join(FIXTURES, "http-encoding.pcapng");

/** Header fields tshark has and nestcap's http.ts fills (or should). */
const HEADER_FIELDS = [
  "http.request.line", "http.response.line", "http.request.method", "http.request.uri", "http.request.version",
  "http.request.full_uri", "http.response.version", "http.response.code.desc", "http.response.phrase", "http.host",
  "http.user_agent", "http.accept", "http.accept_encoding", "http.content_type", "http.content_length_header",
  "http.connection", "http.server", "http.date", "http.transfer_encoding", "http.content_encoding",
  "http.cache_control", "http.unknown_header", "http.response_for.uri", "http.file_data",
];
const REGISTERED = [...new Set(allFields().filter((f) => f.abbrev.startsWith("http.")).map((f) => f.abbrev))];
const FIELDS = [...new Set([...REGISTERED, ...HEADER_FIELDS])];
const EXTRA = ["frame.protocols", "_ws.col.Info", "tcp.segment"];

interface Cell { frame: number; field: string; tshark: string; nestcap: string }

/** One frame's facts from tshark's rows: the URI of the response it belongs to (itself, or the PDU whose tcp.segment lists it). */
interface Ctx { uriOf: (frame: number) => string }

/**
 * Known differences, nestcap vs tshark, on this fixture. The code at fault is outside
 * HTTP (the output layer); each rule names its cause, and the test prints how many cells
 * each rule excused ("0 cells": fixed, drop the rule). Other engineers fix things in
 * parallel, so a rule that no longer matches is not an error.
 *
 * (Four more were found on this file and have been fixed since: a chunked body needing
 * more than one extra segment (DESEGMENT_ONE_MORE_SEGMENT took only one byte of the next
 * segment), the response to HEAD waiting for its Content-Length body, a close-delimited
 * HTTP/1.0 body not reassembled up to the FIN, and the missing JSON dissector.)
 */
const KNOWN: { id: string; why: string; match: (c: Cell, x: Ctx) => boolean }[] = [
  {
    id: "expert-fields",
    why: "expert infos are not field items in nestcap (src/core/tree.ts expert()), so -e http.chat is empty; tshark " +
      "prints 1 on every request/response line",
    match: (c) => c.field === "http.chat",
  },
  {
    id: "fields-escapes",
    why: "src/core/format.ts: tshark 4.0 -T fields escapes \\000-\\006, \\a, \\b, \\f and \\177 inside strings, nestcap only " +
      "\\t \\n \\r (seen in the binary http.file_data of a gzip chunk when segments are dissected one by one)",
    match: (c) => c.tshark !== c.nestcap && unescapeTshark(c.tshark) === c.nestcap,
  },
];

/** Undo the escapes tshark 4.0 adds in -T fields strings and format.ts does not (see "fields-escapes"). */
function unescapeTshark(s: string): string {
  return s.replace(/\\(00[0-6]|177|a|b|f)/g, (_m, e: string) =>
    e === "a" ? "\x07" : e === "b" ? "\b" : e === "f" ? "\f" : String.fromCharCode(parseInt(e, 8)));
}

function nestcapRows(file: string, fields: readonly string[], desegment: boolean): { rows: string[][]; info: string[] } {
  const fs = resolveFields(fields);
  const d = new Dissector({ wanted: fs, columns: true }, new Session({ prefs: { "tcp.desegment_tcp_streams": desegment } }));
  const rows: string[][] = [], info: string[] = [];
  for (const fr of readCaptureSync(file).frames) {
    const r = d.dissect(fr);
    rows.push(fieldsLine(r.tree, fs, DEFAULT_FIELDS_OPTIONS).split("\t"));
    info.push(r.pinfo.cols!.info);
  }
  return { rows, info };
}

interface Diff { cells: number; agree: number; infoRows: number; infoAgree: number; diffs: Cell[]; tshark: string[][]; ctx: Ctx }

/** Both sides with TCP reassembly on (tshark's default) or off (-o tcp.desegment_tcp_streams:FALSE). */
function diff(desegment = true): Diff {
  const t = tsharkFields(FILE, [...EXTRA, ...FIELDS], desegment ? [] : ["-o", "tcp.desegment_tcp_streams:FALSE"]);
  const n = nestcapRows(FILE, FIELDS, desegment);
  expect(n.rows.length, "frame count").toBe(t.length);
  const col = (name: string) => EXTRA.length + FIELDS.indexOf(name);
  // (one pass: tcp.reassembled_in is empty; the completing frame lists its segments in tcp.segment)
  const pduOf = new Map<number, number>();
  t.forEach((row, i) => { for (const s of (row[2] ?? "").split(",")) if (s) pduOf.set(Number(s), i + 1); });
  const uriOf = (frame: number): string => t[(pduOf.get(frame) ?? frame) - 1]?.[col("http.response_for.uri")] ?? "";
  let cells = 0, agree = 0, infoRows = 0, infoAgree = 0;
  const diffs: Cell[] = [];
  for (let i = 0; i < t.length; i++) {
    const row = t[i];
    for (let j = 0; j < FIELDS.length; j++) {
      const a = row[EXTRA.length + j] ?? "", b = n.rows[i][j] ?? "";
      cells++;
      if (a === b) agree++;
      else diffs.push({ frame: i + 1, field: FIELDS[j], tshark: a, nestcap: b });
    }
    if ((row[0] ?? "").includes(":http")) {
      infoRows++;
      if (row[1] === n.info[i]) infoAgree++;
      else diffs.push({ frame: i + 1, field: "_ws.col.Info", tshark: row[1] ?? "", nestcap: n.info[i] });
    }
  }
  return { cells, agree, infoRows, infoAgree, diffs, tshark: t, ctx: { uriOf } };
}

const show = (c: Cell) => `frame ${c.frame} ${c.field}: tshark=${JSON.stringify(c.tshark).slice(0, 120)} nestcap=${JSON.stringify(c.nestcap).slice(0, 120)}`;

describe.skipIf(!haveTshark() || !existsSync(FILE))("http-encoding.pcapng vs tshark", () => {
  let cached: Diff | undefined, cachedOff: Diff | undefined;
  const get = () => (cached ??= diff());
  const getOff = () => (cachedOff ??= diff(false));
  const ruleOf = (c: Cell, x: Ctx) => KNOWN.find((k) => k.match(c, x));

  it("every http.* field, http.file_data and the Info column agree, apart from the KNOWN causes", () => {
    const r = get();
    const unexpected = r.diffs.filter((c) => ruleOf(c, r.ctx) === undefined);
    console.log(`http-encoding.pcapng: ${FIELDS.length} fields x ${r.tshark.length} frames: cells ${r.agree}/${r.cells} agree, ` +
      `Info ${r.infoAgree}/${r.infoRows}; ${r.diffs.length - unexpected.length} known differences`);
    for (const k of KNOWN) {
      const cs = [r, getOff()].flatMap((x) => x.diffs.filter((c) => ruleOf(c, x.ctx) === k));
      console.log(`known (${k.id}): ${cs.length} cells in frames ${[...new Set(cs.map((c) => c.frame))].join(",")}` +
        `${cs.length === 0 ? " (fixed? drop the rule)" : ""} — ${k.why}`);
    }
    if (process.env.HTTP_FIXTURES_VERBOSE) for (const c of r.diffs) console.log(show(c));
    expect(unexpected.map(show).slice(0, 40)).toEqual([]);
    expect(r.infoRows).toBeGreaterThanOrEqual(14);
    // most of the file must be compared for real, not excused
    expect(r.agree).toBeGreaterThan(r.cells * 0.9);
  });

  it("the same with TCP reassembly off (each segment on its own), apart from the KNOWN causes", () => {
    const r = getOff();
    const unexpected = r.diffs.filter((c) => ruleOf(c, r.ctx) === undefined);
    console.log(`http-encoding.pcapng, no reassembly: cells ${r.agree}/${r.cells} agree, Info ${r.infoAgree}/${r.infoRows}; ` +
      `${r.diffs.length - unexpected.length} known differences`);
    if (process.env.HTTP_FIXTURES_VERBOSE) for (const c of r.diffs) console.log(show(c));
    expect(unexpected.map(show).slice(0, 40)).toEqual([]);
    expect(r.agree).toBeGreaterThan(r.cells * 0.9);
  });

  it("stable facts: 7 requests on two connections, gzip/deflate bodies decoded by tshark", () => {
    const t = get().tshark;
    const col = (name: string) => EXTRA.length + FIELDS.indexOf(name);
    const methods = t.map((r) => r[col("http.request.method")]).filter((x) => x);
    expect(methods).toEqual(["GET", "GET", "GET", "GET", "GET", "HEAD", "GET"]);
    const codes = t.map((r) => r[col("http.response.code")]).filter((x) => x);
    expect(codes).toEqual(["200", "200", "200", "200", "304", "200", "200"]);
    const enc = t.map((r) => r[col("http.content_encoding")]).filter((x) => x);
    expect(enc).toEqual(["gzip", "gzip", "deflate"]);
    const bodies = t.map((r) => r[col("http.file_data")]).filter((x) => x);
    expect(bodies.some((b) => b.startsWith("<!doctype html>"))).toBe(true);
    expect(bodies.some((b) => b.startsWith('{"encoding":"deflate"'))).toBe(true);
  });
});
