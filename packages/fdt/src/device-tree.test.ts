import { describe, expect, it } from "vitest";
import { DeviceTree } from "./device-tree.js";

function sample(): DeviceTree {
  const t = new DeviceTree();
  const r = t.root;
  r.setU32("#address-cells", 2).setU32("#size-cells", 2).setString("model", "test,board");
  r.setStrings("compatible", "vendor,board", "generic-board");
  const soc = r.addNode("soc").setU32("#address-cells", 2).setU32("#size-cells", 2);
  soc.setStrings("compatible", "simple-bus").setEmpty("ranges");
  const intc = soc.addNode("intc@c000000").setEmpty("interrupt-controller");
  intc.setReg({ address: 0xc00_0000, size: 0x60_0000 });
  const uart = soc.addNode("serial@10000000").setString("compatible", "ns16550a");
  uart.setReg({ address: 0x1000_0000, size: 0x100 });
  uart.setU32("interrupt-parent", t.phandleOf(intc)).setU32("interrupts", 10);
  const mem = r.addNode("memory@80000000").setString("device_type", "memory");
  mem.setReg({ address: 0x8000_0000, size: 0x1_0000_0000 });
  r.addNode("aliases").setString("serial0", "/soc/serial@10000000");
  r.addNode("chosen")
    .setU64("linux,initrd-start", 0x8820_0000n)
    .setU64("big", 2n ** 63n + 5n);
  t.reserve(0x8000_0000, 0x20_0000);
  return t;
}

describe("DeviceTree", () => {
  it("round-trips through a blob with every node, property byte and reservation", () => {
    const t = sample();
    const back = DeviceTree.parse(t.toBlob());
    const shape = (d: DeviceTree) =>
      [...d.root.walk()].map((n) => [n.path, n.properties.map((p) => [p.name, [...p.value]])]);
    expect(shape(back)).toEqual(shape(t));
    expect(back.reservations).toEqual([{ address: 0x8000_0000, size: 0x20_0000 }]);
    expect(back.toBlob()).toEqual(t.toBlob());
  });

  it("reads typed values back", () => {
    const t = DeviceTree.parse(sample().toBlob());
    expect(t.root.property("compatible")?.strings()).toEqual(["vendor,board", "generic-board"]);
    expect(t.root.property("model")?.string()).toBe("test,board");
    expect(t.requireNode("/memory@80000000").reg()).toEqual([
      { address: 0x8000_0000, size: 0x1_0000_0000 },
    ]);
    const chosen = t.requireNode("/chosen");
    expect(chosen.property("linux,initrd-start")?.u64()).toBe(0x8820_0000);
    expect(chosen.property("big")?.bigU64()).toBe(2n ** 63n + 5n);
    expect(() => chosen.property("big")?.u64()).toThrow(/2\^53/);
  });

  it("allocates phandles and resolves references", () => {
    const t = sample();
    const uart = t.requireNode("/soc/serial@10000000");
    const ph = uart.property("interrupt-parent")!.u32();
    expect(ph).toBe(1);
    expect(t.nodeByPhandle(ph)?.path).toBe("/soc/intc@c000000");
    const mem = t.requireNode("/memory@80000000");
    expect(t.phandleOf(mem)).toBe(2);
    expect(t.phandleOf(mem)).toBe(2);
  });

  it("finds nodes by path without unit address, by alias and by compatible", () => {
    const t = sample();
    expect(t.getNode("/soc/serial")?.name).toBe("serial@10000000");
    expect(t.getNode("/memory")?.name).toBe("memory@80000000");
    expect(t.getNode("serial0")?.path).toBe("/soc/serial@10000000");
    expect(t.getNode("/soc/nothing")).toBeUndefined();
    expect(t.findCompatible("ns16550a").map((n) => n.path)).toEqual(["/soc/serial@10000000"]);
    expect(() => t.requireNode("/nope")).toThrow(/no node \/nope/);
  });

  it("rejects bad names, duplicate children and values that do not fit", () => {
    const t = new DeviceTree();
    expect(() => t.root.addNode("bad name")).toThrow(/invalid node name/);
    t.root.addNode("x");
    expect(() => t.root.addNode("x")).toThrow(/already has a child/);
    expect(() => t.root.setU32("p", 2 ** 32)).toThrow(/0xffffffff/);
    expect(() => t.root.setU32("p", -1)).toThrow();
    expect(() => t.root.setString("p", "a\0b")).toThrow(/NUL/);
    expect(() => t.root.setU32("bad=name", 1)).toThrow(/invalid property name/);
    const n = t.root.addNode("y@0");
    t.root.setU32("#address-cells", 1).setU32("#size-cells", 0);
    expect(() => n.setReg({ address: 2 ** 32, size: 0 })).toThrow(/does not fit 1 cell/);
  });

  it("replaces a property in place and removes properties and nodes", () => {
    const t = new DeviceTree();
    t.root.setU32("a", 1).setU32("b", 2).setU32("a", 3);
    expect(t.root.properties.map((p) => [p.name, p.u32()])).toEqual([
      ["a", 3],
      ["b", 2],
    ]);
    expect(t.root.removeProperty("a")).toBe(true);
    t.root.addNode("c");
    expect(t.root.removeNode("c")).toBe(true);
    expect(t.root.children).toHaveLength(0);
  });
});
