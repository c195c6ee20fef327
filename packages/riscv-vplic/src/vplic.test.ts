import { AccessWidth, gpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { VPlic } from "./vplic.js";

const BASE = 0x0c00_0000;
const w32 = AccessWidth.Dword;
const at = (off: number) => gpa(BASE + off);

function setup(contextNum = 4) {
  const levels = new Map<number, boolean>();
  const completed: number[] = [];
  const vplic = new VPlic({
    base: BASE,
    contextNum,
    setGuestExternal: (hart, level) => levels.set(hart, level),
    onHostComplete: (id) => completed.push(id),
  });
  return { vplic, levels, completed };
}

/** Guest programs source `id` for guest hart `hart`'s S context: priority 1, enable, threshold 0. */
function enable(vplic: VPlic, hart: number, id: number) {
  const ctx = 2 * hart + 1;
  vplic.handleWrite(at(4 * id), w32, 1n);
  vplic.handleWrite(at(0x2000 + 0x80 * ctx + 4 * Math.floor(id / 32)), w32, 1n << BigInt(id % 32));
  vplic.handleWrite(at(0x20_0000 + 0x1000 * ctx), w32, 0n);
}

describe("VPlic", () => {
  it("has AxVisor's device type and the PLIC window", () => {
    const { vplic } = setup();
    expect(vplic.emuType()).toBe(0x30);
    expect(vplic.addressRange()).toEqual({ start: BASE, end: BASE + 0x60_0000 });
  });

  it("raises the S context of the right guest hart and lowers it on claim", () => {
    const { vplic, levels } = setup();
    enable(vplic, 1, 10);
    vplic.sourceLine(10).setLevel(true);
    expect(levels.get(1)).toBe(true);
    expect(levels.get(0)).toBeUndefined();
    const claim = at(0x20_0000 + 0x1000 * 3 + 4);
    expect(vplic.handleRead(claim, w32)).toBe(10n);
    expect(levels.get(1)).toBe(false);
    // Level still high: completing re-pends it.
    vplic.handleWrite(claim, w32, 10n);
    expect(levels.get(1)).toBe(true);
  });

  it("never raises a guest interrupt for an M context", () => {
    const { vplic, levels } = setup();
    vplic.handleWrite(at(4 * 3), w32, 1n);
    vplic.handleWrite(at(0x2000), w32, 1n << 3n); // context 0 = hart 0 M
    vplic.sourceLine(3).setLevel(true);
    expect(levels.size).toBe(0);
  });

  it("forwards host interrupts and reports their completion once", () => {
    const { vplic, levels, completed } = setup();
    enable(vplic, 0, 33);
    vplic.forwardHostIrq(33);
    expect(levels.get(0)).toBe(true);
    const claim = at(0x20_0000 + 0x1000 * 1 + 4);
    expect(vplic.handleRead(claim, w32)).toBe(33n);
    vplic.handleWrite(claim, w32, 33n);
    expect(completed).toEqual([33]);
    expect(levels.get(0)).toBe(false);
    // A second completion of the same id is ignored by the PLIC and not reported again.
    vplic.handleWrite(claim, w32, 33n);
    expect(completed).toEqual([33]);
  });

  it("does not report completions of emulated sources to the host", () => {
    const { vplic, completed } = setup();
    enable(vplic, 0, 5);
    vplic.sourceLine(5).setLevel(true);
    const claim = at(0x20_0000 + 0x1000 + 4);
    vplic.handleRead(claim, w32);
    vplic.handleWrite(claim, w32, 5n);
    expect(completed).toEqual([]);
  });

  it("ignores a guest's completion of an id that names no source (found by pnpm fuzz)", () => {
    const { vplic, levels, completed } = setup();
    enable(vplic, 0, 33);
    vplic.forwardHostIrq(33);
    const claim = at(0x20_0000 + 0x1000 + 4);
    expect(vplic.handleRead(claim, w32)).toBe(33n);
    for (const bogus of [0n, 97n, 820n, 0x8020_0010n, 0xffff_ffffn]) {
      expect(() => vplic.handleWrite(claim, w32, bogus)).not.toThrow();
    }
    expect(completed).toEqual([]);
    vplic.handleWrite(claim, w32, 33n);
    expect(completed).toEqual([33]);
    expect(levels.get(0)).toBe(false);
  });
});
