import { describe, expect, it } from "vitest";
import { VmidAllocator } from "./vmid.js";

describe("VmidAllocator", () => {
  it("never hands out VMID 0, which belongs to the host", () => {
    const a = new VmidAllocator(2);
    expect([a.allocate(), a.allocate(), a.allocate()]).toEqual([1, 2, 3]);
    expect(() => a.allocate()).toThrow(/all 3 VMIDs are in use/);
  });

  it("reuses a released VMID only after the others came round", () => {
    const a = new VmidAllocator(3);
    const first = a.allocate();
    a.allocate();
    a.release(first);
    const seen = [a.allocate(), a.allocate(), a.allocate()];
    expect(seen).not.toContain(first);
    expect(() => a.release(42)).toThrow(/not allocated/);
  });
});
