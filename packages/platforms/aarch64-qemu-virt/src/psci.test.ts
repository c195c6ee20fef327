import { describe, expect, it } from "vitest";
import { type PsciBoard, PsciFn, PsciRet, servePsci } from "./psci.js";

class Caller {
  readonly x = new Array<bigint>(31).fill(0n);
  getX(n: number): bigint {
    return this.x[n]!;
  }
  setX(n: number, v: bigint): void {
    this.x[n] = v;
  }
}

function board(n = 2, bootEl: 1 | 2 = 1) {
  const on = [true, ...new Array<boolean>(n - 1).fill(false)];
  const log: string[] = [];
  const b: PsciBoard = {
    cpuByMpidr: (aff) => (aff < BigInt(n) ? Number(aff) : -1),
    isOn: (i) => on[i]!,
    bootEl,
    cpuOn: (i, entry, ctx, el) => {
      on[i] = true;
      log.push(`on ${i} ${entry.toString(16)} ${ctx} el${el}`);
    },
    cpuOff: (i) => {
      on[i] = false;
      log.push(`off ${i}`);
    },
    systemOff: () => log.push("system-off"),
    systemReset: () => log.push("system-reset"),
  };
  return { b, log, on };
}

const call = (c: Caller, b: PsciBoard, fn: number, ...args: bigint[]) => {
  c.x[0] = BigInt(fn);
  args.forEach((a, i) => {
    c.x[i + 1] = a;
  });
  const served = servePsci(c, 0, b);
  return { served, ret: BigInt.asIntN(64, c.x[0]!) };
};

describe("servePsci", () => {
  it("reports PSCI 1.1 and QEMU 7.2's feature set (SMCCC_VERSION not advertised)", () => {
    const c = new Caller();
    const { b } = board();
    expect(call(c, b, PsciFn.PSCI_VERSION).ret).toBe(0x10001n);
    expect(call(c, b, PsciFn.PSCI_FEATURES, BigInt(PsciFn.CPU_ON64)).ret).toBe(0n);
    expect(call(c, b, PsciFn.PSCI_FEATURES, BigInt(PsciFn.SYSTEM_RESET)).ret).toBe(0n);
    expect(call(c, b, PsciFn.PSCI_FEATURES, BigInt(PsciFn.MIGRATE)).ret).toBe(-1n);
    expect(call(c, b, PsciFn.PSCI_FEATURES, BigInt(PsciFn.SMCCC_VERSION)).ret).toBe(-1n);
    expect(call(c, b, PsciFn.SMCCC_VERSION).ret).toBe(0x10000n);
    expect(call(c, b, PsciFn.SMCCC_ARCH_FEATURES, 0x8000_8000n).ret).toBe(-1n);
    expect(call(c, b, PsciFn.MIGRATE_INFO_TYPE).ret).toBe(2n);
  });

  it("starts a secondary with CPU_ON at the board's highest EL, once", () => {
    const c = new Caller();
    const { b, log } = board(2, 2);
    expect(call(c, b, PsciFn.AFFINITY_INFO64, 1n, 0n).ret).toBe(1n);
    expect(call(c, b, PsciFn.CPU_ON64, 1n, 0x4008_0000n, 0x1234n).ret).toBe(0n);
    expect(log).toEqual(["on 1 40080000 4660 el2"]);
    expect(call(c, b, PsciFn.CPU_ON64, 1n, 0x4008_0000n, 0n).ret).toBe(BigInt(PsciRet.ALREADY_ON));
    expect(call(c, b, PsciFn.AFFINITY_INFO64, 1n, 0n).ret).toBe(0n);
    expect(call(c, b, PsciFn.CPU_ON64, 7n, 0n, 0n).ret).toBe(BigInt(PsciRet.INVALID_PARAMETERS));
    expect(call(c, b, PsciFn.AFFINITY_INFO64, 1n, 1n).ret).toBe(BigInt(PsciRet.INVALID_PARAMETERS));
  });

  it("truncates SMC32 arguments to 32 bits", () => {
    const c = new Caller();
    const { b, log } = board();
    expect(call(c, b, PsciFn.CPU_ON, 0xffff_ffff_0000_0001n, 0x1_4008_0000n, 0n).ret).toBe(0n);
    expect(log).toEqual(["on 1 40080000 0 el1"]);
  });

  it("powers off, resets, stops the caller and leaves foreign function IDs UNDEFINED", () => {
    const c = new Caller();
    const { b, log } = board();
    call(c, b, PsciFn.CPU_OFF);
    call(c, b, PsciFn.SYSTEM_RESET);
    call(c, b, PsciFn.SYSTEM_OFF);
    expect(log).toEqual(["off 0", "system-reset", "system-off"]);
    expect(call(c, b, PsciFn.CPU_SUSPEND64, 0n).ret).toBe(0n);
    expect(call(c, b, PsciFn.CPU_SUSPEND64, 1n << 20n).ret).toBe(
      BigInt(PsciRet.INVALID_PARAMETERS),
    );
    expect(call(c, b, 0xc200_0000).served).toBe(false);
    expect(call(c, b, 0x8400_001f).ret).toBe(-1n);
  });
});
