import type { Aarch64Cpu } from "@axvisor/cpu-aarch64";

const TWO32 = 4294967296;

/**
 * A vCPU's own system registers while it is not on a CPU, as 32-bit word pairs in a fixed
 * order: the world switch of every slice (`bind` loads them into the CPU, `unbind` stores them
 * back) moves words through the CPU's register file without a BigInt per register. The
 * order is the load order (CNTVOFF_EL2 before the timer registers that depend on it).
 */
export class SysRegFile {
  /** The registers, in load order. */
  readonly encs: readonly number[];
  private readonly index = new Map<number, number>();
  private readonly words: Int32Array;

  constructor(initial: readonly (readonly [number, bigint])[]) {
    this.encs = initial.map(([enc]) => enc);
    this.words = new Int32Array(2 * initial.length);
    initial.forEach(([enc, value], i) => {
      this.index.set(enc, i);
      this.setAt(i, value);
    });
  }

  has(enc: number): boolean {
    return this.index.has(enc);
  }

  /** The saved value; 0 for a register the file does not hold. */
  get(enc: number): bigint {
    const i = this.index.get(enc);
    if (i === undefined) return 0n;
    return (BigInt(this.words[2 * i + 1]! >>> 0) << 32n) | BigInt(this.words[2 * i]! >>> 0);
  }

  /** Sets a held register (modulo 2^64); others are ignored. */
  set(enc: number, value: bigint): void {
    const i = this.index.get(enc);
    if (i !== undefined) this.setAt(i, value);
  }

  /** Writes every register into `cpu` (as the hypervisor's MSRs would), in load order. */
  load(cpu: Aarch64Cpu): void {
    const w = this.words;
    const encs = this.encs;
    for (let i = 0; i < encs.length; i++) {
      const enc = encs[i]!;
      if (!cpu.sys.write(enc, w[2 * i]!, w[2 * i + 1]!, 2, false)) {
        throw new Error(`SysRegFile: the CPU has no writable system register ${hex(enc)}`);
      }
    }
  }

  /** Reads every register back from `cpu`. */
  store(cpu: Aarch64Cpu): void {
    const w = this.words;
    const encs = this.encs;
    const sys = cpu.sys;
    for (let i = 0; i < encs.length; i++) {
      const enc = encs[i]!;
      if (!sys.read(enc, 2, false)) {
        throw new Error(`SysRegFile: the CPU has no system register ${hex(enc)}`);
      }
      w[2 * i] = sys.lo;
      w[2 * i + 1] = sys.hi;
    }
  }

  private setAt(i: number, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.words[2 * i] = Number(v % BigInt(TWO32)) | 0;
    this.words[2 * i + 1] = Number(v >> 32n) | 0;
  }
}

function hex(enc: number): string {
  return `0x${enc.toString(16)}`;
}
