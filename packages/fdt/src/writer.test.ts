import { describe, expect, it } from "vitest";
import { DeviceTree } from "./device-tree.js";
import { parseFdt } from "./reader.js";

const be32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off);

describe("serializeFdt", () => {
  it("writes the v17 layout for a one-property root, byte for byte", () => {
    const t = new DeviceTree();
    t.root.setU32("a", 1);
    const blob = t.toBlob();
    // header 40 + reservation terminator 16 + struct 32 + strings "a\0" 2 (spec chapter 5)
    const expected = [
      [0xd00dfeed, 90, 56, 88, 40, 17, 16, 0, 2, 32],
      [0, 0, 0, 0], // reservation block terminator
      [1, 0, 3, 4, 0, 1, 2, 9], // BEGIN_NODE "" PROP len=4 nameoff=0 <1> END_NODE END
    ].flat();
    expect(blob.length).toBe(90);
    expect(expected.map((_, i) => be32(blob, i * 4))).toEqual(expected);
    expect([...blob.subarray(88)]).toEqual([0x61, 0]);
  });

  it("pads names and values to 4 bytes and stores each property name once", () => {
    const t = new DeviceTree();
    t.root.addNode("abcd").setString("compatible", "x");
    t.root.addNode("e@1").setString("compatible", "yz");
    const blob = t.toBlob();
    const sizeStrings = be32(blob, 32);
    expect(sizeStrings).toBe("compatible\0".length);
    // root: BEGIN_NODE + "" padded to 4; child: BEGIN_NODE + "abcd\0" padded to 8; then PROP
    const struct = be32(blob, 8);
    expect(be32(blob, struct + 8)).toBe(0x1);
    expect(be32(blob, struct + 8 + 4 + 8)).toBe(0x3);
    expect(be32(blob, struct + 8 + 4 + 8 + 4)).toBe(2); // "x\0"
  });

  it("shares a name that is the tail of another, like dtc", () => {
    const t = new DeviceTree();
    t.root.setU32("linux,phandle", 1).setU32("phandle", 1);
    const blob = t.toBlob();
    expect(be32(blob, 32)).toBe("linux,phandle\0".length);
    const back = parseFdt(blob).root;
    expect(back.property("phandle")?.u32()).toBe(1);
    expect(back.property("linux,phandle")?.u32()).toBe(1);
  });

  it("writes the reservation block, boot cpu and padding", () => {
    const t = new DeviceTree();
    t.reserve(0x8000_0000, 0x8_0000).reserve(0x1_0000_0000, 0x1000);
    t.bootCpuId = 3;
    const blob = t.toBlob({ padding: 100 });
    expect(be32(blob, 28)).toBe(3);
    expect(be32(blob, 4)).toBe(blob.length);
    expect(be32(blob, 12) + be32(blob, 32) + 100).toBe(blob.length);
    expect([be32(blob, 40), be32(blob, 44), be32(blob, 48), be32(blob, 52)]).toEqual([
      0, 0x8000_0000, 0, 0x8_0000,
    ]);
    expect(be32(blob, 56)).toBe(1); // high word of 0x1_0000_0000
    expect(parseFdt(blob).reservations).toEqual([
      { address: 0x8000_0000, size: 0x8_0000 },
      { address: 0x1_0000_0000, size: 0x1000 },
    ]);
  });
});
