/**
 * The aarch64 fuzz target (bare board only for now): random A64 instruction streams biased to
 * what reaches the CPU's rare paths (system-register reads and writes at every EL, exception
 * generation and return, EL changes, TLB and cache maintenance, exclusives and atomics, loads
 * and stores through registers preset to the board's device windows and RAM edges), run on the
 * QEMU virt board with virtualization on (the CPU starts at EL2) and an instruction clock.
 * Findings: the CPU throws a host exception (a "fault" exit) or the run does not end.
 */
import { InstructionClock } from "@axvisor/machine";
import { ArmVirtMachine } from "@axvisor/platform-aarch64-qemu-virt";
import { type BareCaseResult, driveBareBoard } from "./bare-run.js";
import type { FuzzProgram } from "./generate.js";
import type { Rng } from "./rng.js";

const SLICE = 5_000;
const RAM = 0x4000_0000;
const RAM_SIZE = 16 << 20;
/** Where the board loads a raw kernel (QEMU's KERNEL64_LOAD_ADDR). */
const LOAD = RAM + 0x8_0000;
const VECTORS = 0x800;
const BODY = 0x1000;

// --- encodings (A64) ---
const NOP = 0xd503201f;
const ISB = 0xd5033fdf;
const ERET = 0xd69f03e0;
const sysreg = (op0: number, op1: number, crn: number, crm: number, op2: number) =>
  ((op0 - 2) << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5);
const msr = (reg: number, rt: number) => (0xd5100000 | reg | rt) >>> 0;
const mrs = (reg: number, rt: number) => (0xd5300000 | reg | rt) >>> 0;
const adr = (rd: number, offset: number) =>
  (0x10000000 | ((offset & 3) << 29) | (((offset >> 2) & 0x7ffff) << 5) | rd) >>> 0;
const ldrX = (rt: number, rn: number, offset: number) =>
  (0xf9400000 | ((offset / 8) << 10) | (rn << 5) | rt) >>> 0;
const strX = (rt: number, rn: number, offset: number) =>
  (0xf9000000 | ((offset / 8) << 10) | (rn << 5) | rt) >>> 0;
const addImm = (rd: number, rn: number, imm: number) =>
  (0x91000000 | (imm << 10) | (rn << 5) | rd) >>> 0;
const cmpImm = (rn: number, imm: number) => (0xf100001f | (imm << 10) | (rn << 5)) >>> 0;
const bCond = (cond: number, offset: number) =>
  (0x54000000 | (((offset >> 2) & 0x7ffff) << 5) | cond) >>> 0;
const b = (offset: number) => (0x14000000 | ((offset >> 2) & 0x3ffffff)) >>> 0;
const movz = (rd: number, imm: number, hw: number) =>
  (0xd2800000 | (hw << 21) | (imm << 5) | rd) >>> 0;
const movk = (rd: number, imm: number, hw: number) =>
  (0xf2800000 | (hw << 21) | (imm << 5) | rd) >>> 0;

const VBAR_EL1 = sysreg(3, 0, 12, 0, 0);
const VBAR_EL2 = sysreg(3, 4, 12, 0, 0);
const ELR_EL1 = sysreg(3, 0, 4, 0, 1);
const ELR_EL2 = sysreg(3, 4, 4, 0, 1);
const CURRENT_EL = sysreg(3, 0, 4, 2, 2);

/** System registers worth aiming at: EL1/EL2 control, translation, exception, timer, GIC. */
const SYSREGS = [
  sysreg(3, 0, 1, 0, 0), // SCTLR_EL1
  sysreg(3, 4, 1, 0, 0), // SCTLR_EL2
  sysreg(3, 4, 1, 1, 0), // HCR_EL2
  sysreg(3, 4, 1, 1, 1), // MDCR_EL2
  sysreg(3, 4, 1, 1, 2), // CPTR_EL2
  sysreg(3, 4, 1, 1, 3), // HSTR_EL2
  sysreg(3, 4, 2, 1, 0), // VTTBR_EL2
  sysreg(3, 4, 2, 1, 2), // VTCR_EL2
  sysreg(3, 4, 2, 0, 0), // TTBR0_EL2
  sysreg(3, 4, 2, 0, 2), // TCR_EL2
  sysreg(3, 0, 2, 0, 0), // TTBR0_EL1
  sysreg(3, 0, 2, 0, 1), // TTBR1_EL1
  sysreg(3, 0, 2, 0, 2), // TCR_EL1
  sysreg(3, 0, 10, 2, 0), // MAIR_EL1
  sysreg(3, 0, 4, 0, 0), // SPSR_EL1
  sysreg(3, 4, 4, 0, 0), // SPSR_EL2
  ELR_EL1,
  ELR_EL2,
  sysreg(3, 4, 4, 1, 0), // SP_EL1
  sysreg(3, 0, 4, 1, 0), // SP_EL0
  sysreg(3, 0, 4, 2, 0), // SPSel
  sysreg(3, 3, 4, 2, 1), // DAIF
  sysreg(3, 0, 5, 2, 0), // ESR_EL1
  sysreg(3, 4, 5, 2, 0), // ESR_EL2
  sysreg(3, 0, 6, 0, 0), // FAR_EL1
  sysreg(3, 4, 6, 0, 4), // HPFAR_EL2
  sysreg(3, 0, 7, 4, 0), // PAR_EL1
  VBAR_EL1,
  VBAR_EL2,
  sysreg(3, 4, 0, 0, 5), // VMPIDR_EL2
  sysreg(3, 4, 0, 0, 0), // VPIDR_EL2
  sysreg(3, 0, 0, 0, 5), // MPIDR_EL1
  sysreg(3, 3, 14, 0, 0), // CNTFRQ_EL0
  sysreg(3, 3, 14, 0, 2), // CNTVCT_EL0
  sysreg(3, 3, 14, 2, 1), // CNTP_CTL_EL0
  sysreg(3, 3, 14, 2, 2), // CNTP_CVAL_EL0
  sysreg(3, 3, 14, 3, 1), // CNTV_CTL_EL0
  sysreg(3, 3, 14, 3, 2), // CNTV_CVAL_EL0
  sysreg(3, 4, 14, 1, 0), // CNTHCTL_EL2
  sysreg(3, 4, 14, 0, 3), // CNTVOFF_EL2
  sysreg(3, 4, 14, 2, 1), // CNTHP_CTL_EL2
  sysreg(3, 0, 12, 12, 5), // ICC_SRE_EL1
  sysreg(3, 4, 12, 9, 5), // ICC_SRE_EL2
  sysreg(3, 0, 12, 12, 0), // ICC_IAR1_EL1
  sysreg(3, 0, 12, 12, 1), // ICC_EOIR1_EL1
  sysreg(3, 0, 4, 6, 0), // ICC_PMR_EL1
  sysreg(3, 4, 12, 11, 0), // ICH_HCR_EL2
  sysreg(3, 4, 12, 12, 0), // ICH_LR0_EL2
  sysreg(3, 3, 13, 0, 2), // TPIDR_EL0
  sysreg(3, 0, 1, 0, 2), // CPACR_EL1
  sysreg(3, 3, 4, 4, 0), // FPCR
  sysreg(3, 0, 0, 4, 0), // ID_AA64PFR0_EL1
  sysreg(3, 0, 0, 7, 0), // ID_AA64MMFR0_EL1
] as const;

/** Values that make loads, stores and system-register writes go somewhere interesting. */
const POINTERS: readonly bigint[] = [
  0n,
  1n,
  0xffff_ffff_ffff_ffffn,
  0xffff_ffff_ffff_fff8n,
  0x0800_0000n, // GIC distributor
  0x0801_0000n, // GIC CPU interface
  0x0804_0000n, // GIC hypervisor interface
  0x0900_0000n, // PL011
  0x0901_0000n, // PL031
  0x0a00_0000n, // virtio-mmio
  0x0400_0000n, // flash bank 1
  BigInt(RAM),
  BigInt(LOAD),
  BigInt(LOAD + BODY),
  BigInt(RAM + RAM_SIZE - 8),
  BigInt(RAM + RAM_SIZE),
  0x1_0000_0000n,
  0x0000_ffff_ffff_f000n,
  0xffff_0000_0000_0000n,
  0x8000_0000_0000_0000n,
];

function randomWord(rng: Rng): number {
  const rt = rng.below(31);
  const rn = rng.below(31);
  const rs = rng.below(31);
  const r = rng.below(100);
  if (r < 22) {
    const reg = rng.chance(0.85)
      ? rng.pick(SYSREGS)
      : sysreg(2 + rng.below(2), rng.below(8), rng.below(16), rng.below(16), rng.below(8));
    return rng.chance(0.5) ? mrs(reg, rt) : msr(reg, rt);
  }
  if (r < 32) {
    // Exception generation and return, waits, barriers.
    const imm = rng.chance(0.7) ? 0 : rng.below(0x10000);
    return rng.pick([
      (0xd4000001 | (imm << 5)) >>> 0, // SVC
      (0xd4000002 | (imm << 5)) >>> 0, // HVC
      (0xd4000003 | (imm << 5)) >>> 0, // SMC
      (0xd4200000 | (imm << 5)) >>> 0, // BRK
      ERET,
      0xd503207f, // WFI
      0xd503205f, // WFE
      0xd503209f, // SEV
      ISB,
      0xd5033f9f, // DSB SY
      0xd5033fbf, // DMB SY
    ]);
  }
  if (r < 40) {
    // SYS: TLBI, DC, IC, AT with a register operand.
    const ops = [
      [0, 8, 7, 0], // TLBI VMALLE1
      [4, 8, 7, 0], // TLBI ALLE2
      [4, 8, 7, 4], // TLBI VMALLS12E1
      [0, 8, 3, 1], // TLBI VAE1IS
      [4, 8, 4, 1], // TLBI IPAS2E1IS
      [3, 7, 14, 1], // DC CIVAC
      [3, 7, 4, 1], // DC ZVA
      [0, 7, 5, 0], // IC IALLU
      [0, 7, 8, 0], // AT S1E1R
      [4, 7, 8, 4], // AT S12E1R
      [4, 7, 8, 0], // AT S1E2R
    ] as const;
    const [op1, crn, crm, op2] = rng.pick(ops);
    return (0xd5080000 | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt) >>> 0;
  }
  if (r < 52) {
    // Exclusives and atomics on a 64-bit word.
    return rng.pick([
      (0xc85f7c00 | (rn << 5) | rt) >>> 0, // LDXR
      (0xc8007c00 | (rs << 16) | (rn << 5) | rt) >>> 0, // STXR
      (0xc85ffc00 | (rn << 5) | rt) >>> 0, // LDAXR
      (0xc800fc00 | (rs << 16) | (rn << 5) | rt) >>> 0, // STLXR
      0xd503305f, // CLREX
      (0xf8200000 | (rs << 16) | (rn << 5) | rt) >>> 0, // LDADD
      (0xf8208000 | (rs << 16) | (rn << 5) | rt) >>> 0, // SWP
      (0xc8a07c00 | (rs << 16) | (rn << 5) | rt) >>> 0, // CAS
      (0xf8a01000 | (rs << 16) | (rn << 5) | rt) >>> 0, // LDCLRA
    ]);
  }
  if (r < 72) {
    // Loads and stores through the preset pointers, every size.
    const off = rng.below(8) * 8;
    switch (rng.below(6)) {
      case 0:
        return ldrX(rt, rn, off);
      case 1:
        return strX(rt, rn, off);
      case 2:
        return (0xb9400000 | ((off / 4) << 10) | (rn << 5) | rt) >>> 0; // LDR W
      case 3:
        return (0x39000000 | (off << 10) | (rn << 5) | rt) >>> 0; // STRB
      case 4:
        return (0xa9400000 | (rs << 10) | (rn << 5) | rt) >>> 0; // LDP
      default:
        return (0xf8400c00 | ((off & 0x1ff) << 12) | (rn << 5) | rt) >>> 0; // LDR pre-index
    }
  }
  if (r < 85) {
    // Arithmetic, branches and short jumps.
    switch (rng.below(4)) {
      case 0:
        return addImm(rt, rn, rng.below(0x1000));
      case 1:
        return (0x8b000000 | (rs << 16) | (rn << 5) | rt) >>> 0; // ADD X
      case 2:
        return bCond(rng.below(16), (rng.below(32) - 16) * 4);
      default:
        return b((rng.below(32) - 8) * 4);
    }
  }
  if (r < 90) {
    // Branches to a register (anywhere the registers point).
    return rng.pick([0xd61f0000, 0xd63f0000, 0xd65f0000]) | (rn << 5);
  }
  return rng.u32();
}

/** A random A64 program: `words` body instructions and values for x0..x30. */
export function a64Program(rng: Rng, words = 32 + rng.below(224)): FuzzProgram {
  const body: number[] = [];
  while (body.length < words) body.push(randomWord(rng));
  const regs: bigint[] = [];
  for (let i = 0; i < 31; i++) {
    regs.push(
      rng.chance(0.7)
        ? rng.pick(POINTERS) + BigInt(rng.below(4) * 8)
        : (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()),
    );
  }
  return { kind: "random", body: Uint32Array.from(body), regs };
}

/**
 * The image: a prologue that points VBAR_EL2 and VBAR_EL1 at a vector table whose every entry
 * steps over the instruction that trapped (ELR of the EL it runs at + 4) and loads x0..x30
 * from the table after the code; the body at 0x1000; a PSCI SYSTEM_OFF at its end.
 */
export function assembleA64(program: FuzzProgram): Uint8Array {
  if (program.kind !== "random") throw new Error("aarch64 cases are random programs");
  const tail = [movz(0, 0x0008, 0), movk(0, 0x8400, 1), 0xd4000003, b(0)];
  const tableOff = BODY + (program.body.length + tail.length) * 4;
  const out = new Uint8Array(tableOff + 31 * 8);
  const view = new DataView(out.buffer);
  const put = (at: number, words: readonly number[]) => {
    words.forEach((w, i) => {
      view.setUint32(at + i * 4, w >>> 0, true);
    });
  };
  const prologue = [adr(0, VECTORS), msr(VBAR_EL2, 0), msr(VBAR_EL1, 0), ISB];
  const base = 30;
  prologue.push(adr(base, tableOff - prologue.length * 4));
  for (let r = 0; r < 30; r++) prologue.push(ldrX(r, base, r * 8));
  prologue.push(ldrX(base, base, 30 * 8));
  prologue.push(b(BODY - prologue.length * 4));
  put(0, prologue);
  // x17 is the handler's scratch register: CurrentEL picks the ELR to step.
  const handler = [
    mrs(CURRENT_EL, 17),
    cmpImm(17, 8),
    bCond(1, 6 * 4), // b.ne el1 (word 8)
    mrs(ELR_EL2, 17),
    addImm(17, 17, 4),
    msr(ELR_EL2, 17),
    ERET,
    NOP,
    mrs(ELR_EL1, 17), // el1:
    addImm(17, 17, 4),
    msr(ELR_EL1, 17),
    ERET,
  ];
  for (let v = 0; v < 16; v++) put(VECTORS + v * 0x80, handler);
  put(BODY, [...program.body, ...tail]);
  program.regs.forEach((v, i) => {
    view.setBigUint64(tableOff + 8 * i, BigInt.asUintN(64, v), true);
  });
  return out;
}

/** Runs an A64 image on the bare virt board (EL2) for `budget` instructions. */
export function runBareA64(image: Uint8Array, budget = 100_000): Promise<BareCaseResult> {
  return driveBareBoard(
    () =>
      new ArmVirtMachine({
        cpus: 1,
        ramSize: RAM_SIZE,
        images: { kernel: { name: "fuzz.bin", data: image } },
        clock: new InstructionClock(10),
        rngSeed: null,
        virtualization: true,
        sliceInstructions: SLICE,
        console: () => {},
      }),
    budget,
    SLICE,
    "CPU",
  );
}
