/**
 * Differential test against QEMU's RISC-V FPU (softfloat with RISC-V semantics): random F/D
 * instructions on random register contents run both under qemu-riscv64 and through executeFp,
 * and must agree bit for bit on rd and on fflags. Skipped when the riscv64 cross compiler or
 * qemu-user is missing. FPU_QEMU_CASES / FPU_QEMU_SEED make longer or different runs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FpMachine } from "./testing.js";

const CC = "riscv64-linux-gnu-gcc";
const QEMU = "qemu-riscv64";
const available = [CC, QEMU].every((tool) => spawnSync(tool, ["--version"]).status === 0);

// Reads "insn frm f1 f2 f3 x11" lines (hex, frm decimal), executes insn with f1..f3 and x11
// loaded, f4/x10 preset, fflags cleared and frm set; prints "f4 x10 fflags".
const HARNESS = String.raw`
#include <stdio.h>
#include <sys/mman.h>
int main(void) {
  unsigned *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char line[512];
  while (fgets(line, sizeof line, stdin)) {
    unsigned insn, frm;
    unsigned long long in[4], out[2] = {0x1111111111111111ull, 0x2222222222222222ull};
    if (sscanf(line, "%x %u %llx %llx %llx %llx", &insn, &frm, &in[0], &in[1], &in[2], &in[3]) != 6) return 1;
    code[0] = insn;
    code[1] = 0x00008067; /* ret */
    __builtin___clear_cache((char *)code, (char *)(code + 2));
    unsigned long flags;
    __asm__ volatile(
        "fld ft1, 0(%[ip])\n fld ft2, 8(%[ip])\n fld ft3, 16(%[ip])\n ld a1, 24(%[ip])\n"
        "fld ft4, 0(%[op])\n ld a0, 8(%[op])\n csrw fflags, zero\n csrw frm, %[frm]\n"
        "jalr ra, 0(%[cp])\n frflags %[fl]\n fsd ft4, 0(%[op])\n sd a0, 8(%[op])\n"
        : [fl] "=&r"(flags)
        : [ip] "r"(in), [op] "r"(out), [cp] "r"(code), [frm] "r"((unsigned long)frm)
        : "ra", "a0", "a1", "ft1", "ft2", "ft3", "ft4", "memory");
    printf("%016llx %016llx %lx\n", out[0], out[1], flags);
  }
  return 0;
}
`;

/** mulberry32 */
function rng(seed: number) {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const F7 = (f5: number, fmt: number) => (f5 << 2) | fmt;
const enc = (f7: number, rs2: number, rs1: number, rm: number, rd: number, op = 0x53) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) | (rd << 7) | op) >>> 0;

interface Kind {
  name: string;
  fmt: number;
  /** Builds the instruction for rounding-mode field rm (rd = f4/x10, rs = f1..f3 or x11). */
  insn: (rm: number) => number;
  sources: number;
  fromX?: boolean;
  weight: number;
}

function kinds(): Kind[] {
  const list: Kind[] = [];
  for (const fmt of [0, 1]) {
    for (const f5 of [0, 1, 2, 3]) {
      list.push({
        name: `op${f5}`,
        fmt,
        insn: (rm) => enc(F7(f5, fmt), 2, 1, rm, 4),
        sources: 2,
        weight: 6,
      });
    }
    list.push({
      name: "fsqrt",
      fmt,
      insn: (rm) => enc(F7(0b01011, fmt), 0, 1, rm, 4),
      sources: 1,
      weight: 3,
    });
    for (const r of [0, 1, 2]) {
      list.push({
        name: `fsgnj${r}`,
        fmt,
        insn: () => enc(F7(0b00100, fmt), 2, 1, r, 4),
        sources: 2,
        weight: 1,
      });
      list.push({
        name: `fcmp${r}`,
        fmt,
        insn: () => enc(F7(0b10100, fmt), 2, 1, r, 10),
        sources: 2,
        weight: 2,
      });
    }
    for (const r of [0, 1]) {
      list.push({
        name: `fminmax${r}`,
        fmt,
        insn: () => enc(F7(0b00101, fmt), 2, 1, r, 4),
        sources: 2,
        weight: 2,
      });
    }
    list.push({
      name: "fclass",
      fmt,
      insn: () => enc(F7(0b11100, fmt), 0, 1, 1, 10),
      sources: 1,
      weight: 1,
    });
    list.push({
      name: "fmv.x",
      fmt,
      insn: () => enc(F7(0b11100, fmt), 0, 1, 0, 10),
      sources: 1,
      weight: 1,
    });
    list.push({
      name: "fmv.f",
      fmt,
      insn: () => enc(F7(0b11110, fmt), 0, 11, 0, 4),
      sources: 0,
      fromX: true,
      weight: 1,
    });
    for (const k of [0, 1, 2, 3]) {
      list.push({
        name: `fcvt.int${k}`,
        fmt,
        insn: (rm) => enc(F7(0b11000, fmt), k, 1, rm, 10),
        sources: 1,
        weight: 3,
      });
      list.push({
        name: `fcvt.from${k}`,
        fmt,
        insn: (rm) => enc(F7(0b11010, fmt), k, 11, rm, 4),
        sources: 0,
        fromX: true,
        weight: 3,
      });
    }
    for (const op of [0x43, 0x47, 0x4b, 0x4f]) {
      list.push({
        name: `fma${op.toString(16)}`,
        fmt,
        insn: (rm) => enc((3 << 2) | fmt, 2, 1, rm, 4, op),
        sources: 3,
        weight: 5,
      });
    }
  }
  list.push({
    name: "fcvt.s.d",
    fmt: 1,
    insn: (rm) => enc(0b0100000, 1, 1, rm, 4),
    sources: 1,
    weight: 4,
  });
  list.push({
    name: "fcvt.d.s",
    fmt: 0,
    insn: (rm) => enc(0b0100001, 0, 1, rm, 4),
    sources: 1,
    weight: 2,
  });
  return list;
}

const SPECIAL_D = [
  0n,
  1n << 63n,
  0x7ff0000000000000n,
  0xfff0000000000000n,
  0x7ff8000000000000n,
  0x7ff0000000000001n,
  0xfff4000000000000n,
  0x7fefffffffffffffn,
  0x0010000000000000n,
  1n,
  0x800fffffffffffffn,
  0x3ff0000000000000n,
  0xbff0000000000000n,
  0x41e0000000000000n,
  0xc1e0000000200000n,
  0x43e0000000000000n,
  0x43f0000000000000n,
  0x41f0000000000000n,
  0x3fe0000000000000n,
  0x47efffffe0000000n,
  0x47effffff0000000n,
  0x36a0000000000000n,
];
const SPECIAL_S = [
  0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffa00000, 0x7f7fffff, 0x00800000,
  1, 0x807fffff, 0x3f800000, 0xbf800000, 0x4f000000, 0xcf000000, 0x5f000000, 0x5f800000, 0x4f800000,
  0x3f000000, 0xcf000001,
];

function generator(next: () => number) {
  const pick = <T>(a: readonly T[]) => a[next() % a.length]!;
  const bits = (n: number) => BigInt(next()) & ((1n << BigInt(n)) - 1n);
  function value(fmt: number): bigint {
    const [mbits, ebits] = fmt ? [52, 11] : [23, 8];
    if (next() % 10 === 0)
      return fmt ? pick(SPECIAL_D) : 0xffffffff00000000n | BigInt(pick(SPECIAL_S) >>> 0);
    const emax = (1 << ebits) - 1;
    const bias = emax >> 1;
    const e = [
      () => next() % (emax + 1),
      () => next() % 40, // subnormal and tiny
      () => emax - 1 - (next() % 40), // huge
      () => bias + 20 + (next() % 50), // integer-valued
      () => bias - 30 + (next() % 60),
    ][next() % 5]!();
    const full = (1n << BigInt(mbits)) - 1n;
    const m = [
      () => ((bits(32) << 32n) | bits(32)) & full,
      () => (bits(12) << BigInt(mbits - 12)) & full, // few significant bits
      () => full ^ bits(8), // almost all ones
    ][next() % 3]!();
    const v = (bits(1) << BigInt(mbits + ebits)) | (BigInt(e) << BigInt(mbits)) | m;
    if (fmt === 1) return v;
    // Now and then an improperly NaN-boxed single.
    return next() % 40 === 0 ? (bits(32) << 32n) | v : 0xffffffff00000000n | v;
  }
  /** Operands whose product or quotient lands near the underflow or overflow threshold. */
  function boundaryPair(fmt: number, mul: boolean): [bigint, bigint] {
    const [mbits, bias, emin, emax] = fmt ? [52, 1023, -1022, 1023] : [23, 127, -126, 127];
    const target = next() & 1 ? emin + (next() % 60) - 30 : emax - (next() % 4);
    const ea = (next() % (2 * bias)) - bias + 1;
    const clamp = (e: number) => Math.max(emin, Math.min(emax, e));
    const eb = clamp(mul ? target - ea : ea - target);
    const full = (1n << BigInt(mbits)) - 1n;
    const mk = (e: number) => {
      const m = next() % 2 ? full ^ bits(2) : bits(3);
      const v = (bits(1) << BigInt(fmt ? 63 : 31)) | (BigInt(e + bias) << BigInt(mbits)) | m;
      return fmt ? v : 0xffffffff00000000n | v;
    };
    return [mk(ea), mk(eb)];
  }
  function xvalue(): bigint {
    return [
      () => (bits(32) << 32n) | bits(32),
      () => BigInt.asUintN(64, BigInt(next() | 0)),
      () => bits(32),
      () => BigInt.asUintN(64, BigInt(next() | 0) << BigInt(next() % 40)),
      () => BigInt.asUintN(64, (1n << BigInt(53 + (next() % 11))) + BigInt((next() % 5) - 2)),
    ][next() % 5]!();
  }
  return { pick, value, boundaryPair, xvalue };
}

interface Case {
  insn: number;
  frm: number;
  f: [bigint, bigint, bigint];
  x: bigint;
}

function makeCases(seed: number, count: number): Case[] {
  const next = rng(seed);
  const g = generator(next);
  const weighted = kinds().flatMap((k) => Array<Kind>(k.weight).fill(k));
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const k = g.pick(weighted);
    const rm = next() % 8 === 0 ? next() % 5 : 7;
    const srcFmt = k.name === "fcvt.s.d" ? 1 : k.name === "fcvt.d.s" ? 0 : k.fmt;
    const f: [bigint, bigint, bigint] = [g.value(srcFmt), g.value(srcFmt), g.value(srcFmt)];
    if (
      k.sources >= 2 &&
      next() % 3 === 0 &&
      (k.name.startsWith("op") || k.name.startsWith("fma"))
    ) {
      const mul = k.name === "op2" || k.name.startsWith("fma");
      [f[0], f[1]] = g.boundaryPair(k.fmt, mul);
    }
    if (k.sources === 2 && next() % 5 === 0) f[1] = f[0] ^ BigInt(next() & 3);
    cases.push({ insn: k.insn(rm), frm: next() % 5, f, x: k.fromX ? g.xvalue() : 0n });
  }
  return cases;
}

const hex = (v: bigint | number, n: number) => v.toString(16).padStart(n, "0");

function runOurs(c: Case): string {
  const m = new FpMachine();
  m.frm = c.frm;
  for (const [i, v] of c.f.entries()) m.setFBits(i + 1, v);
  m.setX(11, c.x);
  m.setFBits(4, 0x1111111111111111n);
  m.setX(10, 0x2222222222222222n);
  if (!m.exec(c.insn)) return "illegal";
  return `${hex(m.getFBits(4), 16)} ${hex(m.getX(10), 16)} ${m.fflags.toString(16)}`;
}

describe.skipIf(!available)("differential test against qemu-riscv64", () => {
  it("agrees bit for bit on results and flags", { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "fpu-qemu-"));
    try {
      writeFileSync(join(dir, "harness.c"), HARNESS);
      execFileSync(CC, ["-O1", "-static", "-o", join(dir, "harness"), join(dir, "harness.c")]);
      const seed = Number(process.env.FPU_QEMU_SEED ?? 20240601);
      const cases = makeCases(seed, Number(process.env.FPU_QEMU_CASES ?? 20000));
      const input = cases
        .map(
          (c) =>
            `${hex(c.insn, 8)} ${c.frm} ${c.f.map((v) => hex(v, 16)).join(" ")} ${hex(c.x, 16)}\n`,
        )
        .join("");
      const lines = execFileSync(QEMU, [join(dir, "harness")], { input, maxBuffer: 1 << 28 })
        .toString()
        .trim()
        .split("\n");
      expect(lines.length).toBe(cases.length);
      const mismatches: string[] = [];
      for (const [i, c] of cases.entries()) {
        const ours = runOurs(c);
        if (ours !== lines[i]) {
          mismatches.push(
            `insn=${hex(c.insn, 8)} frm=${c.frm} f1..f3=${c.f.map((v) => hex(v, 16)).join(",")} ` +
              `x11=${hex(c.x, 16)}: qemu ${lines[i]} ours ${ours}`,
          );
        }
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
