import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { type FinishRequest, SifiveTest } from "./sifive-test.js";

const BASE = 0x10_0000;
const at = (off: number) => (BASE + off) as GuestPhysAddr;

function make() {
  const seen: FinishRequest[] = [];
  const dev = new SifiveTest({ base: BASE, onFinish: (r) => seen.push(r) });
  return { dev, seen };
}

describe("SifiveTest", () => {
  it("covers QEMU virt's 4 KiB window", () => {
    const { dev } = make();
    expect(dev.addressRange()).toEqual({ start: 0x10_0000, end: 0x10_1000 });
  });

  it("reports a pass for 0x5555 (syscon-poweroff)", () => {
    const { dev, seen } = make();
    dev.handleWrite(at(0), AccessWidth.Dword, 0x5555n);
    expect(seen).toEqual([{ kind: "pass", code: 0 }]);
  });

  it("reports a failure with the exit code from the high half", () => {
    const { dev, seen } = make();
    // (42 << 16) | 0x3333 = 0x002a_3333
    dev.handleWrite(at(0), AccessWidth.Dword, 0x2a3333n);
    dev.handleWrite(at(0), AccessWidth.Dword, 0xffff3333n);
    expect(seen).toEqual([
      { kind: "fail", code: 42 },
      { kind: "fail", code: 0xffff },
    ]);
  });

  it("reports a reset for 0x7777 (syscon-reboot)", () => {
    const { dev, seen } = make();
    dev.handleWrite(at(0), AccessWidth.Dword, 0x7777n);
    expect(seen).toEqual([{ kind: "reset", code: 0 }]);
  });

  it("ignores unknown commands and writes elsewhere in the window", () => {
    const { dev, seen } = make();
    dev.handleWrite(at(0), AccessWidth.Dword, 0x1234n);
    dev.handleWrite(at(4), AccessWidth.Dword, 0x5555n);
    dev.handleWrite(at(0x800), AccessWidth.Dword, 0x7777n);
    expect(seen).toEqual([]);
  });

  it("takes the command from the low 32 bits of a 64-bit store", () => {
    const { dev, seen } = make();
    dev.handleWrite(at(0), AccessWidth.Qword, 0xdead_beef_0007_3333n);
    expect(seen).toEqual([{ kind: "fail", code: 7 }]);
  });

  it("reads as zero", () => {
    const { dev } = make();
    expect(dev.handleRead(at(0), AccessWidth.Dword)).toBe(0n);
  });
});
