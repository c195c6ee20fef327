/**
 * Slots of the hart's 64-bit CSR storage (`Hart.c64`, an Int32Array of lo/hi pairs:
 * slot s is c64[2s] lo, c64[2s+1] hi). Plain read/write CSRs live here so that no BigInt
 * is needed to hold them.
 */
export const Slot = {
  mscratch: 0,
  mepc: 1,
  mtval: 2,
  mtvec: 3,
  sscratch: 4,
  sepc: 5,
  stval: 6,
  stvec: 7,
  satp: 8,
  stimecmp: 9,
  vsscratch: 10,
  vsepc: 11,
  vstval: 12,
  vstvec: 13,
  vsatp: 14,
  vstimecmp: 15,
  hgatp: 16,
  htval: 17,
  htinst: 18,
  mtval2: 19,
  mtinst: 20,
  htimedelta: 21,
  mcause: 22,
  scause: 23,
  vscause: 24,
} as const;
export const SLOT_COUNT = 25;
