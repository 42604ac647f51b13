import { describe, expect, it } from "vitest";
import { callDissector, defineProtocol } from "../../src/core/proto.js";
import { jsonEnd, jsonFrame, jsonStart, jsonString } from "../../src/output/json.js";
import { emptyDissection, hexBytes, testproto } from "./helpers.js";

const f = testproto.f;

const jshort = defineProtocol({
  name: "Json Short",
  abbrev: "jsonshort",
  fields: {},
  dissect(tvb, _pinfo, tree) {
    tree.add(jshort.hf, tvb, 0, tvb.length, null);
    tvb.u32(50);
  },
});

function sample() {
  const d = emptyDissection(hexBytes("01 80 00 05 68 65 6c 6c 6f 0a 00 00 01"));
  const t = d.tvb;
  const top = d.tree.root.add(testproto.hf, t, 0, 13, null).appendText(", Kind: Hello");
  top.add(f.kind, t, 0, 1, 1);
  const fl = top.add(f.flags, t, 1, 1, 0x80);
  fl.add(f.flagA, t, 1, 1, true);
  fl.add(f.flagB, t, 1, 1, false);
  const h1 = top.add(f.addr, t, 9, 4, 0x0a000001);
  h1.hidden = true;
  top.add(f.addr, t, 9, 4, 0x0a000002).hidden = true;
  top.addGenerated(f.len, t, 2, 2, 5);
  top.add(f.payload, t, 4, 5, t.bytes(4, 5));
  top.add(f.note, t, 0, 0, null);
  const q = top.addText(t, 4, 5, 'he said "hi"\\now');
  q.add(f.name, t, 4, 5, "tab\there");
  return d;
}

describe("json", () => {
  it("writes tshark's document: keys, _tree, text keys, hidden fields, repeated keys", () => {
    const d = sample();
    const out = jsonStart() + jsonFrame(d, true) + jsonEnd();
    expect(out).toBe(
      "[\n" +
        "  {\n" +
        '    "_index": "packets-2016-10-14",\n' +
        '    "_type": "doc",\n' +
        '    "_score": null,\n' +
        '    "_source": {\n' +
        '      "layers": {\n' +
        '        "testproto": {\n' +
        '          "testproto.kind": "1",\n' +
        '          "testproto.flags": "0x80",\n' +
        '          "testproto.flags_tree": {\n' +
        '            "testproto.flags.a": "1",\n' +
        '            "testproto.flags.b": "0"\n' +
        "          },\n" +
        '          "testproto.addr": "10.0.0.1",\n' +
        '          "testproto.addr": "10.0.0.2",\n' +
        '          "testproto.len": "5",\n' +
        '          "testproto.payload": "68:65:6c:6c:6f",\n' +
        '          "testproto.note": "",\n' +
        '          "he said \\"hi\\"\\\\now": {\n' +
        '            "testproto.name": "tab\\there"\n' +
        "          }\n" +
        "        }\n" +
        "      }\n" +
        "    }\n" +
        "  }\n" +
        "]\n",
    );
    expect(() => JSON.parse(out)).not.toThrow();
  });

  it("groups repeated keys into arrays with noDuplicateKeys (tshark --no-duplicate-keys)", () => {
    const d = sample();
    const t = d.tvb;
    const top = d.tree.root.children![0];
    top.add(f.flags, t, 1, 1, 0x40).add(f.flagB, t, 1, 1, true);
    const o = JSON.parse(jsonStart() + jsonFrame(d, true, { noDuplicateKeys: true }) + jsonEnd());
    const l = o[0]._source.layers.testproto;
    expect(l["testproto.addr"]).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(l["testproto.flags"]).toEqual(["0x80", "0x40"]);
    expect(l["testproto.flags_tree"]).toEqual([{ "testproto.flags.a": "1", "testproto.flags.b": "0" }, { "testproto.flags.b": "1" }]);
    const text = jsonFrame(d, true, { noDuplicateKeys: true });
    expect(text).toContain('          "testproto.addr": [\n            "10.0.0.1",\n            "10.0.0.2"\n          ],\n');
  });

  it("writes expert notes and the malformed mark as tshark does", () => {
    const d = emptyDissection(hexBytes("01 02"));
    const t = d.tvb;
    const top = d.tree.root.add(testproto.hf, t, 0, 2, null);
    top.add(f.len, t, 0, 2, 258).expert("error", "protocol", "IPv4 total length exceeds packet length (59 bytes)", "ip", "ip.bogus_ip_length");
    callDissector(jshort, d.tvb, d.pinfo, d.tree.root);
    const o = JSON.parse(jsonStart() + jsonFrame(d, true) + jsonEnd());
    const layers = o[0]._source.layers;
    expect(layers.testproto["testproto.len_tree"]).toEqual({
      "_ws.expert": {
        "ip.bogus_ip_length": "",
        "_ws.expert.message": "IPv4 total length exceeds packet length (59 bytes)",
        "_ws.expert.severity": "8388608",
        "_ws.expert.group": "150994944",
      },
    });
    expect(layers["jsonshort"]).toBe("Json Short");
    expect(layers["_ws.malformed"]).toEqual({
      "_ws.expert": {
        "_ws.malformed.expert": "",
        "_ws.expert.message": "Malformed Packet (Exception occurred)",
        "_ws.expert.severity": "8388608",
        "_ws.expert.group": "117440512",
      },
      "_ws.malformed": "Malformed Packet",
    });
  });

  it("streams: commas between packets, [] when there are none", () => {
    const a = sample();
    const b = sample();
    const s = jsonStart() + jsonFrame(a, true) + jsonFrame(b, false) + jsonEnd(true);
    expect(JSON.parse(s)).toHaveLength(2);
    expect(s).toContain("\n  },\n  {\n");
    expect(jsonStart() + jsonEnd(false)).toBe("[]\n");
  });

  it("names the index after the frame's local date", () => {
    const d = emptyDissection(new Uint8Array(4), { tsSec: 1476489599 }); // 2016-10-14 23:59:59 UTC
    expect(jsonFrame(d, true)).toContain('"_index": "packets-2016-10-14"');
    const none = emptyDissection(new Uint8Array(4));
    expect(jsonFrame(none, true)).toContain('"layers": {}');
  });

  it("escapes strings as json_dumper does", () => {
    expect(jsonString('a"b\\c\u0001\n\t\u007f é')).toBe('"a\\"b\\\\c\\u0001\\n\\t\u007f é"');
    expect(jsonString("")).toBe('""');
  });
});
