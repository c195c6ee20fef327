import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CSR } from "@axvisor/cpu-riscv64";
import { InstructionClock } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { asm, printAndFinish, REG, words } from "./asm.fixture.js";
import { VirtMachine, type VirtMachineOptions } from "./machine.js";

function machine(kernel: Uint8Array, extra: Partial<VirtMachineOptions> = {}) {
  const out: number[] = [];
  const m = new VirtMachine({
    ramSize: 32 << 20,
    images: { kernel: { name: "test.bin", data: kernel } },
    console: (b) => out.push(...b),
    rngSeed: null,
    ...extra,
  });
  return { m, text: () => new TextDecoder().decode(Uint8Array.from(out)) };
}

describe("VirtMachine", () => {
  it("boots a program that prints on the UART and powers off through the finisher", async () => {
    const { m, text } = machine(printAndFinish("hello, virt\n"));
    const exit = await m.run();
    expect(exit).toEqual({ kind: "poweroff", success: true, code: 0, source: "finisher" });
    expect(text()).toBe("hello, virt\n");
  });

  it("reports a finisher failure code", async () => {
    const { m } = machine(printAndFinish("x", (7 << 16) | 0x3333));
    expect(await m.run()).toEqual({
      kind: "poweroff",
      success: false,
      code: 7,
      source: "finisher",
    });
  });

  it("resets on 0x7777 and boots the images again", async () => {
    // First boot: RAM word at 0x80100000 is 0 -> store 1 there, then request a reset.
    // Second boot: it reads 1 (RAM is cleared and reloaded, so it is 0 again)... the program
    // counts boots in the finisher instead: it powers off at once if the flag is set.
    const { t0, t1, t2 } = REG;
    const prog = words([
      asm.li(t0, 0x1000_0000),
      asm.addi(t1, 0, 0x42), // 'B'
      asm.sb(t1, t0, 0),
      asm.li(t2, 0x10_0000),
      asm.li(t1, 0x7777),
      asm.sw(t1, t2, 0),
      asm.jal(0, 0),
    ]);
    const { m, text } = machine(prog, { sliceInstructions: 100 });
    const run = m.run();
    while (m.resets < 2) await new Promise((r) => setTimeout(r, 1));
    m.stop("enough");
    expect(await run).toEqual({ kind: "stopped", reason: "enough" });
    expect(text().startsWith("BB")).toBe(true);
  });

  it("routes the UART interrupt through PLIC context 1 to the hart's SEIP", () => {
    const { m } = machine(words([asm.jal(0, 0)]));
    const hart = m.harts[0]!;
    const mip = () => hart.readCsr(CSR.mip);
    const store = (a: number, v: number) => expect(m.bus.store(a, 4, BigInt(v))).toBe(true);
    store(0x0c00_0000 + 4 * 10, 1); // source 10 priority 1
    store(0x0c00_2000 + 0x80 * 1, 1 << 10); // context 1 (hart 0, S) enables source 10
    store(0x0c20_0000 + 0x1000 * 1, 0); // context 1 threshold 0
    expect(m.bus.store(0x1000_0001, 1, 1n)).toBe(true); // UART IER: received data available
    expect((mip() >> 9n) & 1n).toBe(0n);
    m.sendInput("k");
    expect((mip() >> 9n) & 1n).toBe(1n); // SEIP
    expect((mip() >> 11n) & 1n).toBe(0n); // not MEIP: context 0 has nothing enabled
    expect(m.bus.load(0x0c20_1004, 4)).toBe(10n); // claim on context 1 returns source 10
    expect(m.bus.load(0x1000_0000, 1)).toBe(0x6bn); // 'k'
    m.bus.store(0x0c20_1004, 4, 10n); // complete
    expect((mip() >> 9n) & 1n).toBe(0n);
  });

  it("routes PLIC context 2h to MEIP of hart h", () => {
    const { m } = machine(words([asm.jal(0, 0)]), { harts: 2 });
    m.bus.store(0x0c00_0000 + 4 * 10, 4, 3n);
    m.bus.store(0x0c00_2000 + 0x80 * 2, 4, BigInt(1 << 10)); // context 2 = hart 1, M
    m.bus.store(0x1000_0001, 1, 1n);
    m.sendInput("z");
    expect((m.harts[1]!.readCsr(CSR.mip) >> 11n) & 1n).toBe(1n);
    expect((m.harts[0]!.readCsr(CSR.mip) >> 11n) & 1n).toBe(0n);
  });

  it("sleeps in WFI until the CLINT timer fires instead of spinning", async () => {
    const { t0, t1, t2, t3 } = REG;
    // mtimecmp = mtime + 200000 ticks (20 ms); mie.MTIE = 1; wfi; print 'W'; power off.
    const prog = words([
      asm.li(t0, 0x200_bff8),
      asm.ld(t1, t0, 0),
      asm.li(t2, 200_000),
      asm.add(t1, t1, t2),
      asm.li(t3, 0x200_4000),
      asm.sd(t1, t3, 0),
      asm.addi(t2, 0, 0x80),
      asm.csrrs(0, 0x304, t2), // mie |= MTIE
      asm.wfi(),
      asm.li(t0, 0x1000_0000),
      asm.addi(t1, 0, 0x57),
      asm.sb(t1, t0, 0),
      asm.li(t2, 0x10_0000),
      asm.li(t1, 0x5555),
      asm.sw(t1, t2, 0),
      asm.jal(0, 0),
    ]);
    const { m, text } = machine(prog, { sliceInstructions: 100 });
    const t = performance.now();
    const exit = await m.run();
    const ms = performance.now() - t;
    expect(exit.kind).toBe("poweroff");
    expect(text()).toBe("W");
    expect(ms).toBeGreaterThanOrEqual(19);
    // Spinning for 20 ms would run far more than this; sleeping runs the program once.
    expect(m.instructions).toBeLessThan(1000);
  });

  it("skips idle time with the instruction clock", async () => {
    const { t0, t1, t2, t3 } = REG;
    // wait 10 s of guest time in WFI; the deterministic clock jumps there at once
    const prog = words([
      asm.li(t0, 0x200_bff8),
      asm.ld(t1, t0, 0),
      asm.li(t2, 100_000_000),
      asm.add(t1, t1, t2),
      asm.li(t3, 0x200_4000),
      asm.sd(t1, t3, 0),
      asm.addi(t2, 0, 0x80),
      asm.csrrs(0, 0x304, t2),
      asm.wfi(),
      asm.li(t2, 0x10_0000),
      asm.li(t1, 0x5555),
      asm.sw(t1, t2, 0),
      asm.jal(0, 0),
    ]);
    const clock = new InstructionClock();
    const { m } = machine(prog, { clock });
    const t = performance.now();
    expect((await m.run()).kind).toBe("poweroff");
    expect(performance.now() - t).toBeLessThan(2000);
    expect(clock.now()).toBeGreaterThanOrEqual(100_000_000);
  });

  it("stops on stop() while every hart waits", async () => {
    const { m } = machine(words([asm.wfi(), asm.jal(0, -4)]));
    const run = m.run();
    setTimeout(() => m.stop("user"), 20);
    expect(await run).toEqual({ kind: "stopped", reason: "user" });
  });

  it("faults cleanly when the hart jumps nowhere", async () => {
    const { m } = machine(words([asm.li(REG.t0, 0x4000_0000), 0x00028067 /* jr t0 */]), {
      sliceInstructions: 1000,
    });
    const run = m.run();
    setTimeout(() => m.stop("no trap handler"), 50);
    // With no handler at mtvec=0 the hart loops on access faults; the host keeps running.
    expect((await run).kind).toBe("stopped");
    expect(m.harts[0]!.readCsr(CSR.mcause)).toBe(1n);
  });
});

const PROGRAMS = join(import.meta.dirname, "../../../cpu-riscv64/test/programs/bin");
const programs = existsSync(PROGRAMS)
  ? readdirSync(PROGRAMS).filter((f) => f.endsWith(".elf"))
  : [];
if (programs.length === 0) console.log(`skipping CPU test programs: none in ${PROGRAMS}`);

describe.skipIf(programs.length === 0)(
  "CPU self-checking programs on the board (-bios none)",
  () => {
    // zz_selftest checks the test frame itself: it must fail test 7 (finisher code 7).
    it.each(programs)("%s reports its result", async (name) => {
      const { m, text } = machine(readFileSync(join(PROGRAMS, name)), {
        clock: new InstructionClock(),
      });
      expect(m.layout.htif?.tohost).toBeGreaterThan(0x8000_0000);
      const exit = await m.run();
      if (name === "zz_selftest.elf") {
        expect(text()).toMatch(/FAIL zz_selftest test 7/);
        expect(exit).toMatchObject({ kind: "poweroff", success: false, code: 7 });
      } else {
        expect(text()).toMatch(/PASS/);
        expect(exit).toMatchObject({ kind: "poweroff", success: true });
      }
    });
  },
);
