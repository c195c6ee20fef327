/** CSR numbers and bits the backend programs (privileged specification, H extension chapter). */
export const Csr = {
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  vsstatus: 0x200,
  vsie: 0x204,
  vstvec: 0x205,
  vsscratch: 0x240,
  vsepc: 0x241,
  vscause: 0x242,
  vstval: 0x243,
  vsip: 0x244,
  vstimecmp: 0x24d,
  vsatp: 0x280,
  hstatus: 0x600,
  hedeleg: 0x602,
  hideleg: 0x603,
  hie: 0x604,
  htimedelta: 0x605,
  hcounteren: 0x606,
  hgeie: 0x607,
  henvcfg: 0x60a,
  htval: 0x643,
  hip: 0x644,
  hvip: 0x645,
  htinst: 0x64a,
  hgatp: 0x680,
  time: 0xc01,
  misa: 0x301,
} as const;

/** sstatus / vsstatus bits. */
export const Status = {
  SIE: 1n << 1n,
  SPIE: 1n << 5n,
  SPP: 1n << 8n,
  SUM: 1n << 18n,
  MXR: 1n << 19n,
  FS: 3n << 13n,
  FS_INITIAL: 1n << 13n,
} as const;

/** hstatus bits. */
export const HStatus = {
  GVA: 1n << 6n,
  SPV: 1n << 7n,
  SPVP: 1n << 8n,
  HU: 1n << 9n,
  VTVM: 1n << 20n,
  VTW: 1n << 21n,
  VTSR: 1n << 22n,
} as const;

/** Interrupt bits in hvip / hip / hideleg (and their guest-visible S-level numbers). */
export const VsIrq = {
  /** Guest-visible interrupt numbers, as the guest sees them in scause. */
  SOFT: 1,
  TIMER: 5,
  EXTERNAL: 9,
  /** The corresponding VS bits in hvip/hip. */
  VSSIP: 1n << 2n,
  VSTIP: 1n << 6n,
  VSEIP: 1n << 10n,
} as const;

export const ExceptionCause = {
  InstructionMisaligned: 0,
  InstructionAccessFault: 1,
  IllegalInstruction: 2,
  Breakpoint: 3,
  LoadMisaligned: 4,
  LoadAccessFault: 5,
  StoreMisaligned: 6,
  StoreAccessFault: 7,
  EcallU: 8,
  EcallVS: 10,
  InstructionPageFault: 12,
  LoadPageFault: 13,
  StorePageFault: 15,
  InstructionGuestPageFault: 20,
  LoadGuestPageFault: 21,
  VirtualInstruction: 22,
  StoreGuestPageFault: 23,
} as const;

export const HostIrq = { SOFT: 1, TIMER: 5, EXTERNAL: 9, GUEST_EXTERNAL: 12 } as const;

/** hgatp MODE values. */
export const HgatpMode = { Sv39x4: 8n, Sv48x4: 9n } as const;
