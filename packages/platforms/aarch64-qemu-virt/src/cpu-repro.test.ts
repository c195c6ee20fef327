/**
 * Reproductions of CPU behaviour the board depends on, found while bringing up guests on
 * ArmVirtMachine. Each is skipped (with the reason) until @axvisor/cpu-aarch64 passes it;
 * run them all with AXVISOR_CPU_REPRO=1.
 */
import { Aarch64Cpu, sysreg } from "@axvisor/cpu-aarch64";
import { allocateRam } from "@axvisor/machine";
import { describe, expect, it } from "vitest";

const RAM = 0x4000_0000;
const runAll = process.env.AXVISOR_CPU_REPRO === "1";

function cpuWith(words: readonly number[], el: 1 | 2) {
  const ram = allocateRam(1 << 20);
  const dv = new DataView(ram.buffer, ram.byteOffset);
  words.forEach((w, i) => {
    dv.setUint32(4 * i, w >>> 0, true);
  });
  const writes: { enc: number; value: bigint }[] = [];
  const reads: number[] = [];
  const cpu = new Aarch64Cpu({
    cpuId: 0,
    mpidr: 0,
    bus: { ram, ramBase: RAM, load: () => null, store: () => false },
    time: { now: () => 0 },
    el2: el === 2,
    sysRegDevice: {
      read: (_c, enc) => {
        reads.push(enc);
        return 0xa0n;
      },
      write: (_c, enc, value) => {
        writes.push({ enc, value });
        return true;
      },
    },
  });
  cpu.powerOn(RAM, 0n, el);
  return { cpu, writes, reads };
}

describe("CPU behaviour the GICv3 board needs", () => {
  // msr icc_pmr_el1, x0 ; mrs x1, icc_pmr_el1 ; b .
  const PROGRAM = [0xd5184600, 0xd5384601, 0x14000000];
  const ICC_PMR_EL1 = sysreg(3, 0, 4, 6, 0);

  it.skipIf(!runAll)(
    "forwards ICC_PMR_EL1 (S3_0_C4_C6_0) to the sysRegDevice [skipped: cpu-aarch64 only forwards CRn=12, CRm>=8; the GICv3 priority mask is CRn=4, CRm=6, so every GICv3 guest masks all interrupts]",
    () => {
      const { cpu, writes, reads } = cpuWith(PROGRAM, 1);
      cpu.setX(0, 0xf0n);
      cpu.run(2);
      expect(writes).toEqual([{ enc: ICC_PMR_EL1, value: 0xf0n }]);
      expect(reads).toEqual([ICC_PMR_EL1]);
      expect(cpu.getX(1)).toBe(0xa0n);
      expect(cpu.getPc()).toBe(BigInt(RAM + 8));
    },
  );
});
