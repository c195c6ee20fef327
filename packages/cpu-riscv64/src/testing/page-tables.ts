/**
 * Hand-built RISC-V page tables in test RAM: Sv39/Sv48 (4 KiB root) and the G-stage
 * Sv39x4/Sv48x4 (16 KiB root, 11-bit top index). Entries are written in the spec's format
 * so the hart's walker reads real tables.
 */
import type { TestBus } from "./test-machine.js";

export const PTE = { V: 1, R: 2, W: 4, X: 8, U: 16, G: 32, A: 64, D: 128 } as const;

export class PageTables {
  /** Physical address of the root table. */
  readonly root: number;
  private next: number;

  /**
   * @param pool physical address of free RAM to take tables from (4 KiB aligned; 16 KiB for G)
   * @param levels 3 (Sv39/Sv39x4) or 4 (Sv48/Sv48x4)
   * @param gstage true for the x4 variants (16 KiB root)
   */
  constructor(
    private readonly bus: TestBus,
    pool: number,
    private readonly levels: 3 | 4,
    private readonly gstage = false,
  ) {
    this.root = pool;
    this.next = pool + (gstage ? 0x4000 : 0x1000);
  }

  /** Maps the page of `va` (level 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB) to `pa` with `flags`. */
  map(va: number, pa: number, flags: number, level = 0): number {
    let table = this.root;
    for (let i = this.levels - 1; i > level; i--) {
      const addr = table + this.index(va, i) * 8;
      const pte = this.bus.read64(addr);
      if ((pte & 1n) === 0n) {
        const t = this.next;
        this.next += 0x1000;
        this.bus.write64(addr, (BigInt(Math.floor(t / 4096)) << 10n) | 1n);
        table = t;
      } else table = Number(pte >> 10n) * 4096;
    }
    const addr = table + this.index(va, level) * 8;
    this.bus.write64(addr, (BigInt(Math.floor(pa / 4096)) << 10n) | BigInt(flags));
    return addr;
  }

  /** Physical address of the leaf PTE for `va` at `level` (after map()). */
  pteAddr(va: number, level = 0): number {
    let table = this.root;
    for (let i = this.levels - 1; i > level; i--) {
      const pte = this.bus.read64(table + this.index(va, i) * 8);
      table = Number(pte >> 10n) * 4096;
    }
    return table + this.index(va, level) * 8;
  }

  private index(va: number, level: number): number {
    const top = this.gstage && level === this.levels - 1;
    const v = Math.floor(va / 2 ** (12 + 9 * level));
    return top ? v & 2047 : v & 511;
  }

  /** satp/vsatp (mode 8/9) or hgatp value for this table. */
  atp(asidOrVmid = 0): bigint {
    const mode = this.levels === 3 ? 8n : 9n;
    return (mode << 60n) | (BigInt(asidOrVmid) << 44n) | BigInt(this.root / 4096);
  }
}
