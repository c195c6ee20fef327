/**
 * Physical memory protection: 64 entries, 4-byte grain, TOR/NA4/NAPOT matching and the L bit.
 * Entries are kept pre-decoded as [lo, hi) byte ranges so a check is a short scan; the hart
 * only runs it when filling its TLB, so the scan cost does not matter per access.
 */
export const PMP_ENTRIES = 64;
const TWO32 = 4294967296;

export const PmpAccess = { X: 4, R: 1, W: 2 } as const;

export class Pmp {
  readonly cfg = new Uint8Array(PMP_ENTRIES);
  /** pmpaddr values (physical address >> 2), 54 bits wide. */
  readonly addr = new Float64Array(PMP_ENTRIES);
  private readonly lo = new Float64Array(PMP_ENTRIES);
  private readonly hi = new Float64Array(PMP_ENTRIES);
  private active: number[] = [];

  reset(): void {
    this.cfg.fill(0);
    this.addr.fill(0);
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

  /** Writes pmpcfg{reg} (reg even, 0..14) from its lo/hi words. */
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

  readAddr(i: number): number {
    return this.addr[i]!;
  }

  /** Writes pmpaddr{i}; `value` is the CSR value (as a number, already below 2^54). */
  writeAddr(i: number, value: number): void {
    if (this.locked(i)) return;
    if (i + 1 < PMP_ENTRIES && this.locked(i + 1) && ((this.cfg[i + 1]! >> 3) & 3) === 1) return;
    this.addr[i] = value;
    this.recompute();
  }

  private recompute(): void {
    this.active = [];
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const a = (this.cfg[i]! >> 3) & 3;
      const v = this.addr[i]!;
      if (a === 0) continue;
      if (a === 1) {
        this.lo[i] = i === 0 ? 0 : this.addr[i - 1]! * 4;
        this.hi[i] = v * 4;
      } else if (a === 2) {
        this.lo[i] = v * 4;
        this.hi[i] = v * 4 + 4;
      } else {
        // NAPOT: trailing ones t give a 2^(t+3)-byte region.
        let t = 0;
        let rest = v;
        while (t < 54 && rest % 2 === 1) {
          t++;
          rest = Math.floor(rest / 2);
        }
        const size = 2 ** (t + 3);
        const base = v * 4 - ((v * 4) % size);
        this.lo[i] = base;
        this.hi[i] = base + size;
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

export function pmpAddrFromWords(lo: number, hi: number): number {
  return (hi & 0x3fffff) * TWO32 + (lo >>> 0);
}
