/**
 * -T psml (tshark's Packet Summary Markup Language): the summary columns of each packet as
 * XML sections, after a structure of the column titles. The creator is nestcap; the rest
 * reads as tshark 4.0 writes it.
 */
import type { Dissection } from "../core/dissect.js";
import { columnText, type TimeDisplay } from "./summary.js";

const COLUMNS = ["No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"];

const XML_ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };

/**
 * XML character data and attribute text as tshark escapes it: & < > " ' as entities, and the
 * ASCII control characters XML does not allow (all but tab, LF and CR; DEL too) as "\xN".
 */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"'\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => XML_ENTITY[c] ?? "\\x" + c.charCodeAt(0).toString(16));
}

export function psmlStart(): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<psml version="0" creator="nestcap">\n' +
    "<structure>\n" +
    COLUMNS.map((c) => `<section>${xmlEscape(c)}</section>\n`).join("") +
    "</structure>\n\n"
  );
}

export function psmlFrame(d: Dissection, time: TimeDisplay): string {
  let s = "<packet>\n";
  for (const c of COLUMNS) s += `<section>${xmlEscape(columnText(d, c, time) ?? "")}</section>\n`;
  return s + "</packet>\n\n";
}

export function psmlEnd(): string {
  return "</psml>\n";
}
