/**
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276). tshark 4.0 shows it under the
 * same "sll" protocol and fields as v1 (plus sll.ifindex); the walker is in sll.ts.
 */
import { addToTable } from "../src/core/proto.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { LinkType } from "../src/capture/frame.js";
import { dissectSll, sll } from "./sll.js";

export const sll2 = { ...sll, dissect: (tvb: Tvb, pinfo: PacketInfo, tree: Item) => dissectSll(tvb, pinfo, tree, 2) };

addToTable("wtap_encap", LinkType.LINUX_SLL2, sll2);
