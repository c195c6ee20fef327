import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "./options.js";

describe("parseBenchArgs", () => {
  it("defaults to 3 runs, QEMU on, a 150 s Linux timeout", () => {
    expect(parseBenchArgs([])).toEqual({
      runs: 3,
      quick: false,
      json: undefined,
      only: [],
      arch: [],
      qemu: true,
      linuxTimeoutS: 150,
      list: false,
      help: false,
    });
  });

  it("--quick means one run and a 60 s Linux timeout unless given", () => {
    expect(parseBenchArgs(["--quick"])).toMatchObject({ runs: 1, quick: true, linuxTimeoutS: 60 });
    expect(parseBenchArgs(["--quick", "--runs", "2"])).toMatchObject({ runs: 2, quick: true });
  });

  it("reads --json, --only lists and --no-qemu", () => {
    expect(
      parseBenchArgs(["--json", "out.json", "--only", "intloop, linux-smp1.qemu,", "--no-qemu"]),
    ).toMatchObject({
      json: "out.json",
      only: ["intloop", "linux-smp1.qemu"],
      qemu: false,
    });
  });

  it("reads --arch lists and refuses an unknown architecture", () => {
    expect(parseBenchArgs(["--arch", "aarch64, x86_64"])).toMatchObject({
      arch: ["aarch64", "x86_64"],
    });
    expect(() => parseBenchArgs(["--arch", "mips"])).toThrow(
      "--arch: unknown architecture 'mips' (riscv64, aarch64, x86_64)",
    );
  });

  it("names the bad option", () => {
    expect(() => parseBenchArgs(["--runs", "0"])).toThrow(
      /--runs: expected a positive integer, got '0'/,
    );
    expect(() => parseBenchArgs(["--runs", "2.5"])).toThrow(/--runs/);
    expect(() => parseBenchArgs(["--linux-timeout", "x"])).toThrow(/--linux-timeout/);
    expect(() => parseBenchArgs(["--fast"])).toThrow(/--fast/);
  });
});
