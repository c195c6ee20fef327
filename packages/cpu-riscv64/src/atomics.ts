/**
 * The A extension: LR/SC with a single reservation (a physical address) and every AMO, W and
 * D. AMOs translate as stores (a read-only page gives a store/AMO fault) and must be
 * naturally aligned.
 */
import type { HartCore as Hart } from "./hart-core.js";
import { ACC_LOAD, ACC_STORE, CTX_V } from "./mmu.js";

const TWO32 = 4294967296;

export function executeAmo(h: Hart, insn: number, rd: number, rs1: number): void {
  const x = h.x;
  const f3 = (insn >> 12) & 7;
  if (f3 !== 2 && f3 !== 3) h.illegal();
  const size = f3 === 2 ? 4 : 8;
  const f5 = insn >>> 27;
  const va = x[rs1 * 2 + 1]! * TWO32 + (x[rs1 * 2]! >>> 0);
  const virt = (h.ctxData & CTX_V) !== 0;
  let olo: number;
  let ohi: number;
  if (f5 === 2) {
    if ((insn >> 20) & 31) h.illegal();
    if ((va & (size - 1)) !== 0) h.fault(4, va, 0, 0, virt);
    const pa = h.translate(va, ACC_LOAD);
    olo = h.physLoad(pa, size, va, 5);
    ohi = size === 8 ? h.hi : olo >> 31;
    h.resAddr = pa;
  } else {
    if ((va & (size - 1)) !== 0) h.fault(6, va, 0, 0, virt);
    const pa = h.translate(va, ACC_STORE);
    const rs2 = (insn >> 20) & 31;
    const bl = x[rs2 * 2]!;
    const bh = size === 8 ? x[rs2 * 2 + 1]! : bl >> 31;
    if (f5 === 3) {
      if (h.resAddr === pa) {
        h.physStore(pa, size, bl, bh, va);
        olo = 0;
      } else olo = 1;
      ohi = 0;
      h.resAddr = -1;
    } else {
      olo = h.physLoad(pa, size, va, 7);
      ohi = size === 8 ? h.hi : olo >> 31;
      let nlo: number;
      let nhi: number;
      switch (f5) {
        case 0x01:
          nlo = bl;
          nhi = bh;
          break;
        case 0x00:
          nlo = (olo + bl) | 0;
          nhi = (ohi + bh + (nlo >>> 0 < olo >>> 0 ? 1 : 0)) | 0;
          break;
        case 0x04:
          nlo = olo ^ bl;
          nhi = ohi ^ bh;
          break;
        case 0x0c:
          nlo = olo & bl;
          nhi = ohi & bh;
          break;
        case 0x08:
          nlo = olo | bl;
          nhi = ohi | bh;
          break;
        case 0x10:
        case 0x14: {
          const less = ohi < bh || (ohi === bh && olo >>> 0 < bl >>> 0);
          const pickOld = f5 === 0x10 ? less : !less;
          nlo = pickOld ? olo : bl;
          nhi = pickOld ? ohi : bh;
          break;
        }
        case 0x18:
        case 0x1c: {
          const less = ohi >>> 0 < bh >>> 0 || (ohi === bh && olo >>> 0 < bl >>> 0);
          const pickOld = f5 === 0x18 ? less : !less;
          nlo = pickOld ? olo : bl;
          nhi = pickOld ? ohi : bh;
          break;
        }
        default:
          h.illegal();
      }
      h.physStore(pa, size, nlo, nhi, va);
    }
  }
  if (rd !== 0) {
    x[rd * 2] = olo;
    x[rd * 2 + 1] = ohi;
  }
}
