import { describe, expect, it } from "vitest";
import { archOfElfMachine, ELF_MACHINE, isArch, parseArch } from "./arch.js";

describe("arch", () => {
  it("knows the three architectures and nothing else", () => {
    expect(isArch("riscv64")).toBe(true);
    expect(isArch("aarch64")).toBe(true);
    expect(isArch("x86_64")).toBe(true);
    expect(isArch("arm64")).toBe(false);
    expect(() => parseArch("mips", "--arch")).toThrow(
      "--arch: unknown architecture 'mips' (known: riscv64, aarch64, x86_64)",
    );
  });

  it("maps ELF machine numbers both ways", () => {
    expect(archOfElfMachine(243)).toBe("riscv64");
    expect(archOfElfMachine(183)).toBe("aarch64");
    expect(archOfElfMachine(62)).toBe("x86_64");
    expect(archOfElfMachine(40)).toBeUndefined();
    expect(ELF_MACHINE.aarch64).toBe(183);
  });
});
