/**
 * Hart throughput on the shape of shared/guests/riscv64/bench/bench.S: an ALU loop
 * (addi; addi; bnez) and a memory loop (ld; addi; sd; addi; bnez), both in M-mode with bare
 * translation and in S-mode under Sv39. A measurement script, not a test:
 * `npm run bench` prints M instructions per second with the JIT (AXVISOR_JIT=0: interpreter).
 */
import type { PhysBus } from "@axvisor/machine";
import { allocateRam } from "@axvisor/machine";
import { Hart } from "./hart.js";

const RAM_BASE = 0x8000_0000;

function assemble(words: number[], ram: Uint8Array, at: number): void {
  const dv = new DataView(ram.buffer, ram.byteOffset);
  words.forEach((w, i) => {
    dv.setUint32(at + 4 * i, w >>> 0, true);
  });
}

// t0 = x5, t1 = x6, t5 = x30
const ALU_LOOP = [
  0x00130313, // addi t1, t1, 1
  0xfff28293, // addi t0, t0, -1
  0xfe029ce3, // bnez t0, -8
  0x0000006f, // j . (end)
];
const ALU_LOOP_RVC = [
  // c.addi t1,1 ; c.addi t0,-1 ; bnez t0 (t0 is not an RVC branch register)
  0x12fd0305, // c.addi t1,1 (0x0305) ; c.addi t0,-1 (0x12fd)
  0xfe029ee3, // bnez t0, -4
  0x0000006f,
];
const MEM_LOOP = [
  0x000f3303, // ld t1, 0(t5)
  0x00130313, // addi t1, t1, 1
  0x006f3023, // sd t1, 0(t5)
  0xfff28293, // addi t0, t0, -1
  0xfe0298e3, // bnez t0, -16
  0x0000006f,
];

function makeBus(): PhysBus {
  return {
    ram: allocateRam(16 << 20),
    ramBase: RAM_BASE,
    load: () => null,
    store: () => false,
  };
}

function measure(name: string, prog: number[], iters: number, perIter: number, sv39: boolean) {
  const bus = makeBus();
  assemble(prog, bus.ram, 0x10000);
  const hart = new Hart({ hartId: 0, bus, time: { now: () => 0 }, resetPc: RAM_BASE + 0x10000 });
  if (sv39) {
    // one 1 GiB gigapage mapping VA 0x8000_0000 -> PA 0x8000_0000 (RWX, A, D), S-mode
    const root = 0x1000;
    const dv = new DataView(bus.ram.buffer, bus.ram.byteOffset);
    dv.setBigUint64(root + 2 * 8, ((BigInt(RAM_BASE) >> 12n) << 10n) | 0xcfn, true);
    hart.writeCsr(0x180, (8n << 60n) | BigInt((RAM_BASE + root) >>> 12));
    hart.writeCsr(0x300, 1n << 11n); // MPP = S
    hart.writeCsr(0x341, BigInt(RAM_BASE + 0x10000)); // mepc
    assemble([0x30200073], bus.ram, 0x0ff00); // mret at +0xff00
    hart.setPc(BigInt(RAM_BASE + 0xff00));
    hart.run(1);
  }
  hart.setX(5, BigInt(iters));
  hart.setX(30, BigInt(RAM_BASE + 0x20000));
  const total = iters * perIter;
  const t0 = performance.now();
  let done = 0;
  while (done < total) {
    hart.run(Math.min(1_000_000, total - done));
    done += Math.min(1_000_000, total - done);
  }
  const dt = (performance.now() - t0) / 1000;
  if (hart.getX(5) !== 0n) throw new Error(`${name}: loop did not finish (t0=${hart.getX(5)})`);
  console.log(`${name.padEnd(28)} ${(total / dt / 1e6).toFixed(1)} M instr/s`);
}

const iters = Number(process.argv[2] ?? 10_000_000);
console.log(process.env.AXVISOR_JIT === "0" ? "interpreter only (AXVISOR_JIT=0)" : "with the JIT");
for (let round = 0; round < 2; round++) {
  measure("ALU loop (M, bare)", ALU_LOOP, iters, 3, false);
  measure("ALU loop RVC (M, bare)", ALU_LOOP_RVC, iters, 3, false);
  measure("ALU loop (S, Sv39)", ALU_LOOP, iters, 3, true);
  measure("MEM loop (M, bare)", MEM_LOOP, iters, 5, false);
  measure("MEM loop (S, Sv39)", MEM_LOOP, iters, 5, true);
}
