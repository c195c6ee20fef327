import { describe, expect, it } from "vitest";
import { formatSize, parseSize, parseUintText, toUint } from "./integer.js";

describe("toUint", () => {
  it("accepts 0 .. 2^53 - 1", () => {
    expect(toUint(0n)).toBe(0);
    expect(toUint(9007199254740991n)).toBe(9007199254740991);
  });
  it("explains values it cannot hold", () => {
    expect(toUint(9007199254740992n)).toBe(
      "0x20_0000_0000_0000 is too large (the limit is 2^53 - 1 = 0x1f_ffff_ffff_ffff)",
    );
    expect(toUint(-5n)).toBe("must not be negative, got -5");
  });
});

describe("parseUintText", () => {
  it("reads decimal, hex, octal and binary with _ separators", () => {
    expect(parseUintText("4096")).toBe(4096);
    expect(parseUintText("0x8020_0000")).toBe(0x80200000);
    expect(parseUintText("0X10")).toBe(16);
    expect(parseUintText("0o17")).toBe(15);
    expect(parseUintText("0b1010")).toBe(10);
  });
  it("rejects everything else", () => {
    for (const bad of ["", "-1", "0x", "12abc", "1__0", "_1", "0x_1", "1.5", "0x20000000000000"]) {
      expect(parseUintText(bad)).toBeUndefined();
    }
  });
});

describe("parseSize / formatSize", () => {
  it("reads sizes with binary units however they are spelt", () => {
    expect(parseSize("256M")).toBe(268435456);
    expect(parseSize("256MiB")).toBe(268435456);
    expect(parseSize("1g")).toBe(1073741824);
    expect(parseSize("64 KB")).toBe(65536);
    expect(parseSize("0x1000_0000")).toBe(268435456);
    expect(parseSize("4096")).toBe(4096);
    expect(parseSize("12 parsecs")).toBeUndefined();
  });
  it("prints the largest unit that divides evenly", () => {
    expect(formatSize(268435456)).toBe("256 MiB");
    expect(formatSize(1536 * 1024 * 1024)).toBe("1536 MiB");
    expect(formatSize(4096)).toBe("4 KiB");
    expect(formatSize(100)).toBe("100 bytes");
  });
});
