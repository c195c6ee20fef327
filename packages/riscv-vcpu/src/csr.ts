/**
 * CSR numbers come from the hart package's table (architectural constants, like the `riscv`
 * crate AxVisor's riscv_vcpu uses); the bit masks below are bigints because the backend
 * reads and writes CSRs through the hart's 64-bit host interface.
 */
import { CSR } from "@axvisor/cpu-riscv64";

export const Csr = CSR;

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
