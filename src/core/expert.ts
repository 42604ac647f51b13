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

/** Display names, as Wireshark's expert dialog and -V show them. */
export const SEVERITY_NAMES: Record<Severity, string> = {
  comment: "Comment",
  chat: "Chat",
  note: "Note",
  warn: "Warning",
  error: "Error",
};

export const GROUP_NAMES: Record<ExpertGroup, string> = {
  checksum: "Checksum",
  sequence: "Sequence",
  "response-code": "Response code",
  "request-code": "Request code",
  undecoded: "Undecoded",
  reassemble: "Reassemble",
  malformed: "Malformed",
  debug: "Debug",
  protocol: "Protocol",
  security: "Security",
  comment: "Comment",
  decryption: "Decryption",
  assumption: "Assumption",
  deprecated: "Deprecated",
};

/** Wireshark's PI_* severity values (what -T fields prints for _ws.expert.severity). */
export const SEVERITY_VALUES: Record<Severity, number> = {
  comment: 0x00100000, chat: 0x00200000, note: 0x00400000, warn: 0x00600000, error: 0x00800000,
};

/** Wireshark's PI_* group values (_ws.expert.group). */
export const GROUP_VALUES: Record<ExpertGroup, number> = {
  checksum: 0x01000000, sequence: 0x02000000, "response-code": 0x03000000, "request-code": 0x04000000,
  undecoded: 0x05000000, reassemble: 0x06000000, malformed: 0x07000000, debug: 0x08000000,
  protocol: 0x09000000, security: 0x0a000000, comment: 0x0b000000, decryption: 0x0c000000,
  assumption: 0x0d000000, deprecated: 0x0e000000,
};
