/**
 * -T psml (tshark's Packet Summary Markup Language): the summary columns of each packet as
 * XML sections, after a structure of the column titles. The creator is nestcap; the rest
 * reads as tshark 4.0 writes it.
 */
import type { Dissection } from "../core/dissect.js";
import { columnText, type TimeDisplay } from "./summary.js";

const COLUMNS = ["No.", "Time", "Source", "Destination", "Protocol", "Length", "Info"];

/** XML character data and attribute text: & < > " ' as entities (tshark's xml escaping). */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#x27;"));
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
