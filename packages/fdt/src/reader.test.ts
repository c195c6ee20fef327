import { describe, expect, it } from "vitest";
import { DeviceTree } from "./device-tree.js";
import { parseFdt } from "./reader.js";

function good(): Uint8Array {
  const t = new DeviceTree();
  t.root.addNode("n@1").setString("compatible", "c");
  return t.toBlob();
}

function patched(off: number, word: number): Uint8Array {
  const b = good();
  new DataView(b.buffer).setUint32(off, word);
  return b;
}

describe("parseFdt rejects broken blobs with a clear message", () => {
  it("bad magic", () => {
    expect(() => parseFdt(patched(0, 0x12345678))).toThrow(/bad magic 0x12345678/);
  });
  it("too short and truncated", () => {
    expect(() => parseFdt(new Uint8Array(10))).toThrow(/too short/);
    const b = good();
    expect(() => parseFdt(b.subarray(0, b.length - 4))).toThrow(/totalsize/);
  });
  it("old versions", () => {
    expect(() => parseFdt(patched(20, 3))).toThrow(/version 3/);
  });
  it("blocks outside the blob", () => {
    expect(() => parseFdt(patched(8, 0xffff_0000))).toThrow(/structure block/);
    expect(() => parseFdt(patched(32, 0xffff))).toThrow(/strings block/);
  });
  it("unknown tokens and missing FDT_END", () => {
    const b = good();
    const struct = new DataView(b.buffer).getUint32(8);
    new DataView(b.buffer).setUint32(struct, 0x77);
    expect(() => parseFdt(b)).toThrow(/unknown token 0x77/);
    const sizeStruct = new DataView(good().buffer).getUint32(36);
    const c = good();
    new DataView(c.buffer).setUint32(struct + sizeStruct - 4, 0x4); // END -> NOP
    expect(() => parseFdt(c)).toThrow(/without FDT_END/);
  });
  it("property name offsets out of range", () => {
    const b = good();
    const v = new DataView(b.buffer);
    const struct = v.getUint32(8);
    // root: BEGIN "" (8 bytes), child BEGIN "n@1\0" (8 bytes), then PROP len nameoff
    expect(v.getUint32(struct + 16)).toBe(3);
    v.setUint32(struct + 24, 999);
    expect(() => parseFdt(b)).toThrow(/name offset 999/);
  });
  it("skips NOP tokens", () => {
    const t = new DeviceTree();
    t.root.setU32("a", 1);
    const b = t.toBlob();
    const v = new DataView(b.buffer);
    const struct = v.getUint32(8);
    v.setUint32(struct + 8, 4); // PROP -> NOP: the next 3 words are read as tokens then
    v.setUint32(struct + 12, 4);
    v.setUint32(struct + 16, 4);
    v.setUint32(struct + 20, 4);
    expect(parseFdt(b).root.properties).toHaveLength(0);
  });
});
