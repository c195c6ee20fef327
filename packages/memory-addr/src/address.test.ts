import { describe, expect, it } from "vitest";
import { addrFromBigInt, formatGpa, gpa, gva } from "./address.js";

describe("addresses", () => {
  it("formats like AxVisor's logs", () => {
    expect(formatGpa(gpa(0x8020_0000))).toBe("GPA:0x8020_0000");
  });

  it("rejects negative physical addresses but accepts sign-extended virtual ones", () => {
    expect(() => gpa(-1)).toThrow(RangeError);
    expect(gva(-0x8000_0000)).toBe(-0x8000_0000);
  });

  it("converts 64-bit register values, sign-extending kernel virtual addresses", () => {
    expect(addrFromBigInt(0xffff_ffff_8000_0000n)).toBe(-0x8000_0000);
    expect(addrFromBigInt(0x8000_0000n)).toBe(0x8000_0000);
    expect(addrFromBigInt(0x1234_5678_9abc_def0n)).toBeNull();
  });
});
