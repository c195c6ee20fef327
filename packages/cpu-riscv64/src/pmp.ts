/**
 * Physical memory protection: 16 entries (as QEMU 7.2's virt harts: OpenSBI reports "PMP Count
 * 16"), 4-byte grain, TOR/NA4/NAPOT matching and the L bit.
 * Entries are kept pre-decoded as [lo, hi) byte ranges so a check is a short scan; the hart
 * only runs it when filling its TLB, so the scan cost does not matter per access.
 */
export const PMP_ENTRIES = 16;
/** pmpcfg registers that exist on RV64 with 16 entries: pmpcfg0 and pmpcfg2. */
export const PMP_CFG_REGS = PMP_ENTRIES / 4;
const TWO32 = 4294967296;

export const PmpAccess = { X: 4, R: 1, W: 2 } as const;

export class Pmp {
  readonly cfg = new Uint8Array(PMP_ENTRIES);
  /** pmpaddr values (physical address >> 2, 54 bits) as lo/hi words: 2^54-1 is not a double. */
  readonly addrLo = new Int32Array(PMP_ENTRIES);
  readonly addrHi = new Int32Array(PMP_ENTRIES);
  private readonly lo = new Float64Array(PMP_ENTRIES);
  private readonly hi = new Float64Array(PMP_ENTRIES);
  private active: number[] = [];

  reset(): void {
    this.cfg.fill(0);
    this.addrLo.fill(0);
    this.addrHi.fill(0);
    this.recompute();
  }

  /** True when no entry is enabled: then everything is allowed (as QEMU does). */
  get inactive(): boolean {
    return this.active.length === 0;
  }

  private locked(i: number): boolean {
    return (this.cfg[i]! & 0x80) !== 0;
  }

  readCfg(reg: number): [number, number] {
    const base = reg * 4;
    let lo = 0;
    let hi = 0;
    for (let b = 0; b < 4; b++) lo |= this.cfg[base + b]! << (8 * b);
    for (let b = 0; b < 4; b++) hi |= this.cfg[base + 4 + b]! << (8 * b);
    return [lo, hi];
  }

  /** Writes pmpcfg{reg} (reg even, 0 or 2) from its lo/hi words. */
  writeCfg(reg: number, lo: number, hi: number): void {
    const base = reg * 4;
    for (let b = 0; b < 8; b++) {
      const i = base + b;
      if (this.locked(i)) continue;
      let v = (b < 4 ? lo >>> (8 * b) : hi >>> (8 * (b - 4))) & 0x9f;
      if ((v & 3) === 2) v &= ~2; // W without R is reserved
      this.cfg[i] = v;
    }
    this.recompute();
  }

  readAddrLo(i: number): number {
    return this.addrLo[i]!;
  }
  readAddrHi(i: number): number {
    return this.addrHi[i]!;
  }

  /** Writes pmpaddr{i} from the CSR value's words (bits 63:54 are read-only zero). */
  writeAddr(i: number, lo: number, hi: number): void {
    if (this.locked(i)) return;
    if (i + 1 < PMP_ENTRIES && this.locked(i + 1) && ((this.cfg[i + 1]! >> 3) & 3) === 1) return;
    this.addrLo[i] = lo;
    this.addrHi[i] = hi & 0x3fffff;
    this.recompute();
  }

  /** pmpaddr{i} * 4 as a number (a byte address; inexact only beyond 2^53, past any RAM). */
  private byteAddr(i: number): number {
    return ((this.addrHi[i]! >>> 0) * TWO32 + (this.addrLo[i]! >>> 0)) * 4;
  }

  private recompute(): void {
    this.active = [];
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const a = (this.cfg[i]! >> 3) & 3;
      if (a === 0) continue;
      if (a === 1) {
        this.lo[i] = i === 0 ? 0 : this.byteAddr(i - 1);
        this.hi[i] = this.byteAddr(i);
      } else if (a === 2) {
        this.lo[i] = this.byteAddr(i);
        this.hi[i] = this.lo[i]! + 4;
      } else {
        // NAPOT: t trailing ones give a 2^(t+3)-byte region.
        const lo = this.addrLo[i]!;
        const hi = this.addrHi[i]!;
        let t = 0;
        if (lo === -1) {
          t = 32;
          while (t < 54 && ((hi >>> (t - 32)) & 1) === 1) t++;
        } else {
          while (((lo >>> t) & 1) === 1) t++;
        }
        const size = 2 ** (t + 3);
        // Clear the low t+1 bits of the address (the trailing ones and the zero after them).
        let blo = lo;
        let bhi = hi;
        if (t + 1 >= 32) {
          blo = 0;
          bhi = t + 1 - 32 >= 32 ? 0 : bhi & ~((2 ** (t + 1 - 32) - 1) | 0);
        } else blo = lo & ~((1 << (t + 1)) - 1);
        this.lo[i] = ((bhi >>> 0) * TWO32 + (blo >>> 0)) * 4;
        this.hi[i] = this.lo[i]! + size;
      }
      if (this.hi[i]! > this.lo[i]!) this.active.push(i);
    }
  }

  /**
   * Checks an access of `len` bytes at `pa` with permission bit `perm` (PmpAccess) from
   * privilege `priv`. Returns true when allowed.
   */
  check(pa: number, len: number, perm: number, priv: number): boolean {
    const act = this.active;
    if (act.length === 0) return true;
    const end = pa + len;
    for (let k = 0; k < act.length; k++) {
      const i = act[k]!;
      const lo = this.lo[i]!;
      const hi = this.hi[i]!;
      if (end <= lo || pa >= hi) continue;
      if (pa < lo || end > hi) return false; // partial match fails
      const c = this.cfg[i]!;
      if (priv === 3 && (c & 0x80) === 0) return true;
      return (c & perm) !== 0;
    }
    return priv === 3;
  }
}
