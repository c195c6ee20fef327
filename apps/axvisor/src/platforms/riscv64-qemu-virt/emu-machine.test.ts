import { describe, expect, it } from "vitest";
import { createRiscvEmuMachine, parseRiscvCpu } from "./emu-machine.js";

describe("riscv64-qemu-virt -cpu", () => {
  it("reads QEMU's extension switches, both on by default", () => {
    expect(parseRiscvCpu("rv64,h=false,sstc=off")).toEqual({ h: false, sstc: false });
    expect(parseRiscvCpu(undefined)).toEqual({ h: true, sstc: true });
    expect(parseRiscvCpu("max,sstc=no")).toEqual({ h: true, sstc: false });
    expect(() => parseRiscvCpu("cortex-a57")).toThrow(/unknown model 'cortex-a57'/);
    expect(() => parseRiscvCpu("rv64,v=on")).toThrow(/unsupported property 'v=on'/);
  });

  it("refuses machine properties it does not have", () => {
    expect(() =>
      createRiscvEmuMachine({
        cpus: 1,
        memory: 64 << 20,
        machineProps: new Map([["gic-version", "3"]]),
        devices: [],
        kernel: { name: "k", data: new Uint8Array(4) },
        drives: [],
        console: () => {},
      }),
    ).toThrow("-M: riscv64-qemu-virt has no machine properties ('gic-version')");
  });
});
