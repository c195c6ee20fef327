import { describe, expect, it } from "vitest";
import { CSR } from "./csr-numbers.js";
import * as a from "./testing/asm.js";
import { enterMode } from "./testing/modes.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

const ALL = (1n << 64n) - 1n;
const IRQ = 1n << 63n;
const MTVEC = RAM_BASE + 0x8000;
const STVEC = RAM_BASE + 0x9000;
const CODE = RAM_BASE + 0x1000;

/** A hart in M-mode with trap vectors set and `prog` at CODE (not yet entered). */
function setup(prog: number[] = []) {
  const m = makeHart();
  m.bus.writeWords(CODE, prog);
  // NOP sleds at the vectors so a test may step past a trap entry
  m.bus.writeWords(MTVEC, new Array(64).fill(a.NOP));
  m.bus.writeWords(STVEC, new Array(64).fill(a.NOP));
  m.hart.writeCsr(CSR.mtvec, BigInt(MTVEC));
  m.hart.writeCsr(CSR.stvec, BigInt(STVEC));
  return m;
}

describe("CSR legalisation (WARL) as seen by M-mode software", () => {
  it("mstatus keeps only implemented fields; UXL/SXL read 2; SD follows FS", () => {
    const { hart, bus } = makeHart();
    bus.writeWords(RAM_BASE, [
      a.csrw(CSR.mstatus, 1),
      a.csrr(2, CSR.mstatus),
      a.csrr(3, CSR.sstatus),
    ]);
    hart.setX(1, ALL);
    hart.run(3);
    // SD(63) MPV(39) GVA(38) SXL=2 UXL=2 | TSR TW TVM MXR SUM MPRV FS MPP SPP MPIE SPIE MIE SIE
    expect(hart.getX(2)).toBe(0x8000_00ca_007e_79aan);
    expect(hart.getX(3)).toBe(0x8000_0002_000c_6122n);
  });

  it("mstatus.MPP=2 (reserved) is not kept", () => {
    const { hart } = makeHart();
    hart.writeCsr(CSR.mstatus, 2n << 11n);
    expect((hart.readCsr(CSR.mstatus) >> 11n) & 3n).not.toBe(2n);
  });

  it("misa reports RV64 ACDFHIMSU and ignores writes", () => {
    const { hart } = makeHart();
    hart.writeCsr(CSR.misa, 0n);
    expect(hart.readCsr(CSR.misa)).toBe(0x8000_0000_0014_11adn);
    const noH = makeHart([], { h: false }).hart;
    expect(noH.readCsr(CSR.misa)).toBe(0x8000_0000_0014_112dn);
  });

  it("medeleg/mideleg/mie writable masks (H: VS bits of mideleg read-only one)", () => {
    const { hart } = makeHart();
    hart.writeCsr(CSR.medeleg, ALL);
    hart.writeCsr(CSR.mideleg, ALL);
    hart.writeCsr(CSR.mie, ALL);
    expect(hart.readCsr(CSR.medeleg)).toBe(0xf0b7ffn); // no ecall-from-M (11), 14, 16-19
    expect(hart.readCsr(CSR.mideleg)).toBe(0x1666n);
    expect(hart.readCsr(CSR.mie)).toBe(0x1eeen);
    hart.writeCsr(CSR.mideleg, 0n);
    expect(hart.readCsr(CSR.mideleg)).toBe(0x1444n);
  });

  it("mip: software may set SSIP/STIP/SEIP (and VSSIP); lines show up read-only", () => {
    const { hart } = makeHart();
    hart.writeCsr(CSR.mip, ALL);
    expect(hart.readCsr(CSR.mip)).toBe(0x226n);
    hart.setInterruptLine(7, true);
    hart.setInterruptLine(11, true);
    hart.writeCsr(CSR.mip, 0n);
    expect(hart.readCsr(CSR.mip)).toBe(0x880n);
  });

  it("sie/sip only show what mideleg delegates", () => {
    const { hart } = makeHart();
    hart.writeCsr(CSR.mie, 0x2aan);
    hart.writeCsr(CSR.mip, 0x2n);
    expect(hart.readCsr(CSR.sie)).toBe(0n);
    hart.writeCsr(CSR.mideleg, 0x22n);
    expect(hart.readCsr(CSR.sie)).toBe(0x22n);
    expect(hart.readCsr(CSR.sip)).toBe(0x2n);
  });

  it("satp ignores writes selecting an unsupported mode; tvec drops reserved modes", () => {
    const { hart } = makeHart();
    const sv39 = (8n << 60n) | 0x80123n;
    hart.writeCsr(CSR.satp, sv39);
    hart.writeCsr(CSR.satp, (10n << 60n) | 5n); // Sv57 is not implemented
    expect(hart.readCsr(CSR.satp)).toBe(sv39);
    hart.writeCsr(CSR.mtvec, 0x8000_0102n);
    expect(hart.readCsr(CSR.mtvec) & 3n).toBe(0n);
    hart.writeCsr(CSR.mtvec, 0x8000_0101n);
    expect(hart.readCsr(CSR.mtvec)).toBe(0x8000_0101n);
    hart.writeCsr(CSR.mepc, 0x8000_0003n);
    expect(hart.readCsr(CSR.mepc)).toBe(0x8000_0002n);
  });

  it("identification CSRs", () => {
    const m = makeHart();
    const h = new (m.hart.constructor as typeof import("./hart.js").Hart)({
      hartId: 3,
      bus: m.bus,
      time: m.clock,
      resetPc: RAM_BASE,
    });
    expect(h.readCsr(CSR.mhartid)).toBe(3n);
    for (const c of [CSR.mvendorid, CSR.marchid, CSR.mimpid, CSR.mconfigptr, 0xb03, 0x323]) {
      expect(h.readCsr(c)).toBe(0n);
    }
  });

  it("PMP: pmpaddr keeps 54 bits, OpenSBI-style probing works, cfg L locks", () => {
    const { hart } = makeHart();
    hart.writeCsr(0x3b0, ALL);
    expect(hart.readCsr(0x3b0)).toBe((1n << 54n) - 1n);
    hart.writeCsr(0x3bf, 0x1234n); // pmpaddr15, the last of 16
    expect(hart.readCsr(0x3bf)).toBe(0x1234n);
    expect(() => hart.writeCsr(0x3c0, 0n)).toThrow(/0x3c0/); // pmpaddr16 does not exist
    expect(() => hart.readCsr(0x3a4)).toThrow(/0x3a4/); // nor does pmpcfg4
    hart.writeCsr(0x3a0, 0x9fn); // entry 0: L, NAPOT, RWX
    hart.writeCsr(0x3b0, 0n);
    expect(hart.readCsr(0x3b0)).toBe((1n << 54n) - 1n);
    expect(hart.readCsr(0x3a0)).toBe(0x9fn);
  });
});

/**
 * OpenSBI's hart feature probe: for each CSR in turn, write a value and read it back; a CSR
 * counts when neither access traps and the value sticks. The M-mode trap handler skips the
 * faulting instruction and counts the traps in x27.
 */
function probeCount(csrs: number[], value: bigint): { kept: bigint; traps: bigint } {
  const prog: number[] = [];
  for (const c of csrs) {
    prog.push(a.addi(2, 0, 0), a.csrw(c, 1), a.csrr(2, c), a.bne(2, 1, 8), a.addi(3, 3, 1));
  }
  prog.push(a.jal(0, 0));
  const m = makeHart();
  m.bus.writeWords(CODE, prog);
  m.bus.writeWords(MTVEC, [
    a.csrr(31, CSR.mepc),
    a.addi(31, 31, 4),
    a.csrw(CSR.mepc, 31),
    a.addi(27, 27, 1),
    a.MRET,
  ]);
  m.hart.writeCsr(CSR.mtvec, BigInt(MTVEC));
  m.hart.setPc(BigInt(CODE));
  m.hart.setX(1, value);
  m.hart.run(prog.length + 5 * prog.length);
  return { kept: m.hart.getX(3), traps: m.hart.getX(27) };
}

describe("implemented counts match QEMU 7.2 (OpenSBI: PMP Count 16, MHPM Count 16)", () => {
  it("16 PMP entries: pmpaddr0..15 keep a value, pmpaddr16..63 are illegal", () => {
    const pmpaddr = Array.from({ length: 64 }, (_, i) => 0x3b0 + i);
    expect(probeCount(pmpaddr, 0x1234n)).toEqual({ kept: 16n, traps: 2n * 48n });
  });

  it("pmpcfg0 and pmpcfg2 exist; pmpcfg4..14 do not", () => {
    const cfg = [0x3a0, 0x3a2, 0x3a4, 0x3a6, 0x3a8, 0x3aa, 0x3ac, 0x3ae];
    // 0x1 in pmpcfg: entry 0 (or 8) R only, A=OFF: kept as written.
    expect(probeCount(cfg, 1n)).toEqual({ kept: 2n, traps: 2n * 6n });
  });

  it("16 programmable counters: mhpmcounter3..18 hold what is written, 19..31 are illegal", () => {
    const counters = Array.from({ length: 29 }, (_, i) => 0xb03 + i);
    expect(probeCount(counters, 1n)).toEqual({ kept: 16n, traps: 2n * 13n });
  });

  it("mhpmevent3..31 are all writable; the counters do not count", () => {
    const events = Array.from({ length: 29 }, (_, i) => 0x323 + i);
    expect(probeCount(events, 2n)).toEqual({ kept: 29n, traps: 0n });
    const { hart } = makeHart([a.NOP, a.NOP, a.NOP, a.NOP]);
    hart.writeCsr(0xb03, 5n);
    hart.writeCsr(0x323, 2n); // "instructions retired" on a counting PMU; inert here
    hart.run(4);
    expect(hart.readCsr(0xb03)).toBe(5n);
  });

  it("hpmcounter3..18 read the machine counters under mcounteren; 19..31 are illegal", () => {
    const { hart, bus } = setup([a.csrr(5, 0xc04), a.csrr(6, 0xc13)]);
    hart.writeCsr(0xb04, 0x77n);
    hart.writeCsr(CSR.mcounteren, 0xffff_ffffn);
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.getX(5)).toBe(0x77n);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
    expect(hart.readCsr(CSR.mepc)).toBe(BigInt(CODE + 4));
  });
});

describe("CSR instruction privilege", () => {
  it("unknown CSRs and writes to read-only CSRs are illegal; mtval holds the instruction", () => {
    const { hart, bus } = setup();
    const bad = a.csrr(1, 0x7c0);
    bus.writeWords(RAM_BASE, [bad]);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
    expect(hart.readCsr(CSR.mtval)).toBe(BigInt(bad));
    expect(hart.readCsr(CSR.mepc)).toBe(BigInt(RAM_BASE));
    expect(hart.getPc()).toBe(BigInt(MTVEC));
    const ro = a.csrrw(0, CSR.mhartid, 1);
    bus.writeWords(RAM_BASE + 4, [ro]);
    hart.setPc(BigInt(RAM_BASE + 4));
    hart.run(1);
    expect(hart.readCsr(CSR.mtval)).toBe(BigInt(ro));
    // csrrs with rs1=x0 does not write: reading a read-only CSR is fine
    bus.writeWords(RAM_BASE + 8, [a.csrr(5, CSR.mhartid)]);
    hart.setPc(BigInt(RAM_BASE + 8));
    hart.run(1);
    expect(hart.getPc()).toBe(BigInt(RAM_BASE + 12));
  });

  it("S-mode cannot touch M CSRs; U-mode cannot touch S CSRs", () => {
    const { hart, bus } = setup([a.csrr(1, CSR.mstatus)]);
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
    expect(hart.priv).toBe(3);
    expect((hart.readCsr(CSR.mstatus) >> 11n) & 3n).toBe(1n);
    bus.writeWords(CODE, [a.csrr(1, CSR.sstatus)]);
    enterMode(hart, bus, 0, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
  });

  it("counters follow mcounteren/scounteren", () => {
    const { hart, bus, clock } = setup([a.csrr(1, CSR.time), a.csrr(2, CSR.cycle)]);
    clock.ticks = 12345;
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
    hart.writeCsr(CSR.mcounteren, 2n); // TM only
    enterMode(hart, bus, 1, CODE);
    hart.run(2);
    expect(hart.getX(1)).toBe(12345n);
    expect(hart.readCsr(CSR.mepc)).toBe(BigInt(CODE + 4)); // cycle still illegal
    enterMode(hart, bus, 0, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n); // scounteren.TM = 0
    hart.writeCsr(CSR.scounteren, 2n);
    enterMode(hart, bus, 0, CODE);
    hart.run(1);
    expect(hart.priv).toBe(0);
  });

  it("minstret counts retired instructions and can be written", () => {
    const { hart, bus } = makeHart();
    bus.writeWords(RAM_BASE, [
      a.NOP,
      a.NOP,
      a.csrr(1, CSR.minstret),
      a.csrw(CSR.minstret, 0),
      a.csrr(2, CSR.instret),
    ]);
    hart.run(5);
    expect(hart.getX(1)).toBe(2n);
    expect(hart.getX(2)).toBe(1n);
  });

  it("mstatus.TVM makes satp and SFENCE.VMA illegal in S-mode", () => {
    const { hart, bus } = setup([a.csrr(1, CSR.satp)]);
    hart.writeCsr(CSR.mstatus, 1n << 20n);
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
    bus.writeWords(CODE, [a.sfenceVma(0, 0)]);
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
  });
});

describe("exceptions: causes, delegation, stacking", () => {
  it("ECALL from S goes to M with MPP=S, MPIE=old MIE, MIE=0", () => {
    const { hart, bus } = setup([a.ECALL]);
    enterMode(hart, bus, 1, CODE);
    hart.writeCsr(CSR.mstatus, hart.readCsr(CSR.mstatus) | 8n); // MIE (no interrupt pending)
    hart.run(1);
    const ms = hart.readCsr(CSR.mstatus);
    expect(hart.readCsr(CSR.mcause)).toBe(9n);
    expect(hart.readCsr(CSR.mepc)).toBe(BigInt(CODE));
    expect(hart.readCsr(CSR.mtval)).toBe(0n);
    expect((ms >> 11n) & 3n).toBe(1n);
    expect((ms >> 7n) & 1n).toBe(1n);
    expect((ms >> 3n) & 1n).toBe(0n);
    expect(hart.priv).toBe(3);
    expect(hart.getPc()).toBe(BigInt(MTVEC));
  });

  it("ECALL from U delegated by medeleg goes to S: SPP=U, SPIE=old SIE, SIE=0", () => {
    const { hart, bus } = setup([a.ECALL]);
    hart.writeCsr(CSR.medeleg, 1n << 8n);
    hart.writeCsr(CSR.sstatus, 2n); // SIE
    enterMode(hart, bus, 0, CODE);
    hart.run(1);
    const ss = hart.readCsr(CSR.sstatus);
    expect(hart.readCsr(CSR.scause)).toBe(8n);
    expect(hart.readCsr(CSR.sepc)).toBe(BigInt(CODE));
    expect((ss >> 8n) & 1n).toBe(0n);
    expect((ss >> 5n) & 1n).toBe(1n);
    expect((ss >> 1n) & 1n).toBe(0n);
    expect(hart.priv).toBe(1);
    expect(hart.getPc()).toBe(BigInt(STVEC));
    expect(hart.readCsr(CSR.mcause)).toBe(0n);
  });

  it("exceptions in M-mode are never delegated", () => {
    const { hart, bus } = setup();
    hart.writeCsr(CSR.medeleg, 0xffffn);
    bus.writeWords(RAM_BASE, [a.EBREAK]);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(3n);
    expect(hart.readCsr(CSR.mtval)).toBe(BigInt(RAM_BASE));
    expect(hart.priv).toBe(3);
  });

  it("MRET restores MIE from MPIE, sets MPIE, and leaves MPP=U", () => {
    const { hart, bus } = setup([a.NOP]);
    hart.writeCsr(CSR.mstatus, (1n << 11n) | (1n << 7n));
    hart.writeCsr(CSR.mepc, BigInt(CODE));
    bus.writeWords(RAM_BASE, [a.MRET]);
    hart.run(1);
    const ms = hart.readCsr(CSR.mstatus);
    expect(hart.priv).toBe(1);
    expect(hart.getPc()).toBe(BigInt(CODE));
    expect(ms & 8n).toBe(8n);
    expect(ms & 0x80n).toBe(0x80n);
    expect((ms >> 11n) & 3n).toBe(0n);
  });

  it("MRET to a lower mode clears MPRV; SRET from S returns to SPP", () => {
    const { hart, bus } = setup([a.SRET]);
    hart.writeCsr(CSR.mstatus, (1n << 17n) | (1n << 11n));
    hart.writeCsr(CSR.mepc, BigInt(CODE));
    bus.writeWords(RAM_BASE, [a.MRET]);
    hart.run(1);
    expect((hart.readCsr(CSR.mstatus) >> 17n) & 1n).toBe(0n);
    hart.writeCsr(CSR.sepc, BigInt(CODE + 0x100));
    hart.writeCsr(CSR.sstatus, 0x20n); // SPP=U, SPIE=1
    hart.run(1);
    expect(hart.priv).toBe(0);
    expect(hart.getPc()).toBe(BigInt(CODE + 0x100));
    expect(hart.readCsr(CSR.sstatus) & 0x122n).toBe(0x22n); // SIE=1, SPIE=1, SPP=0
  });

  it("SRET in S-mode with TSR=1 is illegal; SRET and MRET in U-mode are illegal", () => {
    const { hart, bus } = setup([a.SRET]);
    hart.writeCsr(CSR.mstatus, 1n << 22n);
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
    expect(hart.readCsr(CSR.mtval)).toBe(BigInt(a.SRET));
    bus.writeWords(CODE, [a.MRET]);
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
  });

  it("misaligned loads and stores are emulated, not trapped, also across pages", () => {
    const { hart, bus } = setup([a.sd(2, 1, 0), a.ld(3, 1, 0), a.lw(4, 1, 3)]);
    hart.setX(1, BigInt(RAM_BASE + 0x2ffd));
    hart.setX(2, 0x0102_0304_0506_0708n);
    enterMode(hart, bus, 1, CODE);
    hart.run(3);
    expect(hart.getX(3)).toBe(0x0102_0304_0506_0708n);
    expect(hart.getX(4)).toBe(0x0203_0405n);
    expect(hart.priv).toBe(1);
  });

  it("access faults: load 5 / store 7 / fetch 1 with the faulting address in mtval", () => {
    const { hart, bus } = setup([a.ld(3, 1, 8)]);
    hart.setX(1, 0x4000_0000n);
    hart.run(0);
    hart.setPc(BigInt(CODE));
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(5n);
    expect(hart.readCsr(CSR.mtval)).toBe(0x4000_0008n);
    bus.writeWords(CODE, [a.sw(3, 1, 4)]);
    hart.setPc(BigInt(CODE));
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(7n);
    expect(hart.readCsr(CSR.mtval)).toBe(0x4000_0004n);
    hart.setPc(0x5000_0000n);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(1n);
    expect(hart.readCsr(CSR.mtval)).toBe(0x5000_0000n);
    expect(hart.readCsr(CSR.mepc)).toBe(0x5000_0000n);
  });

  it("a 32-bit instruction whose second parcel lies past RAM faults with that parcel's address", () => {
    const { hart, bus } = setup();
    const ramEnd = RAM_BASE + (4 << 20);
    // The low parcel of `addi x0, x0, 0` in RAM's last two bytes.
    bus.ram[ramEnd - RAM_BASE - 2] = 0x13;
    bus.ram[ramEnd - RAM_BASE - 1] = 0x00;
    hart.setPc(BigInt(ramEnd - 2));
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(1n);
    expect(hart.readCsr(CSR.mtval)).toBe(BigInt(ramEnd));
    expect(hart.readCsr(CSR.mepc)).toBe(BigInt(ramEnd - 2));
    expect(hart.getPc()).toBe(BigInt(MTVEC));
  });

  it("code whose trap vector is unbacked too faults on every step, retires nothing, and returns", () => {
    const { hart } = setup();
    hart.writeCsr(CSR.mtvec, 0x5000_1000n);
    const before = hart.readCsr(CSR.minstret);
    hart.setPc(0x5000_0000n);
    hart.run(1000);
    expect(hart.readCsr(CSR.mcause)).toBe(1n);
    expect(hart.readCsr(CSR.mtval)).toBe(0x5000_1000n);
    expect(hart.readCsr(CSR.mepc)).toBe(0x5000_1000n);
    expect(hart.readCsr(CSR.minstret)).toBe(before);
  });
});

describe("interrupts", () => {
  it("a pending enabled M interrupt is taken at once, vectored through mtvec", () => {
    const { hart } = setup([a.NOP]);
    hart.writeCsr(CSR.mtvec, BigInt(MTVEC) | 1n);
    hart.writeCsr(CSR.mie, 1n << 7n);
    hart.writeCsr(CSR.mstatus, 8n);
    hart.setPc(BigInt(CODE));
    hart.setInterruptLine(7, true);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(IRQ | 7n);
    expect(hart.readCsr(CSR.mepc)).toBe(BigInt(CODE));
    expect(hart.getPc()).toBe(BigInt(MTVEC + 4 * 7 + 4)); // vector, then one NOP-equivalent step
  });

  it("priority: MEI before MSI before MTI; SEI before SSI before STI", () => {
    const { hart } = setup();
    hart.writeCsr(CSR.mie, 0xaaan);
    hart.writeCsr(CSR.mstatus, 8n);
    hart.setPc(BigInt(CODE));
    hart.setInterruptLine(3, true);
    hart.setInterruptLine(7, true);
    hart.setInterruptLine(11, true);
    hart.writeCsr(CSR.mip, 0x222n);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(IRQ | 11n);
    hart.setInterruptLine(11, false);
    hart.writeCsr(CSR.mstatus, 8n);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(IRQ | 3n);
    hart.setInterruptLine(3, false);
    hart.setInterruptLine(7, false);
    hart.writeCsr(CSR.mstatus, 8n);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(IRQ | 9n);
    hart.writeCsr(CSR.mip, 0x22n);
    hart.writeCsr(CSR.mstatus, 8n);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(IRQ | 1n);
    hart.writeCsr(CSR.mip, 0x20n);
    hart.writeCsr(CSR.mstatus, 8n);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(IRQ | 5n);
  });

  it("delegated interrupts: taken in U even with SIE=0, masked in M, masked by SIE in S", () => {
    const pendingStip = () => {
      const m = setup([a.NOP, a.NOP, a.NOP, a.NOP]);
      m.hart.writeCsr(CSR.mideleg, 0x20n);
      m.hart.writeCsr(CSR.mie, 0x20n);
      m.hart.writeCsr(CSR.mip, 0x20n); // STIP
      return m;
    };
    const m = pendingStip();
    m.hart.setPc(BigInt(CODE));
    m.hart.writeCsr(CSR.mstatus, 8n);
    m.hart.run(1);
    expect(m.hart.priv).toBe(3); // delegated interrupts never interrupt M
    expect(m.hart.readCsr(CSR.scause)).toBe(0n);
    const s = pendingStip();
    enterMode(s.hart, s.bus, 1, CODE);
    s.hart.run(1);
    expect(s.hart.readCsr(CSR.scause)).toBe(0n); // SIE=0 in S: not taken
    expect(s.hart.getPc()).toBe(BigInt(CODE + 4));
    const u = pendingStip();
    enterMode(u.hart, u.bus, 0, CODE);
    u.hart.run(1);
    expect(u.hart.readCsr(CSR.scause)).toBe(IRQ | 5n);
    expect(u.hart.priv).toBe(1);
    expect(u.hart.readCsr(CSR.sepc)).toBe(BigInt(CODE));
  });

  it("M-level interrupts preempt S-mode regardless of MIE", () => {
    const { hart, bus } = setup([a.NOP]);
    hart.writeCsr(CSR.mie, 1n << 11n);
    enterMode(hart, bus, 1, CODE);
    hart.setInterruptLine(11, true);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(IRQ | 11n);
    expect((hart.readCsr(CSR.mstatus) >> 11n) & 3n).toBe(1n);
  });

  it("WFI returns 'wfi' when nothing is pending, and is a no-op when an enabled interrupt is pending", () => {
    const { hart, bus } = setup();
    bus.writeWords(RAM_BASE, [a.WFI, a.WFI, a.addi(1, 0, 7)]);
    expect(hart.run(10)).toBe("wfi");
    expect(hart.getPc()).toBe(BigInt(RAM_BASE + 4));
    hart.writeCsr(CSR.mie, 1n << 7n); // enabled locally, MIE=0 globally
    hart.setInterruptLine(7, true);
    expect(hart.run(2)).toBe("budget");
    expect(hart.getX(1)).toBe(7n);
  });

  it("WFI with mstatus.TW=1 in S-mode is illegal; WFI in U-mode is illegal", () => {
    const { hart, bus } = setup([a.WFI]);
    hart.writeCsr(CSR.mstatus, 1n << 21n);
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
    hart.writeCsr(CSR.mstatus, 0n);
    enterMode(hart, bus, 0, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
  });

  it("Sstc: stimecmp needs menvcfg.STCE and mcounteren.TM; STIP follows time >= stimecmp", () => {
    const { hart, bus, clock } = setup([a.csrw(CSR.stimecmp, 1), a.NOP, a.NOP]);
    hart.setX(1, 1000n);
    enterMode(hart, bus, 1, CODE);
    hart.run(1);
    expect(hart.readCsr(CSR.mcause)).toBe(2n);
    hart.writeCsr(CSR.menvcfg, 1n << 63n);
    hart.writeCsr(CSR.mcounteren, 2n);
    hart.writeCsr(CSR.mideleg, 0x20n);
    hart.writeCsr(CSR.mie, 0x20n);
    hart.writeCsr(CSR.stimecmp, ALL); // stimecmp resets to 0, which would fire at once
    enterMode(hart, bus, 1, CODE);
    hart.writeCsr(CSR.sstatus, 2n);
    hart.run(2);
    expect(hart.readCsr(CSR.stimecmp)).toBe(1000n);
    expect(hart.readCsr(CSR.mip) & 0x20n).toBe(0n);
    clock.ticks = 1000;
    expect(hart.readCsr(CSR.mip) & 0x20n).toBe(0x20n);
    hart.run(1);
    expect(hart.readCsr(CSR.scause)).toBe(IRQ | 5n);
    // with STCE=1, software cannot clear STIP through mip
    hart.writeCsr(CSR.mip, 0n);
    expect(hart.readCsr(CSR.mip) & 0x20n).toBe(0x20n);
  });
});

describe("counters and interrupt timing", () => {
  it("mcountinhibit.IR freezes minstret; trapping instructions do not retire", () => {
    const { hart, bus } = setup();
    bus.writeWords(RAM_BASE, [
      a.csrr(1, CSR.minstret),
      a.csrrwi(0, CSR.mcountinhibit, 4),
      a.NOP,
      a.NOP,
      a.csrr(2, CSR.minstret),
      a.csrrwi(0, CSR.mcountinhibit, 0),
      a.NOP,
      a.csrr(3, CSR.minstret),
    ]);
    hart.run(8);
    // A CSR write takes effect after the writing instruction completes: the csrrwi that sets
    // IR still counts, the one that clears it does not.
    expect(hart.getX(2) - hart.getX(1)).toBe(2n); // csrr x1, csrrwi
    expect(hart.getX(3) - hart.getX(2)).toBe(1n); // nop
    const t = setup();
    t.bus.writeWords(RAM_BASE, [a.ECALL]);
    t.hart.run(1);
    expect(t.hart.readCsr(CSR.minstret)).toBe(0n);
  });

  it("enabling interrupts with a CSR write takes a pending interrupt before the next instruction", () => {
    const { hart, bus } = setup();
    bus.writeWords(RAM_BASE, [a.csrrsi(0, CSR.mstatus, 8), a.addi(1, 0, 1)]);
    hart.writeCsr(CSR.mie, 1n << 3n);
    hart.setInterruptLine(3, true);
    hart.run(2);
    expect(hart.readCsr(CSR.mcause)).toBe(IRQ | 3n);
    expect(hart.readCsr(CSR.mepc)).toBe(BigInt(RAM_BASE + 4));
    expect(hart.getX(1)).toBe(0n);
  });

  it("reset() returns to M-mode at the reset PC with CSRs cleared", () => {
    const { hart, bus } = setup([a.NOP]);
    enterMode(hart, bus, 1, CODE);
    hart.setX(5, 9n);
    hart.reset();
    expect(hart.priv).toBe(3);
    expect(hart.getPc()).toBe(BigInt(RAM_BASE));
    expect(hart.getX(5)).toBe(0n);
    expect(hart.readCsr(CSR.mtvec)).toBe(0n);
    expect(hart.readCsr(CSR.satp)).toBe(0n);
  });
});

describe("PMP enforcement", () => {
  // OpenSBI's layout: entry 0 protects the firmware (no permissions), the last entry opens
  // everything (NAPOT all-ones, RWX).
  function pmpMachine(prog: number[]) {
    const m = setup(prog);
    const fw = RAM_BASE + 0x40000; // 64 KiB "firmware" region, NAPOT
    m.hart.writeCsr(0x3b0, BigInt(fw / 4 + (0x10000 / 8 - 1)));
    m.hart.writeCsr(0x3b0 + 15, (1n << 54n) - 1n);
    m.hart.writeCsr(0x3a0 + 2, 0x1fn << 56n); // pmpcfg2 byte 7 = entry 15: NAPOT RWX
    m.hart.writeCsr(0x3a0, 0x18n); // entry 0: NAPOT, no permissions
    return { ...m, fw };
  }

  it("S-mode loads, stores and fetches in a region without permissions fault (5/7/1)", () => {
    const m = pmpMachine([a.ld(2, 1, 8), a.sd(2, 1, 0), a.jalr(0, 1, 0)]);
    m.hart.setX(1, BigInt(m.fw));
    enterMode(m.hart, m.bus, 1, CODE);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.mcause)).toBe(5n);
    expect(m.hart.readCsr(CSR.mtval)).toBe(BigInt(m.fw + 8));
    enterMode(m.hart, m.bus, 1, CODE + 4);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.mcause)).toBe(7n);
    enterMode(m.hart, m.bus, 1, CODE + 8);
    m.hart.run(2);
    expect(m.hart.readCsr(CSR.mcause)).toBe(1n);
    expect(m.hart.readCsr(CSR.mepc)).toBe(BigInt(m.fw));
  });

  it("S-mode may use memory outside the protected region; M-mode ignores unlocked entries", () => {
    const m = pmpMachine([a.sd(0, 1, 0), a.ECALL]);
    m.hart.setX(1, BigInt(m.fw + 0x10000)); // just past the region
    enterMode(m.hart, m.bus, 1, CODE);
    m.hart.run(2);
    expect(m.hart.readCsr(CSR.mcause)).toBe(9n);
    m.bus.writeWords(RAM_BASE, [a.ld(3, 4, 0)]);
    m.hart.setX(4, BigInt(m.fw));
    m.hart.setPc(BigInt(RAM_BASE));
    m.hart.run(1);
    expect(m.hart.getPc()).toBe(BigInt(RAM_BASE + 4)); // no fault in M-mode
  });

  it("a locked entry also binds M-mode and cannot be rewritten", () => {
    const m = pmpMachine([]);
    m.hart.writeCsr(0x3a0, 0x98n); // L | NAPOT, no permissions
    m.hart.writeCsr(0x3a0, 0x1fn);
    expect(m.hart.readCsr(0x3a0) & 0xffn).toBe(0x98n);
    m.bus.writeWords(RAM_BASE, [a.ld(3, 4, 0)]);
    m.hart.setX(4, BigInt(m.fw));
    m.hart.setPc(BigInt(RAM_BASE));
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.mcause)).toBe(5n);
  });

  it("TOR ranges: [pmpaddr(i-1)*4, pmpaddr(i)*4)", () => {
    const m = setup([a.ld(2, 1, 0), a.ld(2, 5, 0)]);
    m.hart.writeCsr(0x3b0, BigInt((RAM_BASE + 0x50000) / 4));
    m.hart.writeCsr(0x3b1, BigInt((RAM_BASE + 0x51000) / 4));
    m.hart.writeCsr(0x3b2, (1n << 54n) - 1n);
    m.hart.writeCsr(0x3a0, (0x1fn << 16n) | (0x08n << 8n)); // entry1 TOR none, entry2 NAPOT RWX
    m.hart.setX(1, BigInt(RAM_BASE + 0x50ff8));
    m.hart.setX(5, BigInt(RAM_BASE + 0x51000));
    enterMode(m.hart, m.bus, 1, CODE);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.mcause)).toBe(5n);
    enterMode(m.hart, m.bus, 1, CODE + 4);
    m.hart.run(1);
    expect(m.hart.priv).toBe(1);
  });
});

describe("nextTimerEvent", () => {
  it("reports the earliest armed Sstc compare, in time ticks", () => {
    const { hart } = makeHart();
    expect(hart.nextTimerEvent()).toBe(Number.POSITIVE_INFINITY);
    hart.writeCsr(CSR.menvcfg, 1n << 63n);
    hart.writeCsr(CSR.stimecmp, (1n << 64n) - 1n);
    expect(hart.nextTimerEvent()).toBe(Number.POSITIVE_INFINITY); // -1 = disarmed
    hart.writeCsr(CSR.stimecmp, 5000n);
    expect(hart.nextTimerEvent()).toBe(5000);
    hart.writeCsr(CSR.henvcfg, 1n << 63n);
    hart.writeCsr(CSR.vstimecmp, 1200n);
    hart.writeCsr(CSR.htimedelta, 1000n); // guest time = time + 1000
    expect(hart.nextTimerEvent()).toBe(200);
  });
});

describe("API input checks", () => {
  it("rejects non-existent interrupt lines, registers and CSRs with clear errors", () => {
    const { hart } = makeHart();
    expect(() => hart.setInterruptLine(1, true)).toThrow(/not a hardware interrupt line/);
    expect(() => hart.setInterruptLine(3.5, true)).toThrow(RangeError);
    expect(() => hart.setGuestExternalLine(0, true)).toThrow(/1\.\.31/);
    expect(() => hart.getX(32)).toThrow(/x32/);
    expect(() => hart.readCsr(0x7c0)).toThrow(/0x7c0/);
    expect(() => hart.writeCsr(0x3a1, 0n)).toThrow(/0x3a1/); // odd pmpcfg does not exist on RV64
    hart.setX(0, 5n);
    expect(hart.getX(0)).toBe(0n);
  });
});
