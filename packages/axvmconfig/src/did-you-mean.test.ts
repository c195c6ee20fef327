import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "./did-you-mean.js";
import { KERNEL_FIELDS } from "./schema.js";

describe("editDistance", () => {
  it("counts edits, with an adjacent swap as one", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("cpu_num", "cpu_nmu")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });
});

describe("didYouMean", () => {
  it("finds near misses", () => {
    expect(didYouMean("kernel_load_address", KERNEL_FIELDS)).toBe("kernel_load_addr");
    expect(didYouMean("entry-point", KERNEL_FIELDS)).toBe("entry_point");
    expect(didYouMean("MEMORY_REGIONS", KERNEL_FIELDS)).toBe("memory_regions");
    expect(didYouMean("ramdisk_pth", KERNEL_FIELDS)).toBe("ramdisk_path");
  });
  it("suggests nothing for unrelated names", () => {
    expect(didYouMean("colour", KERNEL_FIELDS)).toBeUndefined();
  });
});
