/**
 * Where a sparse tree keeps the values of the wanted fields (src/core/tree.ts): one dense
 * slot per wanted field, worked out once per wanted map and shared by every packet.
 */
import { fieldByAbbrev, fieldById, type Field } from "./field.js";

/**
 * Dense slots for the wanted fields, made once per wanted map: field id → slot + 1
 * (0 = not wanted), and per slot the slot of the field's protocol when that protocol
 * is wanted too (-1 otherwise; layer numbers for `ip.src#2` need it). A per-packet
 * array indexed by field id (ids run into the thousands) would be a sparse,
 * dictionary-mode array: slow to fill and heavy for the GC.
 */
export interface Slots {
  slots: Uint16Array;
  count: number;
  protoSlot: Int32Array;
}
const slotCache = new WeakMap<Uint8Array, Slots>();
/** Tree.wantsAny's answers, per field list and wanted map. */
export const anyCache = new WeakMap<readonly Field[], WeakMap<Uint8Array, boolean>>();
/** The value store of a tree without wanted fields (shared: nothing is allocated per packet). */
export const NO_SLOTS: readonly never[] = Object.freeze([]);
export function wantedSlots(wanted: Uint8Array): Slots {
  let s = slotCache.get(wanted);
  if (s === undefined) {
    const slots = new Uint16Array(wanted.length);
    const ids: number[] = [];
    for (let i = 0; i < wanted.length; i++) if (wanted[i] === 1) slots[i] = ids.push(i);
    const protoSlot = new Int32Array(ids.length).fill(-1);
    for (let k = 0; k < ids.length; k++) {
      const p = protoIdOfId(ids[k]);
      if (p >= 0 && p !== ids[k] && p < slots.length && slots[p] !== 0) protoSlot[k] = slots[p] - 1;
    }
    s = { slots, count: ids.length, protoSlot };
    slotCache.set(wanted, s);
  }
  return s;
}

/** Field id of the protocol a field belongs to ("ip" for "ip.src"), -1 when none. */
function protoIdOfId(id: number): number {
  const f = fieldById(id);
  if (f === undefined) return -1;
  const dot = f.abbrev.indexOf(".");
  const pf = fieldByAbbrev(dot < 0 ? f.abbrev : f.abbrev.slice(0, dot));
  return pf !== undefined && pf.type === "protocol" ? pf.id : -1;
}
