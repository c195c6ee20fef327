import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { captureIo } from "./test-support/capture-io.js";

// RV64I encodings (unprivileged spec chapter 2), for a UART echo program:
// poll LSR.DR, read RBR, echo it to THR, power off through the finisher on 'q'.
const I = (imm: number, rs1: number, f3: number, rd: number, op: number) =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const S = (imm: number, rs2: number, rs1: number, f3: number) =>
  ((((imm >> 5) & 0x7f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (f3 << 12) |
    ((imm & 31) << 7) |
    0x23) >>>
  0;
const B = (off: number, rs2: number, rs1: number, f3: number) =>
  ((((off >> 12) & 1) << 31) |
    (((off >> 5) & 0x3f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (f3 << 12) |
    (((off >> 1) & 0xf) << 8) |
    (((off >> 11) & 1) << 7) |
    0x63) >>>
  0;
const LUI = (rd: number, imm20: number) => ((imm20 << 12) | (rd << 7) | 0x37) >>> 0;
const [T0, T1, T2, T3, T4, T5] = [5, 6, 7, 28, 29, 30];
const ECHO = [
  LUI(T0, 0x10000), // 0: t0 = UART
  I(5, T0, 4, T1, 0x03), // 4: lbu t1, 5(t0)   LSR
  I(1, T1, 7, T1, 0x13), // 8: andi t1, t1, 1   DR
  B(-8, 0, T1, 0), // 12: beq t1, zero, 4
  I(0, T0, 4, T2, 0x03), // 16: lbu t2, 0(t0)  RBR
  S(0, T2, T0, 0), // 20: sb t2, 0(t0)        THR
  I(0x71, 0, 0, T3, 0x13), // 24: li t3, 'q'
  B(-24, T3, T2, 1), // 28: bne t2, t3, 4
  LUI(T4, 0x100), // 32: t4 = finisher
  LUI(T5, 5), // 36
  I(0x555, T5, 0, T5, 0x13), // 40: t5 = 0x5555
  S(0, T5, T4, 2), // 44: sw t5, 0(t4)
  0x0000006f, // 48: j .
];

const dir = mkdtempSync(join(tmpdir(), "axvisor-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const echoBin = join(dir, "echo.bin");
writeFileSync(echoBin, new Uint8Array(new Uint32Array(ECHO).buffer));

const PROGRAMS = join(import.meta.dirname, "../../../packages/cpu-riscv64/test/programs/bin");
const havePrograms = existsSync(join(PROGRAMS, "rv64i_alu.elf"));
if (!havePrograms) console.log(`skipping CPU program runs: ${PROGRAMS} not found`);

describe("axvisor", () => {
  it("prints its version and help", async () => {
    const v = captureIo();
    expect(await runCli(["--version"], v.io)).toBe(0);
    expect(v.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
    const h = captureIo();
    expect(await runCli(["--help"], h.io)).toBe(0);
    expect(h.out()).toContain("emu");
    expect(h.out()).toContain("Exit status:");
    const e = captureIo();
    expect(await runCli(["emu", "--help"], e.io)).toBe(0);
    expect(e.out()).toContain("-send-after REGEX TEXT");
    const he = captureIo();
    expect(await runCli(["help", "emu"], he.io)).toBe(0);
    expect(he.out()).toBe(e.out());
  });

  it("exits 2 with one clear line for usage and host errors", async () => {
    const bad = captureIo();
    expect(await runCli(["emu", "-M", "sparc"], bad.io)).toBe(2);
    expect(bad.err()).toBe(
      "axvisor emu: -M: unknown machine 'sparc'; known machines: riscv64-qemu-virt, virt (= riscv64-qemu-virt), aarch64-qemu-virt, arm-virt (= aarch64-qemu-virt), x86_64-qemu-q35, q35 (= x86_64-qemu-q35), pc (= x86_64-qemu-q35)\n",
    );
    const missing = captureIo();
    expect(await runCli(["emu", "-bios", "none", "-kernel", join(dir, "nope")], missing.io)).toBe(
      2,
    );
    expect(missing.err()).toMatch(/^axvisor emu: cannot read kernel '.*nope': no such file\n$/);
    const corrupt = join(dir, "corrupt.elf");
    writeFileSync(corrupt, Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0));
    const c = captureIo();
    expect(await runCli(["emu", "-bios", "none", "-kernel", corrupt], c.io)).toBe(2);
    expect(c.err().split("\n").filter(Boolean)).toHaveLength(1);
    expect(c.err()).toContain("corrupt.elf");
    const cmd = captureIo();
    expect(await runCli(["frob"], cmd.io)).toBe(2);
  });

  it("runs a program that echoes typed text and powers off (exit 0)", async () => {
    const c = captureIo();
    const status = await runCli(
      ["emu", "-bios", "none", "-kernel", echoBin, "--send-after", "^", "hi there\\nq"],
      c.io,
    );
    expect(status).toBe(0);
    expect(c.out()).toBe("hi there\nq");
  });

  it("exits 0 when --expect matches, before the guest powers off", async () => {
    const c = captureIo();
    const status = await runCli(
      ["emu", "-bios", "none", "-kernel", echoBin, "--send-after", "^", "abc", "--expect", "b"],
      c.io,
    );
    expect(status).toBe(0);
  });

  it("exits 4 when the guest powers off before --expect matched", async () => {
    const c = captureIo();
    const status = await runCli(
      ["emu", "-bios", "none", "-kernel", echoBin, "--send-after", "^", "xq", "--expect", "never"],
      c.io,
    );
    expect(status).toBe(4);
    expect(c.err()).toMatch(/powered off \(finisher, success\) before --expect matched/);
  });

  it("exits 3 when --timeout expires", async () => {
    const c = captureIo();
    const t = performance.now();
    const status = await runCli(
      ["emu", "-bios", "none", "-kernel", echoBin, "--expect", "never", "--timeout", "0.3"],
      c.io,
    );
    expect(status).toBe(3);
    expect(performance.now() - t).toBeGreaterThanOrEqual(290);
    expect(c.err()).toBe("axvisor emu: timeout: 0.3 s expired\n");
  });

  it.skipIf(!havePrograms)("runs a CPU self-check program: PASS -> 0, failure -> 1", async () => {
    const pass = captureIo();
    expect(
      await runCli(["emu", "-bios", "none", "-kernel", join(PROGRAMS, "rv64i_alu.elf")], pass.io),
    ).toBe(0);
    expect(pass.out()).toMatch(/PASS rv64i_alu/);
    const fail = join(PROGRAMS, "zz_selftest.elf");
    if (existsSync(fail)) {
      const f = captureIo();
      expect(await runCli(["emu", "-bios", "none", "-kernel", fail], f.io)).toBe(1);
      expect(f.err()).toMatch(/failure through (finisher|htif): code 7/);
    }
  });
});
