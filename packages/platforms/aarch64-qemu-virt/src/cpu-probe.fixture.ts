import { Aarch64Cpu, sysreg } from "@axvisor/cpu-aarch64";
import { allocateRam } from "@axvisor/machine";

const RAM = 0x4000_0000;

/**
 * Runs `words` (A64 instructions at the RAM base) on a bare CPU whose sysRegDevice records
 * every access; for tests that check what the board needs from the CPU.
 */
export function probeCpu(words: readonly number[], el: 1 | 2, setup?: (cpu: Aarch64Cpu) => void) {
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
  setup?.(cpu);
  return { cpu, writes, reads, ramBase: RAM };
}

export const ICC_PMR_EL1 = sysreg(3, 0, 4, 6, 0);
/** msr icc_pmr_el1, x0 ; mrs x1, icc_pmr_el1 ; b . */
export const PMR_PROGRAM: readonly number[] = [0xd5184600, 0xd5384601, 0x14000000];

/** Whether the CPU hands ICC_PMR_EL1 to its sysRegDevice (GICv3 guests need it). */
export function cpuForwardsPmr(): boolean {
  const { cpu, writes } = probeCpu(PMR_PROGRAM, 1, (c) => c.setX(0, 0xf0n));
  cpu.run(2);
  return writes.length === 1 && writes[0]!.enc === ICC_PMR_EL1;
}
