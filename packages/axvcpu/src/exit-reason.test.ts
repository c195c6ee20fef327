import { AccessWidth, gpa, MappingFlags, port, sysRegAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { assertNever, EXIT_KINDS, type ExitReason, formatExitReason } from "./exit-reason.js";

/** One exit of every kind, with field values a backend could really produce. */
const SAMPLES: readonly ExitReason[] = [
  { kind: "Hypercall", nr: 3n, args: [1n, 2n, 0x8000_0000n, 0n, 0n, 0xffff_ffff_ffff_ffffn] },
  {
    kind: "MmioRead",
    addr: gpa(0x1000_0005),
    width: AccessWidth.Byte,
    reg: 10,
    regWidth: AccessWidth.Qword,
    signExtend: true,
  },
  { kind: "MmioWrite", addr: gpa(0x0c00_2000), width: AccessWidth.Dword, data: 0x1234n },
  { kind: "SysRegRead", addr: sysRegAddr(0xc01), reg: 5 },
  { kind: "SysRegWrite", addr: sysRegAddr(0x14d), value: 0x10n },
  { kind: "IoRead", port: port(0x3f8), width: AccessWidth.Byte },
  { kind: "IoWrite", port: port(0x3f8), width: AccessWidth.Byte, data: 0x41n },
  { kind: "ExternalInterrupt", vector: 9 },
  {
    kind: "NestedPageFault",
    addr: gpa(0x8020_0000),
    accessFlags: MappingFlags.READ | MappingFlags.WRITE,
  },
  { kind: "Halt" },
  { kind: "CpuUp", targetCpu: 1n, entryPoint: gpa(0x8020_0000), arg: 0x8220_0000n },
  { kind: "CpuDown", state: 0n },
  { kind: "SystemDown", resetType: "shutdown", reason: 0 },
  { kind: "Nothing" },
  { kind: "FailEntry", hardwareEntryFailureReason: 7n },
  {
    kind: "SendIPI",
    targetCpu: 0x100n,
    targetCpuAux: 0b101n,
    sendToAll: false,
    sendToSelf: true,
    vector: 1,
    targetVcpus: [0, 2],
  },
];

/** A VMM-style dispatcher: must name every kind, or `assertNever` fails to type-check. */
function handledBy(exit: ExitReason): string {
  switch (exit.kind) {
    case "Hypercall":
    case "CpuUp":
    case "CpuDown":
    case "SystemDown":
    case "SendIPI":
      return "vmm";
    case "MmioRead":
    case "MmioWrite":
    case "SysRegRead":
    case "SysRegWrite":
    case "IoRead":
    case "IoWrite":
    case "NestedPageFault":
      return "vm";
    case "ExternalInterrupt":
      return "host";
    case "Halt":
    case "Nothing":
    case "FailEntry":
      return "scheduler";
    default:
      return assertNever(exit, "exit");
  }
}

/** The compile-time half of the check: a switch missing a case does not type-check. */
function missesHalt(exit: ExitReason): string {
  switch (exit.kind) {
    case "Hypercall":
    case "MmioRead":
    case "MmioWrite":
    case "SysRegRead":
    case "SysRegWrite":
    case "IoRead":
    case "IoWrite":
    case "ExternalInterrupt":
    case "NestedPageFault":
    case "CpuUp":
    case "CpuDown":
    case "SystemDown":
    case "Nothing":
    case "FailEntry":
    case "SendIPI":
      return exit.kind;
    default:
      // @ts-expect-error "Halt" is not handled, so `exit` is not `never` here.
      return assertNever(exit);
  }
}

describe("ExitReason", () => {
  it("has AxVisor's sixteen variants", () => {
    expect(EXIT_KINDS).toHaveLength(16);
    expect(new Set(SAMPLES.map((e) => e.kind))).toEqual(new Set(EXIT_KINDS));
  });

  it("is dispatched exhaustively", () => {
    expect(SAMPLES.map(handledBy)).toEqual([
      "vmm",
      "vm",
      "vm",
      "vm",
      "vm",
      "vm",
      "vm",
      "host",
      "vm",
      "scheduler",
      "vmm",
      "vmm",
      "vmm",
      "scheduler",
      "scheduler",
      "vmm",
    ]);
  });

  it("assertNever throws at run time for a kind the switch did not expect", () => {
    expect(() => missesHalt({ kind: "Halt" })).toThrow("unexpected value: Halt");
    expect(() => handledBy({ kind: "Reboot" } as unknown as ExitReason)).toThrow(
      "unexpected exit: Reboot",
    );
  });
});

describe("formatExitReason", () => {
  it("prints each exit on one line with hex addresses and values", () => {
    const lines = SAMPLES.map(formatExitReason);
    expect(lines).toEqual([
      "Hypercall nr=0x3 args=[0x1, 0x2, 0x80000000, 0x0, 0x0, 0xffffffffffffffff]",
      "MmioRead GPA:0x1000_0005 width=1 -> reg 10 (64-bit, sign-extended)",
      "MmioWrite GPA:0xc00_2000 width=4 data=0x1234",
      "SysRegRead 0xc01 -> reg 5",
      "SysRegWrite 0x14d value=0x10",
      "IoRead port=0x3f8 width=1",
      "IoWrite port=0x3f8 width=1 data=0x41",
      "ExternalInterrupt vector=9",
      "NestedPageFault GPA:0x8020_0000 access=READ|WRITE",
      "Halt",
      "CpuUp target=0x1 entry=GPA:0x8020_0000 arg=0x82200000",
      "CpuDown state=0x0",
      "SystemDown shutdown",
      "Nothing",
      "FailEntry reason=0x7",
      "SendIPI vector=1 target=0x100 aux=0x5 self -> vCPUs [0, 2]",
    ]);
  });

  it("prints negative data as its 64-bit two's complement", () => {
    expect(
      formatExitReason({ kind: "MmioWrite", addr: gpa(0), width: AccessWidth.Qword, data: -1n }),
    ).toBe("MmioWrite GPA:0x0 width=8 data=0xffffffffffffffff");
  });
});
