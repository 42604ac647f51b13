/** Expert information, as Wireshark's expert.h: a severity, a group and a message on a tree item. */

export type Severity = "comment" | "chat" | "note" | "warn" | "error";
export type ExpertGroup =
  | "checksum"
  | "sequence"
  | "response-code"
  | "request-code"
  | "undecoded"
  | "reassemble"
  | "malformed"
  | "debug"
  | "protocol"
  | "security"
  | "comment"
  | "decryption"
  | "assumption"
  | "deprecated";

export interface Expert {
  severity: Severity;
  group: ExpertGroup;
  message: string;
  /** Protocol abbrev the note belongs to ("tcp", "ip", "_ws.malformed"). */
  protocol: string;
  /** Frame number, filled by the tree. */
  frame?: number;
  /** The expert's field name ("tcp.analysis.retransmission"); -T json shows it under "_ws.expert". */
  abbrev?: string;
  /** Number of children the item had when the note was attached (its place in -V/JSON); absent = 0. */
  at?: number;
}

export const SEVERITY_RANK: Record<Severity, number> = { comment: 0, chat: 1, note: 2, warn: 3, error: 4 };
