/**
 * The SACK option (packet-tcp.c's dissect_tcpopt_sack, 4.0): left and right edges relative to
 * the other direction's base sequence number, the count, D-SACK detection against the ACK
 * and the first two blocks, and the edges the analysis keeps per flow.
 */
import { GE_SEQ, LE_SEQ, LT_SEQ, MAX_SACK_RANGES, type TcpStream } from "../src/analysis/tcp.js";
import type { PacketInfo } from "../src/core/pinfo.js";
import type { Item } from "../src/core/tree.js";
import type { Tvb } from "../src/core/tvb.js";
import { expertItem, f, optionHead, type Hdr } from "./tcp-common.js";

export function dissectSack(o: Tvb, optlen0: number, pinfo: PacketInfo, parent: Item, hdr: Hdr, st: TcpStream, cols: boolean): void {
  const full = parent.tree.full;
  const base = st.rev.baseSeq;
  st.fwd.numSackRanges = 0;
  const item = optionHead(parent, f.optSack, o, true);
  let off = 2;
  let optlen = optlen0 - 2;
  const sackoffset = off;
  let n = 0;
  let edges = "";
  while (optlen > 0) {
    if (optlen < 4) {
      expertItem(item, o, off, optlen, f.eSuboptionMalformed, "error", "malformed", "suboption would go past end of option");
      break;
    }
    const le = (o.u32(off) - base) >>> 0;
    const li = item.add(f.sackLe, o, off, 4, le);
    if (full) li.setText(`left edge = ${le} (relative)`);
    optlen -= 4;
    if (optlen < 4) {
      expertItem(item, o, off, optlen, f.eSuboptionMalformed, "error", "malformed", "suboption would go past end of option");
      break;
    }
    const re = (o.u32(off + 4) - base) >>> 0;
    optlen -= 4;
    const ri = item.add(f.sackRe, o, off + 4, 4, re);
    if (full) ri.setText(`right edge = ${re} (relative)`);
    if (cols) pinfo.appendInfo(` SLE=${le} SRE=${re}`);
    n++;
    if (n < MAX_SACK_RANGES) {
      st.fwd.numSackRanges = n;
      st.fwd.sackLE[n] = le;
      st.fwd.sackRE[n] = re;
    }
    if (hdr.numSack < MAX_SACK_RANGES) {
      hdr.sackLE[hdr.numSack] = le;
      hdr.sackRE[hdr.numSack] = re;
      hdr.numSack++;
    }
    if (full) edges += ` ${le}-${re}`;
    off += 8;
  }
  if (full && edges !== "") item.appendText(edges);
  item.addGenerated(f.sackCount, o, 0, 0, n);
  if (
    LE_SEQ(hdr.sackRE[0], hdr.ack) ||
    (hdr.numSack > 1 && LT_SEQ(hdr.sackLE[1], hdr.sackRE[0]) && GE_SEQ(hdr.sackRE[1], hdr.sackRE[0]))
  ) {
    const le = (o.u32(sackoffset) - base) >>> 0;
    const li = item.addGenerated(f.dsackLe, o, sackoffset, 4, le);
    if (full) li.setText(`D-SACK Left Edge = ${le} (relative)`);
    const re = (o.u32(sackoffset + 4) - base) >>> 0;
    const ri = item.addGenerated(f.dsackRe, o, sackoffset + 4, 4, re);
    if (full) ri.setText(`D-SACK Right Edge = ${re} (relative)`);
    expertItem(item, o, sackoffset, 8, f.eDsack, "warn", "sequence", "D-SACK Sequence");
  }
}

