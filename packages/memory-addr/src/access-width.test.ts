import { describe, expect, it } from "vitest";
import {
  AccessWidth,
  accessWidthFromBytes,
  maskToWidth,
  signExtendFromWidth,
} from "./access-width.js";

describe("AccessWidth", () => {
  it("masks a value to the access width", () => {
    expect(maskToWidth(0x1234_5678_9abc_def0n, AccessWidth.Word)).toBe(0xdef0n);
    expect(maskToWidth(-1n, AccessWidth.Dword)).toBe(0xffff_ffffn);
  });

  it("sign-extends the low bytes to 64 bits", () => {
    expect(signExtendFromWidth(0x80n, AccessWidth.Byte)).toBe(0xffff_ffff_ffff_ff80n);
    expect(signExtendFromWidth(0x7fn, AccessWidth.Byte)).toBe(0x7fn);
    expect(signExtendFromWidth(0x1_8000_0000n, AccessWidth.Dword)).toBe(0xffff_ffff_8000_0000n);
  });

  it("only knows 1, 2, 4 and 8 bytes", () => {
    expect(accessWidthFromBytes(8)).toBe(AccessWidth.Qword);
    expect(() => accessWidthFromBytes(3)).toThrow(/3 bytes/);
  });
});
