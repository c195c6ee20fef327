/**
 * RVC (compressed) decoding: each 16-bit parcel is expanded once, at module load, into the
 * equivalent 32-bit instruction, so the executor has a single decoder. The expansion is also
 * what the H extension wants in htinst (with bit 1 cleared for a compressed original).
 */

function iType(imm: number, rs1: number, f3: number, rd: number, op: number): number {
  return ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
function sType(imm: number, rs2: number, rs1: number, f3: number, op: number): number {
  return (
    (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | op
  );
}
function bType(imm: number, rs2: number, rs1: number, f3: number): number {
  return (
    (((imm >> 12) & 1) << 31) |
    (((imm >> 5) & 0x3f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) |
    (((imm >> 11) & 1) << 7) |
    0x63
  );
}
function jType(imm: number, rd: number): number {
  return (
    (((imm >> 20) & 1) << 31) |
    (((imm >> 1) & 0x3ff) << 21) |
    (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) |
    (rd << 7) |
    0x6f
  );
}
function rType(f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
function bit(v: number, i: number): number {
  return (v >> i) & 1;
}
function bits(v: number, hi: number, lo: number): number {
  return (v >> lo) & ((1 << (hi - lo + 1)) - 1);
}
/** Sign-extends the low n bits. */
function sx(v: number, n: number): number {
  return (v << (32 - n)) >> (32 - n);
}

/** Expands one 16-bit instruction; 0 means illegal/reserved. */
export function expandCompressed(c: number): number {
  const op = c & 3;
  const f3 = (c >> 13) & 7;
  const rdp = bits(c, 4, 2) + 8; // rd'/rs2'
  const rs1p = bits(c, 9, 7) + 8; // rs1'/rd'
  const rd = bits(c, 11, 7);
  const rs2 = bits(c, 6, 2);
  const imm6 = sx((bit(c, 12) << 5) | bits(c, 6, 2), 6);
  if (op === 0) {
    const off8 = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6); // C.LD/C.SD/C.FLD/C.FSD
    const off4 = (bits(c, 12, 10) << 3) | (bit(c, 6) << 2) | (bit(c, 5) << 6); // C.LW/C.SW
    switch (f3) {
      case 0: {
        const imm =
          (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bit(c, 6) << 2) | (bit(c, 5) << 3);
        return imm === 0 ? 0 : iType(imm, 2, 0, rdp, 0x13);
      }
      case 1:
        return iType(off8, rs1p, 3, rdp, 0x07);
      case 2:
        return iType(off4, rs1p, 2, rdp, 0x03);
      case 3:
        return iType(off8, rs1p, 3, rdp, 0x03);
      case 5:
        return sType(off8, rdp, rs1p, 3, 0x27);
      case 6:
        return sType(off4, rdp, rs1p, 2, 0x23);
      case 7:
        return sType(off8, rdp, rs1p, 3, 0x23);
      default:
        return 0;
    }
  }
  if (op === 1) {
    switch (f3) {
      case 0:
        return iType(imm6, rd, 0, rd, 0x13);
      case 1:
        return rd === 0 ? 0 : iType(imm6, rd, 0, rd, 0x1b);
      case 2:
        return iType(imm6, 0, 0, rd, 0x13);
      case 3: {
        if (rd === 2) {
          const imm = sx(
            (bit(c, 12) << 9) |
              (bit(c, 6) << 4) |
              (bit(c, 5) << 6) |
              (bits(c, 4, 3) << 7) |
              (bit(c, 2) << 5),
            10,
          );
          return imm === 0 ? 0 : iType(imm, 2, 0, 2, 0x13);
        }
        if (imm6 === 0) return 0;
        return ((imm6 << 12) & 0xfffff000) | (rd << 7) | 0x37;
      }
      case 4: {
        const f2 = bits(c, 11, 10);
        const sh = (bit(c, 12) << 5) | bits(c, 6, 2);
        if (f2 === 0) return iType(sh, rs1p, 5, rs1p, 0x13);
        if (f2 === 1) return iType(sh | 0x400, rs1p, 5, rs1p, 0x13);
        if (f2 === 2) return iType(imm6, rs1p, 7, rs1p, 0x13);
        const sub = bits(c, 6, 5);
        if (bit(c, 12) === 0) {
          if (sub === 0) return rType(0x20, rdp, rs1p, 0, rs1p, 0x33);
          if (sub === 1) return rType(0, rdp, rs1p, 4, rs1p, 0x33);
          if (sub === 2) return rType(0, rdp, rs1p, 6, rs1p, 0x33);
          return rType(0, rdp, rs1p, 7, rs1p, 0x33);
        }
        if (sub === 0) return rType(0x20, rdp, rs1p, 0, rs1p, 0x3b);
        if (sub === 1) return rType(0, rdp, rs1p, 0, rs1p, 0x3b);
        return 0;
      }
      case 5: {
        const imm = sx(
          (bit(c, 12) << 11) |
            (bit(c, 11) << 4) |
            (bits(c, 10, 9) << 8) |
            (bit(c, 8) << 10) |
            (bit(c, 7) << 6) |
            (bit(c, 6) << 7) |
            (bits(c, 5, 3) << 1) |
            (bit(c, 2) << 5),
          12,
        );
        return jType(imm, 0);
      }
      default: {
        const imm = sx(
          (bit(c, 12) << 8) |
            (bits(c, 11, 10) << 3) |
            (bits(c, 6, 5) << 6) |
            (bits(c, 4, 3) << 1) |
            (bit(c, 2) << 5),
          9,
        );
        return bType(imm, 0, rs1p, f3 === 6 ? 0 : 1);
      }
    }
  }
  if (op === 2) {
    switch (f3) {
      case 0: {
        const sh = (bit(c, 12) << 5) | bits(c, 6, 2);
        return iType(sh, rd, 1, rd, 0x13);
      }
      case 1: {
        const off = (bit(c, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);
        return iType(off, 2, 3, rd, 0x07);
      }
      case 2: {
        const off = (bit(c, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);
        return rd === 0 ? 0 : iType(off, 2, 2, rd, 0x03);
      }
      case 3: {
        const off = (bit(c, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);
        return rd === 0 ? 0 : iType(off, 2, 3, rd, 0x03);
      }
      case 4:
        if (bit(c, 12) === 0) {
          if (rs2 === 0) return rd === 0 ? 0 : iType(0, rd, 0, 0, 0x67);
          return rType(0, rs2, 0, 0, rd, 0x33);
        }
        if (rs2 === 0) {
          if (rd === 0) return 0x00100073; // ebreak
          return iType(0, rd, 0, 1, 0x67);
        }
        return rType(0, rs2, rd, 0, rd, 0x33);
      case 5: {
        const off = (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6);
        return sType(off, rs2, 2, 3, 0x27);
      }
      case 6: {
        const off = (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6);
        return sType(off, rs2, 2, 2, 0x23);
      }
      default: {
        const off = (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6);
        return sType(off, rs2, 2, 3, 0x23);
      }
    }
  }
  return 0;
}

/** The expansion of every 16-bit parcel (index = parcel), 0 for illegal ones. */
export const RVC_TABLE: Int32Array = (() => {
  const t = new Int32Array(65536);
  for (let c = 0; c < 65536; c++) if ((c & 3) !== 3) t[c] = expandCompressed(c);
  return t;
})();
