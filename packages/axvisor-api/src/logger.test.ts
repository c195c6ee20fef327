import { describe, expect, it } from "vitest";
import type { LogLevel } from "./host-services.js";
import { logger, logLevelEnabled } from "./logger.js";

describe("logger", () => {
  it("forwards each level with its target", () => {
    const lines: [LogLevel, string, string][] = [];
    const log = logger({ log: (l, t, m) => lines.push([l, t, m]) }, "axaddrspace");
    log.warn("w");
    log.trace("t");
    expect(lines).toEqual([
      ["warn", "axaddrspace", "w"],
      ["trace", "axaddrspace", "t"],
    ]);
  });

  it("filters by severity", () => {
    expect(logLevelEnabled("error", "warn")).toBe(true);
    expect(logLevelEnabled("debug", "info")).toBe(false);
    expect(logLevelEnabled("trace", "trace")).toBe(true);
  });
});
