/**
 * Runs a differential-test case through this unit the way harness.c runs it on a CPU: FXRSTOR
 * of the case's state, the instruction (decoded here just far enough: prefixes, REX, escape or
 * 0F/0F38/0F3A map, ModRM with a register or [rbx], imm8), FXSAVE, and the same output line.
 */
import type { GprPort, MemPort, SseInsn } from "../contract.js";
import { fxrstor, fxsave } from "../fxsave.js";
import { executeSse, sseHasImm8 } from "../index.js";
import { FpuState } from "../state.js";
import { executeX87 } from "../x87/execute.js";
import { type Case, extHex } from "./cases.js";

const MEM_ADDR = 0x10000;
const IMAGE_ADDR = 0x20000;

const hex = (v: number, digits: number) => (v >>> 0).toString(16).padStart(digits, "0");

class Ports implements GprPort, MemPort {
  raxLo = 0;
  raxHi = 0;
  rcxLo = 0;
  rcxHi = 0;
  rdxLo = 0;
  rdxHi = 0;
  rflags = 0;
  readonly mem = new Uint8Array(32);
  readonly image = new Uint8Array(512);

  getLo(n: number): number {
    return [this.raxLo, this.rcxLo, this.rdxLo, MEM_ADDR][n] ?? 0;
  }
  getHi(n: number): number {
    return [this.raxHi, this.rcxHi, this.rdxHi, 0][n] ?? 0;
  }
  set(n: number, lo: number, hi: number): void {
    if (n === 0) {
      this.raxLo = lo >>> 0;
      this.raxHi = hi >>> 0;
    } else if (n === 1) {
      this.rcxLo = lo >>> 0;
      this.rcxHi = hi >>> 0;
    } else throw new Error(`unexpected write of GPR ${n}`);
  }
  getFlags(): number {
    return this.rflags;
  }
  setFlags(zf: boolean, pf: boolean, cf: boolean, sf = false, of = false): void {
    this.rflags =
      (this.rflags & ~0x8d5) |
      (zf ? 0x40 : 0) |
      (pf ? 4 : 0) |
      (cf ? 1 : 0) |
      (sf ? 0x80 : 0) |
      (of ? 0x800 : 0);
  }
  private area(lo: number, len: number): [Uint8Array, number] | null {
    if (lo >= MEM_ADDR && lo + len <= MEM_ADDR + 32) return [this.mem, lo - MEM_ADDR];
    if (lo >= IMAGE_ADDR && lo + len <= IMAGE_ADDR + 512) return [this.image, lo - IMAGE_ADDR];
    return null;
  }
  read(lo: number, hi: number, len: number, out: Uint8Array, off: number): boolean {
    const a = hi === 0 ? this.area(lo, len) : null;
    if (!a) return false;
    out.set(a[0].subarray(a[1], a[1] + len), off);
    return true;
  }
  write(lo: number, hi: number, len: number, src: Uint8Array, off: number): boolean {
    const a = hi === 0 ? this.area(lo, len) : null;
    if (!a) return false;
    a[0].set(src.subarray(off, off + len), a[1]);
    return true;
  }
}

/** Executes the case; returns the harness's output line, or an error name (UD, GP...). */
export function runOurs(c: Case): string {
  const ports = new Ports();
  ports.raxLo = c.raxLo;
  ports.raxHi = c.raxHi;
  ports.rdxLo = c.rdxLo;
  ports.rdxHi = c.rdxHi;
  ports.rflags = c.rflags;
  ports.mem.set(c.mem);
  const img = new DataView(ports.image.buffer);
  img.setUint16(0, c.fcw, true);
  img.setUint16(2, c.fsw, true);
  img.setUint8(4, c.ftw);
  img.setUint32(24, c.mxcsr, true);
  c.st.forEach((e, i) => {
    img.setUint32(32 + 16 * i, e.lo, true);
    img.setUint32(36 + 16 * i, e.hi, true);
    img.setUint16(40 + 16 * i, e.se, true);
  });
  c.xmm.forEach((x, n) => {
    for (let k = 0; k < 4; k++) img.setUint32(160 + 16 * n + 4 * k, x[k]!, true);
  });
  const state = new FpuState();
  if (fxrstor(state, ports, IMAGE_ADDR, 0, true) !== 0) return "fxrstor failed";

  const code = c.code;
  let i = 0;
  let prefix = 0;
  let rex = 0;
  for (;;) {
    const b = code[i]!;
    if (b === 0x66 && prefix === 0) prefix = 0x66;
    else if (b === 0xf2 || b === 0xf3) prefix = b;
    else if ((b & 0xf0) === 0x40) rex = b;
    else break;
    i++;
  }
  let result: number;
  const op0 = code[i]!;
  const ea = (modrm: number) => (modrm < 0xc0 ? MEM_ADDR : 0);
  if (op0 >= 0xd8 && op0 <= 0xdf) {
    const modrm = code[i + 1]!;
    result = executeX87(op0, modrm, ea(modrm), 0, state, ports, ports);
  } else if (op0 === 0x0f) {
    i++;
    let map = 1;
    if (code[i] === 0x38 || code[i] === 0x3a) {
      map = code[i] === 0x38 ? 2 : 3;
      i++;
    }
    const opcode = code[i++]!;
    const modrm = code[i++] ?? 0xc0;
    const insn: SseInsn = {
      prefix,
      map,
      opcode,
      reg: ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0),
      rm: modrm >= 0xc0 ? (modrm & 7) | (rex & 1 ? 8 : 0) : -1,
      eaLo: ea(modrm),
      eaHi: 0,
      rexW: (rex & 8) !== 0,
      imm8: sseHasImm8(map, prefix, opcode) ? code[i]! : 0,
    };
    result = executeSse(insn, state, ports, ports);
  } else return "not an FPU instruction";
  if (result !== 0) return ["OK", "UD", "FAULT", "XM", "MF", "GP"][result] ?? `result ${result}`;

  if (fxsave(state, ports, IMAGE_ADDR, 0, true) !== 0) return "fxsave failed";
  const st: string[] = [];
  for (let k = 0; k < 8; k++)
    st.push(
      extHex({
        se: img.getUint16(40 + 16 * k, true),
        hi: img.getUint32(36 + 16 * k, true),
        lo: img.getUint32(32 + 16 * k, true),
      }),
    );
  const xmm: string[] = [];
  for (let n = 0; n < 3; n++) {
    let s = "";
    for (let k = 3; k >= 0; k--) s += hex(img.getUint32(160 + 16 * n + 4 * k, true), 8);
    xmm.push(s);
  }
  let mem = "";
  for (let k = 31; k >= 0; k--) mem += hex(ports.mem[31 - k]!, 2);
  return [
    hex(img.getUint16(2, true), 4),
    hex(img.getUint8(4), 2),
    hex(img.getUint16(0, true), 4),
    hex(img.getUint32(24, true), 8),
    hex(0, 8) + hex(ports.rflags & 0x8d5, 8),
    hex(ports.raxHi, 8) + hex(ports.raxLo, 8),
    hex(ports.rcxHi, 8) + hex(ports.rcxLo, 8),
    ...st,
    ...xmm,
    mem,
  ].join(" ");
}

const NAMES = [
  "fsw",
  "ftw",
  "fcw",
  "mxcsr",
  "flags",
  "rax",
  "rcx",
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => `st${k}`),
  "x0",
  "x1",
  "x2",
  "mem",
];

/**
 * The output line reduced to what the instruction changed: fsw, ftw and flags always, then
 * name=value for every other field that differs from the input state.
 */
export function compact(input: string, output: string): string {
  const out = output.trim().split(/\s+/);
  if (out.length !== NAMES.length) return output.trim();
  const inp = input.trim().split(/\s+/).slice(1);
  // input order: fcw fsw ftw mxcsr rflags rax rdx st0..7 x0..2 mem (rcx starts as 0)
  const before: Record<string, string> = {
    fcw: inp[0]!,
    fsw: inp[1]!,
    ftw: inp[2]!,
    mxcsr: inp[3]!,
    rax: inp[5]!,
    rcx: "0".repeat(16),
  };
  for (let k = 0; k < 8; k++) before[`st${k}`] = inp[7 + k]!;
  for (let k = 0; k < 3; k++) before[`x${k}`] = inp[15 + k]!;
  before.mem = inp[18]!;
  const parts = [out[0], out[1], out[4]!.slice(13)];
  NAMES.forEach((name, k) => {
    if (name === "fsw" || name === "ftw" || name === "flags") return;
    if (before[name] !== out[k]) parts.push(`${name}=${out[k]}`);
  });
  return parts.join(" ");
}
