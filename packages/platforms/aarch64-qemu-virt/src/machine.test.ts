import { readFileSync } from "node:fs";
import { InstructionClock } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { cpuForwardsPmr } from "./cpu-probe.fixture.js";
import { ArmVirtMachine } from "./machine.js";

/** GICv3 needs ICC_PMR_EL1 from the CPU (see cpu-repro.test.ts). */
const gicv3Ready = cpuForwardsPmr();
if (!gicv3Ready)
  console.log("GICv3 board programs skipped: the CPU does not forward ICC_PMR_EL1 yet");

const program = (name: string) =>
  readFileSync(new URL(`../test/programs/bin/${name}.elf`, import.meta.url));

async function runProgram(
  name: string,
  o: { gicVersion: 2 | 3; virtualization: boolean; cpus?: number },
) {
  let out = "";
  const m = new ArmVirtMachine({
    ...o,
    images: { kernel: { name, data: program(name) } },
    clock: new InstructionClock(4),
    rngSeed: null,
    console: (b) => {
      out += new TextDecoder().decode(b);
    },
  });
  const guard = setTimeout(() => m.stop("timeout"), 20_000);
  const exit = await m.run();
  clearTimeout(guard);
  return { exit, out, m };
}

describe("ArmVirtMachine running the board programs (validated on QEMU 7.2)", () => {
  for (const gicVersion of [2, 3] as const) {
    for (const virtualization of [false, true]) {
      it.skipIf(gicVersion === 3 && !gicv3Ready)(
        `GICv${gicVersion} timer PPI and SGI, ${virtualization ? "EL2 (PSCI over SMC)" : "EL1 (PSCI over HVC)"}`,
        async () => {
          const { exit, out, m } = await runProgram(`gicv${gicVersion}-timer`, {
            gicVersion,
            virtualization,
          });
          expect(out).toContain("gic-timer: start");
          expect(out).toContain("PASS");
          expect(exit).toEqual({ kind: "poweroff", success: true, code: 0, source: "psci" });
          expect(m.cpus[0]!.el).toBe(virtualization ? 2 : 1);
        },
      );
    }
  }

  for (const gicVersion of [2, 3] as const) {
    it.skipIf(gicVersion === 3 && !gicv3Ready)(
      `GICv${gicVersion} virtualization: a list register's interrupt reaches an EL1 guest, which EOIs it through the virtual interface`,
      async () => {
        const { exit, out } = await runProgram(`gicv${gicVersion}-vgic`, {
          gicVersion,
          virtualization: true,
        });
        expect(out).toBe("vgic: start\nPASS\n");
        expect(exit.kind).toBe("poweroff");
      },
    );
  }

  it("keeps secondary CPUs off until CPU_ON (two CPUs, GICv2)", async () => {
    const { exit, out, m } = await runProgram("gicv2-timer", {
      gicVersion: 2,
      virtualization: false,
      cpus: 2,
    });
    expect(out).toContain("PASS");
    expect(exit.kind).toBe("poweroff");
    expect(m.cpus[1]!.instructions).toBe(0);
  });
});
