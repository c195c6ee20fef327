import { describe, expect, it } from "vitest";
import {
  compareKernelLogs,
  explainKernelLogDifferences,
  type KnownKernelLogDifference,
  LINUX_LOG_DIFFERENCES,
  normaliseKernelLogLine,
} from "./kernel-log.js";

describe("kernel log comparison", () => {
  it("normalises timestamps, addresses and counts but keeps the words", () => {
    expect(
      normaliseKernelLogLine("[    0.968284] pci_bus 0000:00: root bus resource [bus 00-ff]\r"),
    ).toBe("pci_bus N:N: root bus resource [bus N-ff]");
    expect(
      normaliseKernelLogLine("[   12.000001] NUMA: NODE_DATA [mem 0x5fef0380-0x5fef2fff]"),
    ).toBe(normaliseKernelLogLine("[    0.000000] NUMA: NODE_DATA [mem 0x5fef1380-0x5fef3fff]"));
    expect(normaliseKernelLogLine("Booting Linux on physical CPU 0x0000000000 [0x411fd070]")).toBe(
      "Booting Linux on physical CPU H [H]",
    );
    expect(normaliseKernelLogLine("rtc-pl031 9010000.pl031: registered as rtc0")).toBe(
      "rtc-plN N.plN: registered as rtcN",
    );
    expect(normaliseKernelLogLine("Serial: AMBA PL011 UART driver")).not.toBe(
      normaliseKernelLogLine("Serial: AMBA PL012 UART drivers"),
    );
  });

  it("lists lines only one side has, and a moved line on both sides", () => {
    const ref = ["[ 0.1] a 1", "[ 0.2] b", "[ 0.3] moved", "[ 0.4] c 0x10", "[ 0.5] d"].join("\n");
    const ours = ["[ 0.1] a 7", "[ 0.3] c 0x20", "[ 0.4] new", "[ 0.6] moved", "[ 0.7] d"].join(
      "\r\n",
    );
    expect(compareKernelLogs(ref, ours)).toEqual([
      { side: "missing", line: 2, text: "b" },
      { side: "missing", line: 3, text: "moved" },
      { side: "extra", line: 3, text: "new" },
      { side: "extra", line: 4, text: "moved" },
    ]);
    expect(compareKernelLogs(ref, ref)).toEqual([]);
  });

  it("tells explained differences from unexplained ones and reports unused explanations", () => {
    const known: KnownKernelLogDifference[] = [
      { id: "b", side: "missing", match: /^b$/, reason: "r" },
      { id: "moved", side: "both", match: /^moved$/, reason: "r" },
      { id: "never", side: "extra", match: /^never$/, reason: "r" },
      { id: "maybe", side: "extra", match: /^maybe$/, reason: "r", optional: true },
    ];
    const diffs = compareKernelLogs("b\nmoved\nx\nb", "x\nmoved\nb");
    const { unexplained, unused } = explainKernelLogDifferences(diffs, known);
    expect(unexplained).toEqual([]);
    expect(unused.map((k) => k.id)).toEqual(["never"]);
    const extraB = explainKernelLogDifferences([{ side: "extra", line: 1, text: "b" }], known);
    expect(extraB.unexplained).toHaveLength(1);
  });

  it("gives every documented difference a reason and a unique id", () => {
    const ids = LINUX_LOG_DIFFERENCES.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const k of LINUX_LOG_DIFFERENCES) expect(k.reason.length).toBeGreaterThan(20);
  });
});
