/**
 * Reproductions of CPU behaviour the board depends on, found while bringing up guests on
 * ArmVirtMachine. Each is skipped (with the reason) until @axvisor/cpu-aarch64 passes it;
 * AXVISOR_CPU_REPRO=1 runs them all.
 */
import { describe, expect, it } from "vitest";
import { cpuForwardsPmr, ICC_PMR_EL1, PMR_PROGRAM, probeCpu } from "./cpu-probe.fixture.js";

const runAll = process.env.AXVISOR_CPU_REPRO === "1";

describe("CPU behaviour the GICv3 board needs", () => {
  it.skipIf(!runAll && !cpuForwardsPmr())(
    "forwards ICC_PMR_EL1 (S3_0_C4_C6_0) to the sysRegDevice [skipped while cpu-aarch64 forwards only CRn=12, CRm>=8: the GICv3 priority mask is CRn=4, CRm=6, so every GICv3 guest keeps all interrupts masked]",
    () => {
      const { cpu, writes, reads, ramBase } = probeCpu(PMR_PROGRAM, 1, (c) => c.setX(0, 0xf0n));
      cpu.run(2);
      expect(writes).toEqual([{ enc: ICC_PMR_EL1, value: 0xf0n }]);
      expect(reads).toEqual([ICC_PMR_EL1]);
      expect(cpu.getX(1)).toBe(0xa0n);
      expect(cpu.getPc()).toBe(BigInt(ramBase + 8));
    },
  );
});
