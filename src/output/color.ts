/**
 * Terminal colour for the printers. The ONLY module that imports chalk.
 *
 * Colour is off when NO_COLOR is set (non-empty, per no-color.org), when stdout is
 * not a TTY, or with --color=never; --color=always forces it on (even with NO_COLOR).
 *
 * Every function is made once in makeStyle (no chalk instance per call); with colour
 * off they are the identity, so printers can call them unconditionally.
 */
import { Chalk, supportsColor, type ChalkInstance } from "chalk";

export interface Style {
  enabled: boolean;
  /** A protocol's text (summary Protocol column, top-level tree lines), coloured by protocol. */
  proto(abbrev: string, s: string): string;
  /** Secondary text: generated [items], offsets in hex dumps. */
  dim(s: string): string;
  /** Highlighted bytes in a hex dump (inverse video). */
  highlight(s: string): string;
  warn(s: string): string;
  error(s: string): string;
  /** A field name in the tree ("Time to Live"). */
  field(s: string): string;
  /** A field value in the tree. */
  value(s: string): string;
}

const id = (s: string): string => s;

/** Colour off: every function returns its input. */
export const PLAIN: Style = {
  enabled: false,
  proto: (_a, s) => s,
  dim: id,
  highlight: id,
  warn: id,
  error: id,
  field: id,
  value: id,
};

function noColorEnv(): boolean {
  const v = process.env.NO_COLOR;
  return v !== undefined && v !== "";
}

/** Whether colour should be used for this mode and stream. */
export function colorEnabled(mode: "auto" | "always" | "never", isTTY: boolean): boolean {
  if (mode === "always") return true;
  if (mode === "never") return false;
  return isTTY && !noColorEnv();
}

export function makeStyle(mode: "auto" | "always" | "never", isTTY: boolean): Style {
  if (!colorEnabled(mode, isTTY)) return PLAIN;
  const detected = supportsColor ? supportsColor.level : 0;
  const c: ChalkInstance = new Chalk({ level: detected > 0 ? detected : 1 });
  // Colours per protocol family (link: blue, network: green, transport: yellow,
  // application: magenta/cyan); anything else gets one from a small palette by name.
  const fixed: Record<string, (s: string) => string> = {
    frame: c.bold,
    eth: c.blue, sll: c.blue, vlan: c.blue, arp: c.blue, null: c.blue, loop: c.blue,
    ip: c.green, ipv6: c.green, icmp: c.greenBright, icmpv6: c.greenBright,
    tcp: c.yellow, udp: c.yellow,
    dns: c.magenta, mdns: c.magenta, http: c.cyan, tls: c.cyanBright, openvpn: c.magentaBright,
    data: c.gray,
  };
  const palette = [c.cyan, c.magenta, c.yellowBright, c.blueBright, c.greenBright, c.redBright];
  const cache = new Map<string, (s: string) => string>();
  const protoFn = (abbrev: string): ((s: string) => string) => {
    let f = cache.get(abbrev);
    if (f === undefined) {
      f = fixed[abbrev];
      if (f === undefined) {
        let h = 0;
        for (let i = 0; i < abbrev.length; i++) h = (h * 31 + abbrev.charCodeAt(i)) | 0;
        f = palette[(h >>> 0) % palette.length];
      }
      cache.set(abbrev, f);
    }
    return f;
  };
  const dim = c.dim;
  const inverse = c.inverse;
  const warn = c.yellow;
  const error = c.red.bold;
  const field = c.bold;
  const value = id;
  return {
    enabled: true,
    proto: (abbrev, s) => protoFn(abbrev)(s),
    dim: (s) => dim(s),
    highlight: (s) => inverse(s),
    warn: (s) => warn(s),
    error: (s) => error(s),
    field: (s) => field(s),
    value,
  };
}
