import { allocateRam, type PhysBus } from "@axvisor/machine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { X86Cpu } from "../cpu.js";
import { V } from "../vmcs-fields.js";
import { type Insn, K, NOP_PAUSE } from "./decode.js";
import { X86Jit } from "./jit.js";
import { neverExits, nonRootRegion } from "./non-root.js";

/**
 * Differential tests of compiled code in VMX non-root operation: the same 64-bit guest
 * programs under EPT, in host-trap mode (the TypeScript side is VMX root), with the JIT on and
 * off must end in the same VM exit with the same exit record and guest state.
 *
 * Host-physical layout: EPT tables at 1 MiB; GPA 0-2 MiB -> HPA 2-4 MiB (one 2 MiB page),
 * GPA 2 MiB and up unmapped (an MMIO window to the hypervisor). The guest's own page tables
 * (GPA 0x1000) map linear 0-1 GiB onto GPA 0-1 GiB with a 1 GiB page; its code is at GPA
 * 0x10000, its data from GPA 0x20000.
 */
const GUEST = 0x200000;
const CODE = 0x10000;
const DATA = 0x20000n;

interface Guest {
  cpu: X86Cpu;
  ram: Uint8Array;
  intr: { pending: boolean };
  ports: number[];
}

function guest(jit: boolean, code: number[], clock: { now(): number } = { now: () => 0 }): Guest {
  const ram = allocateRam(8 << 20);
  const bus: PhysBus = { ram, ramBase: 0, load: () => null, store: () => false };
  const intr = { pending: false };
  const ports: number[] = [];
  const cpu = new X86Cpu({
    cpuId: 0,
    apicId: 0,
    bus,
    io: { in: () => 0xffffffff, out: (p) => ports.push(p) },
    time: clock,
    lapic: {
      hasInterrupt: () => intr.pending,
      acknowledge: () => {
        intr.pending = false;
        return 0x30;
      },
    },
    jit,
  });
  expect(cpu.jit !== undefined).toBe(jit);
  cpu.hostTrapMode = true;
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  dv.setUint32(0x100000, 0x101007, true);
  dv.setUint32(0x101000, 0x102007, true);
  dv.setUint32(0x102000, GUEST | 0x80 | 0x37, true);
  dv.setUint32(GUEST + 0x1000, 0x2003, true);
  dv.setUint32(GUEST + 0x2000, 0x83, true);
  ram.set(code, GUEST + CODE);
  const w = (f: number, v: number | bigint) => cpu.vmwrite(f, BigInt(v));
  // External-interrupt exiting with acknowledge on exit; HLT exiting; I/O bitmaps.
  w(V.PIN_CONTROLS, 0x17);
  w(V.PROC_CONTROLS, 0x0401e172 | (1 << 7) | (1 << 25) | (1 << 31));
  w(V.PROC_CONTROLS2, (1 << 1) | (1 << 5) | (1 << 7));
  w(V.VPID, 1);
  w(V.IO_BITMAP_A, 0x103000);
  w(V.IO_BITMAP_B, 0x104000);
  w(V.EXIT_CONTROLS, 0x36dff | (1 << 15));
  w(V.ENTRY_CONTROLS, 0x11ff | (1 << 9) | (1 << 15));
  w(V.EPT_POINTER, 0x100000 | 0x1e);
  w(V.VMCS_LINK_POINTER, 0xffffffffffffffffn);
  w(V.GUEST_CR0, 0x80000031);
  w(V.GUEST_CR3, 0x1000);
  w(V.GUEST_CR4, 0x2020);
  w(V.GUEST_EFER, 0x500);
  w(V.GUEST_RFLAGS, 2);
  w(V.GUEST_RIP, CODE);
  w(V.GUEST_RSP, 0x9000);
  w(V.GUEST_CS_SEL, 8);
  w(V.GUEST_CS_AR, 0xa09b);
  w(V.GUEST_CS_LIMIT, 0xffffffff);
  for (const f of [V.GUEST_SS_SEL, V.GUEST_DS_SEL, V.GUEST_ES_SEL]) w(f, 0x10);
  for (const f of [V.GUEST_SS_AR, V.GUEST_DS_AR, V.GUEST_ES_AR]) w(f, 0xc093);
  for (const f of [V.GUEST_SS_LIMIT, V.GUEST_DS_LIMIT, V.GUEST_ES_LIMIT]) w(f, 0xffffffff);
  for (const f of [V.GUEST_FS_AR, V.GUEST_GS_AR, V.GUEST_LDTR_AR]) w(f, 0x10000);
  w(V.GUEST_TR_SEL, 0x18);
  w(V.GUEST_TR_AR, 0x8b);
  w(V.GUEST_TR_LIMIT, 0x67);
  w(V.GUEST_IDTR_LIMIT, 0xfff);
  w(V.GUEST_GDTR_LIMIT, 0xff);
  return { cpu, ram, intr, ports };
}

const GPRS = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
] as const;

/** Everything an exit tells the hypervisor, and the guest's registers. */
function exitRecord(cpu: X86Cpu) {
  const r = (f: number) => `0x${cpu.vmread(f).toString(16)}`;
  return {
    reason: r(V.EXIT_REASON),
    qualification: r(V.EXIT_QUALIFICATION),
    gpa: r(V.GUEST_PHYSICAL_ADDR),
    linear: r(V.GUEST_LINEAR_ADDR),
    length: r(V.EXIT_INSTR_LEN),
    intrInfo: r(V.EXIT_INTR_INFO),
    rip: r(V.GUEST_RIP),
    rflags: r(V.GUEST_RFLAGS),
    icount: cpu.icount,
    gprs: GPRS.map((n) => `${n}=0x${cpu.getReg(n).toString(16)}`).join(" "),
  };
}

/** Runs `code` with the JIT off and on (registers from `init`); both exit records. */
function differential(
  code: number[],
  init: Partial<Record<(typeof GPRS)[number], bigint>>,
  drive: (g: Guest) => void = (g) => {
    g.cpu.enterGuest();
    expect(g.cpu.run(1_000_000)).toBe("host-trap");
  },
) {
  const out = [false, true].map((jit) => {
    const g = guest(jit, code);
    for (const [n, v] of Object.entries(init)) g.cpu.setReg(n as (typeof GPRS)[number], v);
    drive(g);
    return { g, rec: exitRecord(g.cpu), retired: g.cpu.jit?.retired ?? 0 };
  });
  const [off, on] = out as [(typeof out)[0], (typeof out)[0]];
  expect(on.rec).toEqual(off.rec);
  // The loop ran as compiled code under the guest, not in the interpreter.
  expect(on.retired).toBeGreaterThan(5000);
  return { off, on };
}

// loop: add rax, rbx ; mov [rdi], rax ; add rdi, 8 ; dec rcx ; jnz loop
const LOOP = [0x48, 0x01, 0xd8, 0x48, 0x89, 0x07, 0x48, 0x83, 0xc7, 0x08, 0x48, 0xff, 0xc9];
const loopThen = (tail: number[]) => [...LOOP, 0x75, 0xf1, ...tail];

describe("compiled code in VMX non-root operation (JIT on = JIT off)", () => {
  // Synchronous compiles: the loops run compiled from their hot entry on.
  const offThread = X86Jit.offThread;
  beforeAll(() => {
    X86Jit.offThread = false;
  });
  afterAll(() => {
    X86Jit.offThread = offThread;
  });
  it("a store from a hot loop into unmapped guest-physical memory is the same EPT-violation exit", () => {
    // The loop's store walks up from GPA 0x1f0000 and reaches GPA 0x200000 (no EPT entry: an
    // MMIO window) in its 8192nd iteration.
    const { on } = differential(loopThen([0xf4]), {
      rcx: 100_000n,
      rbx: 3n,
      rdi: 0x1f0000n,
    });
    expect(on.rec.reason).toBe("0x30");
    expect(on.rec.gpa).toBe("0x200000");
    expect(on.rec.linear).toBe("0x200000");
    // Data write, EPT entry not present, linear address valid and the final translation.
    expect(BigInt(on.rec.qualification) & 0x1bfn).toBe(0x182n);
    expect(on.rec.rip).toBe(`0x${(CODE + 3).toString(16)}`);
    // 8192 iterations stored; the 8193rd added, and its store did nothing.
    expect(on.g.cpu.getReg("rax")).toBe(3n * 8193n);
    expect(on.g.cpu.getReg("rcx")).toBe(100_000n - 8192n);
  });

  it("a compiled REP STOSQ / MOVSQ running into unmapped guest-physical memory is the same EPT-violation exit", () => {
    // l: mov rcx, 2 ; rep stosq|movsq ; dec rbx ; jnz l ; hlt  (RDI climbs 16 bytes a pass
    // from GPA 0x1f0000 and reaches the MMIO window at 0x200000 in pass 4097)
    for (const op of [0xab, 0xa5]) {
      const code = [
        0x48,
        0xc7,
        0xc1,
        2,
        0,
        0,
        0,
        0xf3,
        0x48,
        op,
        0x48,
        0xff,
        0xcb,
        0x75,
        0xf2,
        0xf4,
      ];
      const { on } = differential(code, {
        rbx: 100_000n,
        rdi: 0x1f0000n,
        rsi: 0x100000n,
        rax: 7n,
      });
      expect(on.rec.reason).toBe("0x30");
      expect(on.rec.gpa).toBe("0x200000");
      expect(on.rec.rip).toBe(`0x${(CODE + 7).toString(16)}`);
      // 4096 whole passes; the next stops at its first element, which stored nothing.
      expect(on.g.cpu.getReg("rcx")).toBe(2n);
      expect(on.g.cpu.getReg("rbx")).toBe(100_000n - 4096n);
    }
  });

  it("a load from unmapped memory after a hot loop exits at the load (MMIO read)", () => {
    // mov rdx, [rsi] ; hlt
    const { on } = differential(loopThen([0x48, 0x8b, 0x16, 0xf4]), {
      rcx: 20_000n,
      rbx: 1n,
      rdi: DATA,
      rsi: 0x300010n,
    });
    expect(on.rec.reason).toBe("0x30");
    expect(on.rec.gpa).toBe("0x300010");
    expect(BigInt(on.rec.qualification) & 0x1bfn).toBe(0x181n);
    expect(on.rec.rip).toBe(`0x${(CODE + LOOP.length + 2).toString(16)}`);
  });

  it("CPUID and HLT after a hot loop exit with the loop's results in the registers", () => {
    const cpuid = differential(loopThen([0x0f, 0xa2, 0xf4]), { rcx: 20_000n, rbx: 5n, rdi: DATA });
    expect(cpuid.on.rec.reason).toBe("0xa");
    expect(cpuid.on.rec.length).toBe("0x2");
    expect(cpuid.on.g.cpu.getReg("rax")).toBe(100_000n);
    const hlt = differential(loopThen([0xf4]), { rcx: 20_000n, rbx: 5n, rdi: DATA });
    expect(hlt.on.rec.reason).toBe("0xc");
    expect(hlt.on.rec.rip).toBe(`0x${(CODE + LOOP.length + 2).toString(16)}`);
  });

  it("regions chain in the dispatcher under the guest too: a CALL/RET loop exits as interpreted", () => {
    // l: call f ; dec rcx ; jnz l ; hlt     f (a page further): add rax, rbx ; mov [rdi], rax ;
    // add rdi, 8 ; ret
    const code = new Array<number>(0x1000 + 11).fill(0);
    code.splice(0, 11, 0xe8, ...[0xfb, 0x0f, 0, 0], 0x48, 0xff, 0xc9, 0x75, 0xf6, 0xf4);
    code.splice(0x1000, 11, 0x48, 0x01, 0xd8, 0x48, 0x89, 0x07, 0x48, 0x83, 0xc7, 0x08, 0xc3);
    const { on } = differential(code, { rcx: 20_000n, rbx: 3n, rdi: DATA });
    expect(on.rec.reason).toBe("0xc");
    expect(on.g.cpu.getReg("rax")).toBe(60_000n);
    // Two region boundaries an iteration (RET, and the CALL into the other page): chained.
    expect(on.g.cpu.jit!.entries).toBeLessThan(2_000);
  });

  it("an OUT inside a hot loop exits only for the port the I/O bitmap selects", () => {
    // loop: add rax, rbx ; lea edx, [rcx + 0x7f] ; out dx, al ; dec rcx ; jnz loop ; hlt
    // Ports 0x80 + n - 1 for n = RCX: only 0x80 (the last iteration) is in the bitmap.
    const code = [0x48, 0x01, 0xd8, 0x8d, 0x51, 0x7f, 0xee, 0x48, 0xff, 0xc9, 0x75, 0xf4, 0xf4];
    const { off, on } = differential(code, { rcx: 3000n, rbx: 1n }, (g) => {
      g.ram[0x103000 + 0x10] = 0x01; // I/O bitmap A: port 0x80
      g.cpu.enterGuest();
      expect(g.cpu.run(1_000_000)).toBe("host-trap");
    });
    expect(on.rec.reason).toBe("0x1e");
    // OUT DX, byte: size 0, out, DX-encoded (bit 6 clear), port 0x80 in bits 31:16.
    expect(on.rec.qualification).toBe("0x800000");
    expect(on.rec.rip).toBe(`0x${(CODE + 6).toString(16)}`);
    expect(on.g.ports).toEqual(off.g.ports);
    expect(on.g.ports.length).toBe(2999);
  });

  it("PAUSE after a hot loop exits under PAUSE exiting (compiled as a NOP only in root mode)", () => {
    // 1: dec rcx ; jz 2f ; jmp 1b ; 2: pause ; hlt
    const code = [0x48, 0xff, 0xc9, 0x74, 0x02, 0xeb, 0xf9, 0xf3, 0x90, 0xf4];
    const { on } = differential(code, { rcx: 5000n }, (g) => {
      g.cpu.vmwrite(
        V.PROC_CONTROLS,
        BigInt(0x0401e172 | (1 << 7) | (1 << 25) | (1 << 30) | (1 << 31)),
      );
      g.cpu.enterGuest();
      expect(g.cpu.run(1_000_000)).toBe("host-trap");
    });
    expect(on.rec.reason).toBe("0x28");
    expect(on.rec.length).toBe("0x2");
    expect(on.rec.rip).toBe(`0x${(CODE + 7).toString(16)}`);
  });

  it("the VMX-preemption timer stops a compiled hot loop as promptly as the interpreter", () => {
    // The board clock counts retired instructions: the timer (rate TSC/32) expires after
    // 32 * 1000 guest instructions; both tiers poll it at least every 64 instructions.
    for (const jit of [false, true]) {
      const box: { cpu?: X86Cpu } = {};
      const g = guest(jit, loopThen([0xf4]), { now: () => box.cpu?.icount ?? 0 });
      box.cpu = g.cpu;
      g.cpu.setReg("rcx", 1_000_000n);
      g.cpu.setReg("rbx", 1n);
      g.cpu.setReg("rdi", DATA);
      g.cpu.vmwrite(V.PIN_CONTROLS, BigInt(0x17 | (1 << 6)));
      g.cpu.vmwrite(V.PREEMPTION_TIMER, 1000n);
      g.cpu.enterGuest();
      expect(g.cpu.run(1_000_000)).toBe("host-trap");
      expect(g.cpu.vmread(V.EXIT_REASON)).toBe(52n);
      expect(g.cpu.icount).toBeGreaterThanOrEqual(32_000);
      expect(g.cpu.icount).toBeLessThanOrEqual(32_000 + 64);
      if (jit) expect(g.cpu.jit!.retired).toBeGreaterThan(20_000);
    }
  });

  it("an external interrupt raised between slices of a hot loop exits at the same instruction", () => {
    const { on } = differential(loopThen([0xf4]), { rcx: 1_000_000n, rbx: 7n, rdi: DATA }, (g) => {
      g.cpu.enterGuest();
      // Two slices of the loop (the second runs compiled), then the interrupt line rises.
      expect(g.cpu.run(30_001)).toBe("budget");
      expect(g.cpu.run(12_345)).toBe("budget");
      g.intr.pending = true;
      expect(g.cpu.run(1_000)).toBe("host-trap");
    });
    expect(on.rec.reason).toBe("0x1");
    expect(on.rec.intrInfo).toBe("0x80000030");
    expect(on.rec.icount).toBe(30_001 + 12_345);
  });

  it("the guest's compiled code stays the guest's: a root-mode program at the same RIP runs its own", () => {
    // The guest loop compiles at linear CODE; then VMX root code (host-trap mode off: the
    // bare CPU) at the same linear address on other physical bytes computes something else.
    const g = guest(true, loopThen([0xf4]));
    g.cpu.setReg("rcx", 5000n);
    g.cpu.setReg("rbx", 2n);
    g.cpu.setReg("rdi", DATA);
    g.cpu.enterGuest();
    expect(g.cpu.run(1_000_000)).toBe("host-trap");
    expect(g.cpu.getReg("rax")).toBe(10_000n);
    const guestRetired = g.cpu.jit!.retired;
    expect(guestRetired).toBeGreaterThan(5000);
    // A second VM (another VPID and EPT root mapping GPA 0 onto HPA 4 MiB) with a loop that
    // subtracts at the same linear address.
    const dv = new DataView(g.ram.buffer, g.ram.byteOffset, g.ram.byteLength);
    dv.setUint32(0x105000, 0x106007, true);
    dv.setUint32(0x106000, 0x107007, true);
    dv.setUint32(0x107000, 0x400000 | 0x80 | 0x37, true);
    dv.setUint32(0x400000 + 0x1000, 0x2003, true);
    dv.setUint32(0x400000 + 0x2000, 0x83, true);
    const sub = loopThen([0xf4]);
    sub[1] = 0x29; // sub rax, rbx
    g.ram.set(sub, 0x400000 + CODE);
    for (let round = 0; round < 3; round++) {
      for (const [ept, vpid, want] of [
        [0x105000, 2, -10_000n],
        [0x100000, 1, 10_000n],
      ] as const) {
        g.cpu.vmwrite(V.EPT_POINTER, BigInt(ept | 0x1e));
        g.cpu.vmwrite(V.VPID, BigInt(vpid));
        g.cpu.vmwrite(V.GUEST_RIP, BigInt(CODE));
        g.cpu.setReg("rax", 0n);
        g.cpu.setReg("rcx", 5000n);
        g.cpu.setReg("rdi", DATA);
        g.cpu.enterGuest();
        expect(g.cpu.run(1_000_000)).toBe("host-trap");
        expect(g.cpu.vmread(V.EXIT_REASON)).toBe(12n);
        expect(BigInt.asIntN(64, g.cpu.getReg("rax"))).toBe(want);
      }
    }
    // Both VMs' loops ran compiled, each from its own block.
    expect(g.cpu.jit!.retired - guestRetired).toBeGreaterThan(6 * 4000);
  });
});

describe("nonRootRegion", () => {
  const at = (rip: number, kind: number): Insn => ({
    kind,
    rip,
    next: rip + 1,
    op: 0,
    size: 8,
    msize: 0,
    reg: 0,
    rm: 0,
    isMem: false,
    seg: -1,
    rex: true,
    base: -1,
    index: -1,
    scale: 0,
    disp: 0,
    imm: 0,
    immHi: 0,
    cc: 0,
    target: 0,
  });
  it("cuts each block before an instruction kind not known to run without an exit check", () => {
    const UNKNOWN = 1000; // a kind a later compiler version might add (CPUID, RDTSC, ...)
    const region = [
      [at(0, K.MOV_RI), at(1, K.ALU_EG), at(2, UNKNOWN), at(3, K.JMP)],
      [at(10, UNKNOWN), at(11, K.RET)],
      [at(20, K.INCDEC), at(21, K.JCC)],
    ];
    const cut = nonRootRegion(region);
    expect(cut.map((b) => b.map((i) => i.rip))).toEqual([
      [0, 1],
      [20, 21],
    ]);
    expect(nonRootRegion([[at(0, UNKNOWN)], region[2]!])).toEqual([]);
    expect(neverExits(at(0, K.DIV))).toBe(true);
    expect(neverExits(at(0, K.NOP))).toBe(true);
    expect(neverExits({ ...at(0, K.NOP), op: NOP_PAUSE })).toBe(false);
  });
});
