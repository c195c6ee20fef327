import { describe, expect, it } from "vitest";
import { DEFAULT_BIOS, resolveBios } from "./firmware.js";

describe("resolveBios", () => {
  it("maps default to Debian's OpenSBI, none to no firmware, anything else to itself", () => {
    expect(resolveBios("default", () => true)).toBe(DEFAULT_BIOS);
    expect(resolveBios("none", () => false)).toBeUndefined();
    expect(resolveBios("my/fw.bin", () => false)).toBe("my/fw.bin");
  });

  it("tells how to install OpenSBI when the default is missing", () => {
    expect(() => resolveBios("default", () => false)).toThrow(
      /fw_dynamic\.bin is not installed; install OpenSBI with 'apt-get install opensbi'/,
    );
  });
});
