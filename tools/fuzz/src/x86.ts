/**
 * The x86_64 fuzz target (bare board only for now): random x86 instructions, one per 16-byte
 * slot padded with NOPs, biased to what reaches the CPU's rare paths (control, debug and
 * model-specific registers, descriptor tables, VMX instructions, port I/O, interrupts and
 * IRET, locked read-modify-writes, loads and stores through registers preset to the PC's
 * device windows and RAM edges), booted as a multiboot kernel in 32-bit protected mode on the
 * q35 board with an instruction clock. Every exception vector steps to the next slot, so one
 * fault does not end the run. Findings: the CPU throws a host exception (a "fault" exit) or
 * the run does not end.
 */
import { InstructionClock } from "@axvisor/machine";
import { PcMachine } from "@axvisor/platform-x86_64-qemu-q35";
import { type BareCaseResult, driveBareBoard } from "./bare-run.js";
import type { FuzzProgram } from "./generate.js";
import type { Rng } from "./rng.js";

const SLICE = 5_000;
const LOAD = 0x10_0000;
const ENTRY = 0x40;
const IDTR = 0x100;
const IDT = 0x200;
const STUBS = 0x400;
const COMMON = 0x600;
/** Far from the code and the tables, so pushes and calls do not overwrite them. */
const STACK_TOP = 0x20_0000;
const BODY = 0x1000;
const SLOT = 16;
/** Vectors for which the CPU pushes an error code. */
const ERROR_CODE = new Set([8, 10, 11, 12, 13, 14, 17, 21, 29, 30]);
const BOOT_CS = 0x10;

/** Values for the registers: device windows, RAM edges, interesting MSR numbers and ports. */
const POINTERS: readonly number[] = [
  0,
  1,
  0xffff_ffff,
  0xffff_fff0,
  0xfee0_0000,
  0xfee0_0300,
  0xfec0_0000,
  0xfed0_0000,
  0xb000_0000,
  0x000b_8000,
  0x0000_9000,
  LOAD,
  LOAD + BODY,
  0x7ff_fff8,
  0x800_0000,
  0x1b,
  0xc000_0080,
  0x3a,
  0x480,
  0x48b,
  0x6e0,
  0x10,
  0x600,
  0x604,
  0xcf8,
  0xcfc,
  0x3f8,
  0x70,
];

const u32le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** One instruction's bytes (at most 15). */
function randomInstruction(rng: Rng): number[] {
  const reg = rng.below(8);
  // A base register for [r] (mod 00): not esp (a SIB byte follows) nor ebp (disp32 instead).
  const pick = rng.below(8);
  const rm = pick === 4 || pick === 5 ? 6 : pick;
  const mem = () => (reg << 3) | rm;
  const r = rng.below(100);
  if (r < 25) {
    // System instructions.
    return rng.pick<number[]>([
      [0x0f, 0x01, rng.pick([0xc1, 0xc2, 0xc3, 0xc4, 0xd0, 0xd1, 0xd4, 0xf8, 0xf9, 0xca, 0xcb])],
      [0x0f, 0x01, mem()], // sgdt/sidt/lgdt/lidt/smsw/lmsw/invlpg through a register
      [0x0f, 0x20, 0xc0 | (rng.pick([0, 2, 3, 4, 8]) << 3) | reg], // mov r, crN
      [0x0f, 0x22, 0xc0 | (rng.pick([0, 2, 3, 4, 8]) << 3) | reg], // mov crN, r
      [0x0f, 0x21, 0xc0 | (rng.below(8) << 3) | reg], // mov r, drN
      [0x0f, 0x23, 0xc0 | (rng.below(8) << 3) | reg], // mov drN, r
      [0x0f, 0x30], // wrmsr
      [0x0f, 0x32], // rdmsr
      [0x0f, 0x31], // rdtsc
      [0x0f, 0xa2], // cpuid
      [0x0f, 0x06], // clts
      [0x0f, 0x09], // wbinvd
      [0x0f, 0x0b], // ud2
      [0x0f, 0x00, mem()], // sldt/str/lldt/ltr/verr/verw
      [0x0f, 0x78, 0xc0 | (reg << 3) | rm], // vmread
      [0x0f, 0x79, 0xc0 | (reg << 3) | rm], // vmwrite
      [0x0f, 0xc7, (6 << 3) | rm], // vmptrld [r]
      [0x66, 0x0f, 0xc7, (6 << 3) | rm], // vmclear [r]
      [0xf3, 0x0f, 0xc7, (6 << 3) | rm], // vmxon [r]
      [0x8e, 0xc0 | (rng.below(6) << 3) | rm], // mov sreg, r
      [0xfa], // cli
      [0xfb], // sti
      [0xf4], // hlt
      [0xcd, rng.below(256)], // int n
      [0xcc], // int3
      [0xcf], // iret
      [0x9d], // popf
    ]);
  }
  if (r < 35) {
    // Port I/O.
    return rng.pick<number[]>([
      [0xec],
      [0xed],
      [0xee],
      [0xef],
      [0x66, 0xed],
      [0xe4, rng.below(256)],
      [0xe6, rng.below(256)],
      [0xf3, 0x6c],
      [0xf3, 0x6e],
    ]);
  }
  if (r < 45) {
    // Locked read-modify-writes through a register.
    return rng.pick<number[]>([
      [0xf0, 0x0f, 0xb1, mem()], // lock cmpxchg
      [0xf0, 0x0f, 0xc1, mem()], // lock xadd
      [0x87, mem()], // xchg
      [0xf0, 0x0f, 0xc7, (1 << 3) | rm], // lock cmpxchg8b
      [0xf0, 0x01, mem()], // lock add
    ]);
  }
  if (r < 70) {
    // Loads and stores through the preset pointers.
    return rng.pick<number[]>([
      [0x8b, mem()],
      [0x89, mem()],
      [0x8a, mem()],
      [0x88, mem()],
      [0x66, 0x89, mem()],
      [0xf3, 0xa5], // rep movsd
      [0xf3, 0xab], // rep stosd
      [0xff, (rng.pick([2, 4, 6]) << 3) | rm], // call/jmp/push [r]
      [0x0f, 0x18, mem()], // prefetch
    ]);
  }
  if (r < 85) {
    // Arithmetic and short jumps (within the body, to slot starts or not).
    return rng.pick<number[]>([
      [0x01, 0xc0 | (reg << 3) | rm],
      [0x81, 0xc0 | rm, ...u32le(rng.u32())],
      [0xeb, (rng.below(64) - 16) & 0xff],
      [0x70 | rng.below(16), (rng.below(64) - 16) & 0xff],
      [0xf7, 0xf0 | rm], // div
      [0xd1, 0xe0 | rm],
    ]);
  }
  const n = 1 + rng.below(15);
  return Array.from({ length: n }, () => rng.below(256));
}

/** A random program: `slots` instructions (16 bytes each, four body words) and eax..edi. */
export function x86Program(rng: Rng, slots = 32 + rng.below(224)): FuzzProgram {
  const body = new Uint32Array(slots * 4);
  const bytes = new Uint8Array(body.buffer);
  bytes.fill(0x90);
  for (let s = 0; s < slots; s++) {
    const insn = randomInstruction(rng).slice(0, 15);
    bytes.set(insn, s * SLOT);
  }
  const regs: bigint[] = [];
  for (let i = 0; i < 7; i++) {
    regs.push(
      BigInt(rng.chance(0.7) ? rng.pick(POINTERS) + rng.below(4) * 4 : rng.u32()) & 0xffff_ffffn,
    );
  }
  return { kind: "random", body, regs };
}

/**
 * The multiboot image: header (a.out kludge, load at 1 MiB), a prologue that sets a stack,
 * loads an IDT whose every vector drops its error code (if any) and returns to the next slot
 * after the one it came from, and loads eax..edi; the slots; an ACPI S5 power-off.
 */
export function assembleX86(program: FuzzProgram): Uint8Array {
  if (program.kind !== "random") throw new Error("x86 cases are random programs");
  const bodyBytes = new Uint8Array(
    program.body.buffer,
    program.body.byteOffset,
    program.body.byteLength,
  );
  // mov dx, 0x604; mov ax, SLP_EN | S5 (0); out dx, ax; cli; hlt; jmp $-3
  const tail = [0x66, 0xba, 0x04, 0x06, 0x66, 0xb8, 0x00, 0x20, 0x66, 0xef, 0xfa, 0xf4, 0xeb, 0xfd];
  const tailAt = BODY + bodyBytes.length;
  const table = (tailAt + tail.length + 7) & ~7;
  const out = new Uint8Array(table + 7 * 4);
  const view = new DataView(out.buffer);
  const flags = 0x1_0000;
  const magic = 0x1bad_b002;
  [magic, flags, -(magic + flags) >>> 0, LOAD, LOAD, 0, 0, LOAD + ENTRY].forEach((v, i) => {
    view.setUint32(i * 4, v >>> 0, true);
  });
  const pro: number[] = [0xbc, ...u32le(STACK_TOP), 0x0f, 0x01, 0x1d, ...u32le(LOAD + IDTR)];
  // eax via A1; ecx, edx, ebx, ebp, esi, edi via 8B /r [disp32].
  pro.push(0xa1, ...u32le(LOAD + table));
  [1, 2, 3, 5, 6, 7].forEach((r, i) => {
    pro.push(0x8b, (r << 3) | 5, ...u32le(LOAD + table + 4 * (i + 1)));
  });
  const jmpFrom = ENTRY + pro.length + 5;
  pro.push(0xe9, ...u32le((BODY - jmpFrom) >>> 0));
  out.set(pro, ENTRY);
  view.setUint16(IDTR, 32 * 8 - 1, true);
  view.setUint32(IDTR + 2, LOAD + IDT, true);
  for (let v = 0; v < 32; v++) {
    const stub = STUBS + v * 8;
    const target = LOAD + stub;
    view.setUint16(IDT + v * 8, target & 0xffff, true);
    view.setUint16(IDT + v * 8 + 2, BOOT_CS, true);
    view.setUint16(IDT + v * 8 + 4, 0x8e00, true);
    view.setUint16(IDT + v * 8 + 6, target >>> 16, true);
    const code = ERROR_CODE.has(v) ? [0x83, 0xc4, 0x04] : [];
    const from = stub + code.length + 5;
    out.set([...code, 0xe9, ...u32le((COMMON - from) >>> 0)], stub);
  }
  // and dword [esp], ~15; add dword [esp], 16; iretd
  out.set([0x81, 0x24, 0x24, 0xf0, 0xff, 0xff, 0xff, 0x83, 0x04, 0x24, 0x10, 0xcf], COMMON);
  out.set(bodyBytes, BODY);
  out.set(tail, tailAt);
  program.regs.forEach((v, i) => {
    view.setUint32(table + 4 * i, Number(v & 0xffff_ffffn), true);
  });
  return out;
}

/** Runs a multiboot image on the bare q35 board for `budget` instructions. */
export function runBareX86(image: Uint8Array, budget = 100_000): Promise<BareCaseResult> {
  return driveBareBoard(
    () =>
      new PcMachine({
        cpus: 1,
        ramSize: 128 << 20,
        images: { kernel: { name: "fuzz.bin", data: image } },
        clock: new InstructionClock(10),
        startTimeMs: 0,
        sliceInstructions: SLICE,
        console: () => {},
        noReboot: true,
      }),
    budget,
    SLICE,
    "CPU",
  );
}
