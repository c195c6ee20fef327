/**
 * Runs every self-checking program in test/programs/bin on the hart, in a minimal machine
 * shaped like QEMU virt (the programs pass on `qemu-system-riscv64 -M virt -bios none`, see
 * test/programs/README.md): RAM at 0x8000_0000, the sifive-test finisher, an ns16550a THR/LSR,
 * and a CLINT. Time advances with executed instructions, so every run is deterministic.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ElfMachine, findSymbol, loadElf, parseElf64, symbolAddress } from "@axvisor/guest-image";
import { describe, expect, it } from "vitest";
import { allocateRam, Hart, type PhysBus, type TimeSource } from "../src/index.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "programs", "bin");
const RAM_BASE = 0x8000_0000;
const RAM_SIZE = 128 * 1024 * 1024;
const FINISHER = 0x10_0000;
const UART = 0x1000_0000;
const CLINT = 0x200_0000;
const CLINT_SIZE = 0x1_0000;
const MSIP = 3;
const MTIP = 7;

/** Instructions per slice; device and timer state is updated between slices. */
const SLICE = 200;
/** Timer ticks per slice: one tick per 10 instructions (a 100 MIPS hart at 10 MHz). */
const TICKS_PER_SLICE = 20;
/** Instruction budget per program; the longest (interrupt waits) need well under this. */
const BUDGET = 20_000_000;

const CSR_STIMECMP = 0x14d;
const CSR_VSTIMECMP = 0x24d;
const CSR_HTIMEDELTA = 0x605;

interface Outcome {
  readonly status: "pass" | "fail" | "timeout";
  /** The failing test number (gp at failure), from tohost or the finisher. */
  readonly testNumber: number;
  readonly uart: string;
  readonly executed: number;
  readonly where: string;
}

/** The machine around the hart: just what the programs use. */
class TestMachine implements PhysBus {
  readonly ram: Uint8Array;
  readonly ramBase = RAM_BASE;
  readonly ramView: DataView;
  uart = "";
  finisher: number | undefined;
  msip = 0;
  mtimecmp = 0xffff_ffff_ffff_ffffn;
  ticks = 0;
  hart: Hart | undefined;

  constructor(ram: Uint8Array) {
    this.ram = ram;
    this.ramView = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  }

  readonly time: TimeSource = { now: () => this.ticks };

  load(paddr: number, width: 1 | 2 | 4 | 8): bigint | null {
    if (paddr >= UART && paddr < UART + 8) {
      // LSR: THR empty and transmitter idle; everything else reads 0.
      return paddr - UART === 5 ? 0x60n : 0n;
    }
    if (paddr >= FINISHER && paddr < FINISHER + 0x1000) return 0n;
    if (paddr >= CLINT && paddr < CLINT + CLINT_SIZE) return this.clintRead(paddr - CLINT, width);
    return null;
  }

  store(paddr: number, width: 1 | 2 | 4 | 8, value: bigint): boolean {
    if (paddr >= UART && paddr < UART + 8) {
      if (paddr === UART) this.uart += String.fromCharCode(Number(value & 0xffn));
      return true;
    }
    if (paddr >= FINISHER && paddr < FINISHER + 0x1000) {
      if (paddr === FINISHER) this.finisher = Number(value & 0xffff_ffffn);
      return true;
    }
    if (paddr >= CLINT && paddr < CLINT + CLINT_SIZE) {
      this.clintWrite(paddr - CLINT, width, value);
      return true;
    }
    return false;
  }

  /** A CLINT register read of `width` bytes at `off`, from the 64-bit registers. */
  private clintRead(off: number, width: number): bigint {
    const [reg, base] = this.clintReg(off);
    if (reg === undefined) return 0n;
    const shift = BigInt((off - base) * 8);
    return (reg >> shift) & ((1n << BigInt(width * 8)) - 1n);
  }

  private clintReg(off: number): [bigint | undefined, number] {
    if (off < 4) return [BigInt(this.msip), 0];
    if (off >= 0x4000 && off < 0x4008) return [this.mtimecmp, 0x4000];
    if (off >= 0xbff8 && off < 0xc000) return [BigInt(this.ticks), 0xbff8];
    return [undefined, 0];
  }

  private clintWrite(off: number, width: number, value: bigint): void {
    const merge = (reg: bigint, base: number): bigint => {
      const shift = BigInt((off - base) * 8);
      const mask = ((1n << BigInt(width * 8)) - 1n) << shift;
      return (reg & ~mask) | ((value << shift) & mask);
    };
    if (off < 4) {
      this.msip = Number(value & 1n);
      this.hart?.setInterruptLine(MSIP, this.msip === 1);
    } else if (off >= 0x4000 && off < 0x4008) {
      this.mtimecmp = merge(this.mtimecmp, 0x4000);
      this.updateTimer();
    } else if (off >= 0xbff8 && off < 0xc000) {
      this.ticks = Number(merge(BigInt(this.ticks), 0xbff8));
      this.updateTimer();
    }
  }

  updateTimer(): void {
    this.hart?.setInterruptLine(MTIP, BigInt(this.ticks) >= this.mtimecmp);
  }

  /** WFI with nothing pending: jump time to the next deadline the hart could be waiting for. */
  sleepUntilNextDeadline(hart: Hart): void {
    const now = BigInt(this.ticks);
    const deadlines = [this.mtimecmp, hart.readCsr(CSR_STIMECMP)];
    const vs = hart.readCsr(CSR_VSTIMECMP) - hart.readCsr(CSR_HTIMEDELTA);
    deadlines.push(BigInt.asUintN(64, vs));
    let next = now + 1000n;
    for (const d of deadlines) if (d > now && d < next) next = d;
    this.ticks = Number(next);
    this.updateTimer();
  }
}

/** The JIT compiles after this many entries here (default 50), so short loops get compiled too. */
const JIT_TEST_THRESHOLD = 1;

function runProgram(file: string, jit: boolean): Outcome {
  // Fresh RAM per program: it also carries the hart's state block (allocateRam).
  const ram = allocateRam(RAM_SIZE);
  const elf = parseElf64(new Uint8Array(readFileSync(file)), {
    name: file,
    machine: ElfMachine.RISCV,
  });
  const m = new TestMachine(ram);
  const { entry } = loadElf(elf, (paddr, bytes) => {
    if (paddr < RAM_BASE || paddr + bytes.length > RAM_BASE + RAM_SIZE) {
      throw new Error(`${file}: segment at 0x${paddr.toString(16)} is outside RAM`);
    }
    ram.set(bytes, paddr - RAM_BASE);
  });
  const tohost = symbolAddress(elf, "tohost") - RAM_BASE;
  // The H programs accept htinst = 0 (which QEMU 7.2 always writes); this hart must produce
  // the transformed instruction, so demand it.
  const strictTinst = findSymbol(elf, "htinst_required");
  if (strictTinst !== undefined)
    m.ramView.setBigUint64(Number(strictTinst.value) - RAM_BASE, 1n, true);
  const hart = new Hart({
    hartId: 0,
    bus: m,
    time: m.time,
    resetPc: entry,
    extensions: { h: true, sstc: true },
    jit: jit ? { hotThreshold: JIT_TEST_THRESHOLD } : false,
  });
  if (jit && hart.jit === null) throw new Error("the hart has no JIT on allocateRam() RAM");
  m.hart = hart;

  let executed = 0;
  let status: Outcome["status"] = "timeout";
  let testNumber = 0;
  while (executed < BUDGET) {
    const exit = hart.run(SLICE);
    executed += SLICE;
    m.ticks += TICKS_PER_SLICE;
    if (exit === "wfi") m.sleepUntilNextDeadline(hart);
    else m.updateTimer();
    const host = m.ramView.getBigUint64(tohost, true);
    if (host !== 0n) {
      status = host === 1n ? "pass" : "fail";
      testNumber = Number(host >> 1n);
      break;
    }
    if (m.finisher !== undefined) {
      status = (m.finisher & 0xffff) === 0x5555 ? "pass" : "fail";
      testNumber = m.finisher >>> 16;
      break;
    }
  }
  const where =
    `pc=0x${hart.getPc().toString(16)} priv=${hart.priv} virt=${hart.virt} ` +
    `gp(test)=${hart.getX(3)} mcause=0x${hart.readCsr(0x342).toString(16)} ` +
    `mepc=0x${hart.readCsr(0x341).toString(16)} mtval=0x${hart.readCsr(0x343).toString(16)}`;
  return { status, testNumber, uart: m.uart, executed, where };
}

const programs = existsSync(BIN)
  ? readdirSync(BIN)
      .filter((f) => f.endsWith(".elf"))
      .sort()
  : [];

describe.each([
  { jit: true, mode: "JIT on" },
  { jit: false, mode: "interpreter only" },
])("self-checking RISC-V programs (test/programs), $mode", ({ jit }) => {
  it("finds the built programs", () => {
    expect(programs.length, `no .elf files in ${BIN}; run test/programs/build.sh`).toBeGreaterThan(
      0,
    );
  });

  for (const name of programs) {
    it(`${name} passes`, { timeout: 120_000 }, () => {
      const r = runProgram(join(BIN, name), jit);
      const report =
        r.status === "timeout"
          ? `${name}: no result after ${r.executed} instructions (${r.where}); UART: ${JSON.stringify(r.uart)}`
          : `${name}: ${r.status}, test ${r.testNumber}; UART: ${JSON.stringify(r.uart)} (${r.where})`;
      expect(r.status, report).toBe("pass");
      expect(r.uart, report).toMatch(/^PASS /);
    });
  }
});
