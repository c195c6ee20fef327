import { describe, expect, it } from "vitest";
import { allBenchmarks } from "./benchmarks.js";
import { selectBenchmarks } from "./cli.js";

const ids = (arch: ("riscv64" | "aarch64" | "x86_64")[], only: string[] = []) =>
  selectBenchmarks(allBenchmarks(), { only, quick: false, arch }).map((b) => b.id);

describe("selectBenchmarks with --arch", () => {
  it("runs one architecture's rows, ours beside QEMU", () => {
    expect(ids(["aarch64"])).toEqual([
      "aarch64-intloop.emu",
      "aarch64-intloop.qemu",
      "aarch64-memloop.emu",
      "aarch64-memloop.qemu",
      "aarch64-linux.emu",
      "aarch64-linux.qemu",
      "aarch64-intloop.hypervisor",
      "aarch64-linux.hypervisor",
      "aarch64-exit.hypervisor",
      "aarch64-vm-start.hypervisor",
    ]);
    expect(ids(["x86_64"], ["x86_64-linux"])).toEqual(["x86_64-linux.emu", "x86_64-linux.qemu"]);
  });

  it("keeps riscv64's rows to riscv64, and runs every architecture by default", () => {
    const riscv = ids(["riscv64"]);
    expect(riscv).toContain("intloop.hypervisor");
    expect(riscv.some((id) => id.startsWith("aarch64") || id.startsWith("x86_64"))).toBe(false);
    const all = ids([]);
    expect(all).toContain("intloop.hypervisor");
    expect(all).toContain("aarch64-linux.emu");
    expect(all).toContain("x86_64-memloop.qemu");
  });
});
