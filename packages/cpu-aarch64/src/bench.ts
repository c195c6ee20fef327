/**
 * Interpreter throughput on bare loops (run with `pnpm bench` after a build): an ALU loop and
 * a load/store loop at EL2 with the MMU off, and the ALU loop at EL1 with the MMU on.
 */
import type { Aarch64Cpu } from "./cpu.js";
import { SysReg } from "./sysreg-encoding.js";
import { RAM_BASE, TestMachine } from "./testing/index.js";

const ALU = [
  0xd2a00020, // mov x0, #0x10000 (iterations, scaled below)
  0x91000421, // 1: add x1, x1, #1
  0xca010042, //    eor x2, x2, x1
  0xf1000400, //    subs x0, x0, #1
  0x54ffffa1, //    b.ne 1b
  0x14000000, // b .
];
const MEM = [
  0xd2a00020, // mov x0, #0x10000
  0x91000421, // 1: add x1, x1, #1
  0xf9000061, //    str x1, [x3]
  0xf9400062, //    ldr x2, [x3]
  0xf1000400, //    subs x0, x0, #1
  0x54ffff81, //    b.ne 1b
  0x14000000, // b .
];

function measure(
  name: string,
  words: number[],
  iterations: number,
  setup?: (cpu: Aarch64Cpu, m: TestMachine) => void,
): void {
  const m = new TestMachine({ ramSize: 16 << 20 });
  m.writeWords(RAM_BASE, words);
  const cpu = m.cpu;
  cpu.powerOn(RAM_BASE, 0n, setup === undefined ? 2 : 1);
  cpu.setX(3, BigInt(RAM_BASE + 0x10000));
  setup?.(cpu, m);
  cpu.setX(0, BigInt(iterations));
  cpu.setPc(BigInt(RAM_BASE + 4));
  const perIter = words.length - 2;
  const total = iterations * perIter;
  // CPU time, not wall time: the machine is shared, so wall time says little.
  const t0 = process.cpuUsage();
  let left = total;
  while (left > 0) {
    const n = Math.min(left, 1_000_000);
    cpu.run(n);
    left -= n;
  }
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  console.log(
    `${name}: ${((total / ms) * 1e-3).toFixed(1)} MIPS (${total} instructions, ${ms.toFixed(0)} ms CPU)`,
  );
}

measure("alu loop (EL2, MMU off)", ALU, 20_000_000);
measure("load/store loop (EL2, MMU off)", MEM, 10_000_000);

/** EL1 with stage 1 on: one 1 GiB block maps RAM, 39-bit VA. */
function mmuOn(cpu: Aarch64Cpu, m: TestMachine): void {
  const table = RAM_BASE + 0x20000;
  m.writeWords(table + 8, [0x4000_0705, 0]); // block at 0x4000_0000, normal memory, AF
  cpu.writeSysReg(SysReg.MAIR_EL1, 0xff00n);
  cpu.writeSysReg(SysReg.TCR_EL1, 25n | (2n << 32n));
  cpu.writeSysReg(SysReg.TTBR0_EL1, BigInt(table));
  cpu.writeSysReg(SysReg.SCTLR_EL1, 0x30d00801n);
}
measure("alu loop (EL1, MMU on)", ALU, 20_000_000, mmuOn);
measure("load/store loop (EL1, MMU on)", MEM, 10_000_000, mmuOn);
