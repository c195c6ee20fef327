/**
 * Interpreter throughput: a NOP stream, a 32-bit protected-mode ALU/memory loop and a 64-bit
 * long-mode loop under 4-level paging. A measurement script, not a test: `npm run bench`
 * prints M instructions per second of process CPU time (less sensitive to other load on the
 * machine than wall time).
 */
import { allocateRam, type PhysBus } from "@axvisor/machine";
import { X86Cpu } from "./cpu.js";
import { CS, DS, SS } from "./regs.js";

const N = 5_000_000;

function machine(): { cpu: X86Cpu; ram: Uint8Array } {
  const ram = allocateRam(16 << 20);
  const bus: PhysBus = { ram, ramBase: 0, load: () => null, store: () => false };
  const cpu = new X86Cpu({
    cpuId: 0,
    apicId: 0,
    bus,
    io: { in: () => 0xffffffff, out: () => {} },
    time: { now: () => 0 },
  });
  return { cpu, ram };
}

function flat32(cpu: X86Cpu): void {
  cpu.setSegment(CS, { selector: 8, base: 0n, limit: 0xffffffff, attributes: 0xc09b });
  cpu.setSegment(DS, { selector: 16, base: 0n, limit: 0xffffffff, attributes: 0xc093 });
  cpu.setSegment(SS, { selector: 16, base: 0n, limit: 0xffffffff, attributes: 0xc093 });
  cpu.setReg("cr0", 0x11n);
}

function measure(name: string, cpu: X86Cpu, budget: number): void {
  const before = cpu.icount;
  const t0 = process.cpuUsage();
  let left = budget;
  while (left > 0) {
    const r = cpu.run(Math.min(left, 1_000_000));
    left = budget - (cpu.icount - before);
    if (r !== "budget") break;
  }
  const used = process.cpuUsage(t0);
  const seconds = (used.user + used.system) / 1e6;
  const n = cpu.icount - before;
  console.log(`${name.padEnd(34)} ${(n / seconds / 1e6).toFixed(2)} MIPS (${n} instructions)`);
}

function nops(): void {
  const { cpu, ram } = machine();
  flat32(cpu);
  ram.fill(0x90, 0x1000, 0x5000);
  ram.set([0xe9, 0xfb, 0xbf, 0xff, 0xff], 0x5000); // jmp 0x1000
  cpu.setReg("rip", 0x1000n);
  measure("NOP stream (32-bit)", cpu, N);
}

function loop32(): void {
  const { cpu, ram } = machine();
  flat32(cpu);
  // mov ecx, N ; l: add eax, ecx ; xor edx, eax ; mov [0x5000], eax ; mov ebx, [0x5000] ;
  // dec ecx ; jnz l ; hlt
  const n = N / 6;
  ram.set([0xb9, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24], 0x1000);
  ram.set([0x01, 0xc8, 0x31, 0xc2, 0xa3, 0x00, 0x50, 0x00, 0x00], 0x1005);
  ram.set([0x8b, 0x1d, 0x00, 0x50, 0x00, 0x00, 0x49, 0x75, 0xee, 0xf4], 0x100e);
  cpu.setReg("rip", 0x1000n);
  measure("ALU/memory loop (32-bit, flat)", cpu, N);
}

function loop64(): void {
  const { cpu, ram } = machine();
  // PML4 at 0x10000 -> PDPT at 0x11000 with a 1 GiB identity page.
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  dv.setUint32(0x10000, 0x11003, true);
  dv.setUint32(0x11000, 0x83, true);
  cpu.setReg("cr4", 0x20n);
  cpu.setReg("cr3", 0x10000n);
  cpu.setReg("efer", 0x500n);
  cpu.setReg("cr0", 0x80000011n);
  cpu.setSegment(CS, { selector: 8, base: 0n, limit: 0xffffffff, attributes: 0xa09b });
  // mov ecx, N ; mov ebx, 0x5000 ; l: add rax, rcx ; xor rdx, rax ; mov [rbx], rax ;
  // mov rsi, [rbx] ; dec rcx ; jnz l ; hlt
  const n = N / 6;
  ram.set([0xb9, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24], 0x1000);
  ram.set([0xbb, 0x00, 0x50, 0x00, 0x00], 0x1005);
  ram.set([0x48, 0x01, 0xc8, 0x48, 0x31, 0xc2, 0x48, 0x89, 0x03], 0x100a);
  ram.set([0x48, 0x8b, 0x33, 0x48, 0xff, 0xc9, 0x75, 0xef, 0xf4], 0x1013);
  cpu.setReg("rip", 0x1000n);
  measure("ALU/memory loop (64-bit, paged)", cpu, N);
}

nops();
loop32();
loop64();
