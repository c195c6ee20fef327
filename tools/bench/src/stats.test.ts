import { describe, expect, it } from "vitest";
import { summarize } from "./stats.js";

describe("summarize", () => {
  it("takes the middle value of an odd count, whatever the order", () => {
    expect(summarize([30, 10, 20])).toEqual({ runs: 3, min: 10, median: 20, max: 30 });
  });

  it("averages the two middle values of an even count", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ runs: 4, min: 1, median: 2.5, max: 4 });
  });

  it("is the value itself for one run", () => {
    expect(summarize([7.25])).toEqual({ runs: 1, min: 7.25, median: 7.25, max: 7.25 });
  });

  it("does not reorder the caller's array", () => {
    const v = [3, 1, 2];
    summarize(v);
    expect(v).toEqual([3, 1, 2]);
  });

  it("refuses no values and values that are not finite numbers", () => {
    expect(() => summarize([])).toThrow(/no values/);
    expect(() => summarize([1, Number.NaN])).toThrow(/NaN/);
    expect(() => summarize([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
  });
});
