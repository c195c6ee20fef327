/**
 * Differential test against QEMU 7.2 (qemu-aarch64 -cpu cortex-a57): random SIMD&FP
 * instructions on random V0..V3, X0..X3, FPCR and NZCV (./qemu-diff/cases.ts) must leave
 * exactly the registers, FPSR, NZCV and UNDEFINED outcome that QEMU left. QEMU's outcomes are
 * recorded as one FNV-1a digest per case in ./qemu-diff/<suite>.digests, so the test needs no
 * cross tools. FPSIMD_QEMU_RECORD=1 re-records them (needs qemu-user).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FPSIMD_FAULT, FPSIMD_UNDEFINED, type GprPort, type SimdMemPort } from "./contract.js";
import { executeFpSimd, executeFpSimdLoadStore, isFpSimdLoadStore } from "./index.js";
import { DATA_BASE, DATA_SIZE, digest, generate, RECORD } from "./qemu-diff/cases.js";
import { SUITES } from "./qemu-diff/suites.js";
import { FpSimdRegs } from "./regs.js";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "qemu-diff");
const RECORD_MODE = process.env.FPSIMD_QEMU_RECORD === "1";

function runQemu(input: Uint8Array): Uint8Array {
  const r = spawnSync("qemu-aarch64", ["-cpu", "cortex-a57", join(DIR, "harness")], {
    input,
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`harness failed: ${r.stderr}`);
  return new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length);
}

/** The harness's data page, reset before each case like the harness does. */
const PATTERN = Uint8Array.from({ length: DATA_SIZE }, (_, i) => (i * 37 + 11) & 0xff);

function fnv(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
const PRISTINE = fnv(PATTERN);

/** Runs one harness input record through our unit, producing the harness output record. */
class Runner implements GprPort, SimdMemPort {
  readonly regs = new FpSimdRegs();
  readonly x = new Int32Array(8);
  readonly data = new Uint8Array(DATA_SIZE);
  dirty = true;
  nzcv = 0;
  constructor() {
    // QEMU's cortex-a57 has the cryptographic extension.
    this.regs.crypto = true;
  }
  read(vaLo: number, vaHi: number, len: number, out: Uint8Array, off: number): boolean {
    const a = (vaLo >>> 0) - DATA_BASE;
    if (vaHi !== 0 || a < 0 || a + len > DATA_SIZE) return false;
    out.set(this.data.subarray(a, a + len), off);
    return true;
  }
  write(vaLo: number, vaHi: number, len: number, src: Uint8Array, off: number): boolean {
    const a = (vaLo >>> 0) - DATA_BASE;
    if (vaHi !== 0 || a < 0 || a + len > DATA_SIZE) return false;
    this.data.set(src.subarray(off, off + len), a);
    this.dirty = true;
    return true;
  }
  getPcLo(): number {
    return 0;
  }
  getPcHi(): number {
    return 0;
  }
  getLo(n: number): number {
    return n < 4 ? this.x[n * 2]! : 0;
  }
  getHi(n: number): number {
    return n < 4 ? this.x[n * 2 + 1]! : 0;
  }
  set(n: number, lo: number, hi: number): void {
    if (n < 4) {
      this.x[n * 2] = lo;
      this.x[n * 2 + 1] = hi;
    }
  }
  getBaseLo(n: number): number {
    return this.getLo(n);
  }
  getBaseHi(n: number): number {
    return this.getHi(n);
  }
  setBase(n: number, lo: number, hi: number): void {
    this.set(n, lo, hi);
  }
  getNzcv(): number {
    return this.nzcv;
  }
  setNzcv(n: number): void {
    this.nzcv = n;
  }

  run(input: Uint8Array, off: number, out: Uint8Array): void {
    const v = new DataView(input.buffer, input.byteOffset + off, RECORD);
    const insn = v.getUint32(0, true);
    this.regs.reset();
    this.regs.fpcr = v.getUint32(4, true);
    this.nzcv = v.getUint32(8, true) >>> 28;
    this.regs.u8.set(input.subarray(off + 16, off + 80), 0);
    for (let i = 0; i < 8; i++) this.x[i] = v.getInt32(80 + i * 4, true);
    if (this.dirty) {
      this.data.set(PATTERN);
      this.dirty = false;
    }
    const result = isFpSimdLoadStore(insn)
      ? executeFpSimdLoadStore(insn, this.regs, this, this)
      : executeFpSimd(insn, this.regs, this);
    out.fill(0);
    const o = new DataView(out.buffer, out.byteOffset, RECORD);
    out.set(this.regs.u8.subarray(0, 64), 0);
    for (let i = 0; i < 8; i++) o.setInt32(64 + i * 4, this.x[i]!, true);
    o.setUint32(96, this.regs.fpsr >>> 0, true);
    o.setUint32(100, (this.nzcv << 28) >>> 0, true);
    o.setUint32(104, result === FPSIMD_UNDEFINED ? 1 : result === FPSIMD_FAULT ? 2 : 0, true);
    o.setUint32(108, this.dirty ? fnv(this.data) : PRISTINE, true);
  }
}

function describeRecord(b: Uint8Array): string {
  const hex = (s: number, n: number) => Buffer.from(b.subarray(s, s + n)).toString("hex");
  const v = new DataView(b.buffer, b.byteOffset, RECORD);
  return `V0=${hex(0, 16)} V1=${hex(16, 16)} V2=${hex(32, 16)} V3=${hex(48, 16)} X0..3=${hex(64, 32)} fpsr=${v.getUint32(96, true).toString(16)} nzcv=${(v.getUint32(100, true) >>> 28).toString(16)} undef=${v.getUint32(104, true)}`;
}

function describeInput(rec: Uint8Array): string {
  const hex = (s: number, n: number) => Buffer.from(rec.subarray(s, s + n)).toString("hex");
  return `V0=${hex(16, 16)} V1=${hex(32, 16)} V2=${hex(48, 16)} V3=${hex(64, 16)} X0..3=${hex(80, 32)}`;
}

describe("FP/AdvSIMD unit against QEMU 7.2 cortex-a57", () => {
  for (const suite of SUITES) {
    const file = join(DIR, `${suite.name}.digests`);
    it(`${suite.name}: ${suite.count} random cases agree bit for bit`, () => {
      const names: string[] = [];
      const input = generate(suite.templates, suite.seed, suite.count, names, suite.memory);
      if (RECORD_MODE) {
        const out = runQemu(input);
        const d = new Uint32Array(suite.count);
        for (let k = 0; k < suite.count; k++) d[k] = digest(out, k * RECORD);
        writeFileSync(file, new Uint8Array(d.buffer));
      }
      expect(existsSync(file)).toBe(true);
      const expected = new Uint32Array(new Uint8Array(readFileSync(file)).buffer);
      expect(expected.length).toBe(suite.count);
      const runner = new Runner();
      const out = new Uint8Array(RECORD);
      const failures: number[] = [];
      const byTemplate = new Map<string, number>();
      for (let k = 0; k < suite.count; k++) {
        runner.run(input, k * RECORD, out);
        if (digest(out, 0) !== expected[k]) {
          failures.push(k);
          byTemplate.set(names[k]!, (byTemplate.get(names[k]!) ?? 0) + 1);
        }
      }
      if (failures.length > 0) {
        const show = failures.slice(0, 12);
        const qemu = spawnSync("qemu-aarch64", ["--version"]).status === 0;
        const lines = [`${failures.length} mismatches: ${JSON.stringify([...byTemplate])}`];
        const ours = new Uint8Array(RECORD);
        for (const k of show) {
          const rec = input.subarray(k * RECORD, (k + 1) * RECORD);
          runner.run(input, k * RECORD, ours);
          const v = new DataView(rec.buffer, rec.byteOffset, RECORD);
          lines.push(
            `#${k} ${names[k]} insn=${v.getUint32(0, true).toString(16).padStart(8, "0")} fpcr=${v.getUint32(4, true).toString(16)} nzcv=${(v.getUint32(8, true) >>> 28).toString(16)}`,
            `  in   ${describeInput(rec)}`,
            `  ours ${describeRecord(ours)}`,
          );
          if (qemu) lines.push(`  qemu ${describeRecord(runQemu(rec))}`);
        }
        expect.fail(lines.join("\n"));
      }
    }, 600_000);
  }
});
