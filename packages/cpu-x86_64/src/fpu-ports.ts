/**
 * The core's side of the floating-point unit's contract (fpu/contract.ts): general registers
 * and RFLAGS as the unit sees them, and memory at linear addresses through the core's
 * segmentation-free linear access path (translation, #PF, EPT). A fault inside the unit's
 * access is caught here, remembered, and reported as `false`; the core raises it again once the
 * unit has returned (the unit changes nothing when an access fails).
 */
import { FAULT, VMEXIT, wrap64, type X86Cpu } from "./cpu.js";
import type { GprPort, MemPort } from "./fpu/contract.js";
import { AF, CF, OF, PF, SF, ZF } from "./regs.js";

const TWO32 = 4294967296;

export class FpuPorts implements GprPort, MemPort {
  /** The fault (FAULT or VMEXIT) a memory access hit, to be raised again by the core. */
  pending: typeof FAULT | typeof VMEXIT | null = null;

  constructor(private readonly cpu: X86Cpu) {}

  getLo(n: number): number {
    return this.cpu.rlo[n]! >>> 0;
  }

  getHi(n: number): number {
    return this.cpu.rhi[n]! >>> 0;
  }

  set(n: number, lo: number, hi: number): void {
    this.cpu.rlo[n] = lo;
    this.cpu.rhi[n] = hi;
  }

  getFlags(): number {
    return this.cpu.flags;
  }

  setFlags(zf: boolean, pf: boolean, cf: boolean, sf = false, of = false): void {
    const c = this.cpu;
    c.flags =
      (c.flags & ~(ZF | PF | CF | OF | SF | AF)) |
      (zf ? ZF : 0) |
      (pf ? PF : 0) |
      (cf ? CF : 0) |
      (sf ? SF : 0) |
      (of ? OF : 0);
  }

  read(eaLo: number, eaHi: number, len: number, out: Uint8Array, off: number): boolean {
    const c = this.cpu;
    const lin = c.lin32 ? eaLo >>> 0 : wrap64((eaHi | 0) * TWO32 + (eaLo >>> 0));
    try {
      let i = 0;
      for (; i + 4 <= len && ((lin + i) & 0xfff) <= 0xffc; i += 4) {
        const v = c.readLin(c.linAdd(lin, i), 4);
        out[off + i] = v;
        out[off + i + 1] = v >>> 8;
        out[off + i + 2] = v >>> 16;
        out[off + i + 3] = v >>> 24;
      }
      for (; i < len; i++) out[off + i] = c.readLin(c.linAdd(lin, i), 1);
      return true;
    } catch (e) {
      return this.caught(e);
    }
  }

  write(eaLo: number, eaHi: number, len: number, src: Uint8Array, off: number): boolean {
    const c = this.cpu;
    const lin = c.lin32 ? eaLo >>> 0 : wrap64((eaHi | 0) * TWO32 + (eaLo >>> 0));
    try {
      // Probe every page first so a fault leaves memory untouched.
      for (let p = 0; p < len; p += 0x1000 - ((lin + p) & 0xfff)) c.probeWrite(c.linAdd(lin, p), 1);
      c.probeWrite(c.linAdd(lin, len - 1), 1);
      for (let i = 0; i < len; i++) c.writeLin(c.linAdd(lin, i), 1, src[off + i]!);
      return true;
    } catch (e) {
      return this.caught(e);
    }
  }

  private caught(e: unknown): false {
    if (e === FAULT) this.pending = FAULT;
    else if (e === VMEXIT) this.pending = VMEXIT;
    else throw e;
    return false;
  }
}
