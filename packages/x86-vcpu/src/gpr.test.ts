import { describe, expect, it } from "vitest";
import { GPR_EDX_EAX, GPR_HIGH8, GPR_LOW8, GPR_LOW16, gprBase, mergeGpr } from "./gpr.js";

describe("register views", () => {
  const old = 0x1122_3344_5566_7788n;
  it("keeps the rest of the register for 8- and 16-bit writes, as the CPU does", () => {
    expect(mergeGpr(GPR_LOW16 + 3, old, 0xabcdn)).toBe(0x1122_3344_5566_abcdn);
    expect(mergeGpr(GPR_LOW8 + 3, old, 0x1abn)).toBe(0x1122_3344_5566_77abn);
    expect(mergeGpr(GPR_HIGH8 + 1, old, 0xeen)).toBe(0x1122_3344_5566_ee88n);
    expect(mergeGpr(5, old, 0xffn)).toBe(0xffn);
  });

  it("names the full register behind each view", () => {
    expect([
      gprBase(7),
      gprBase(GPR_LOW16 + 9),
      gprBase(GPR_LOW8 + 15),
      gprBase(GPR_HIGH8 + 2),
    ]).toEqual([7, 9, 15, 2]);
    expect(gprBase(GPR_EDX_EAX)).toBe(-1);
    expect(gprBase(GPR_HIGH8 + 4)).toBe(-1);
  });
});
