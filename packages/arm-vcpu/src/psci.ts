/**
 * PSCI 1.1 and SMCCC 1.1 function identifiers and return codes (ARM DEN 0022D, DEN 0028), as
 * the vCPU serves them to its guest over HVC and SMC.
 */

export const PsciFn = {
  Version: 0x8400_0000,
  CpuSuspend32: 0x8400_0001,
  CpuSuspend64: 0xc400_0001,
  CpuOff: 0x8400_0002,
  CpuOn32: 0x8400_0003,
  CpuOn64: 0xc400_0003,
  AffinityInfo32: 0x8400_0004,
  AffinityInfo64: 0xc400_0004,
  MigrateInfoType: 0x8400_0006,
  SystemOff: 0x8400_0008,
  SystemReset: 0x8400_0009,
  Features: 0x8400_000a,
} as const;

export const SmcccFn = {
  Version: 0x8000_0000,
  ArchFeatures: 0x8000_0001,
} as const;

/** PSCI return codes (as signed 32-bit values, sign-extended into x0). */
export const PsciError = {
  Success: 0,
  NotSupported: -1,
  InvalidParameters: -2,
  Denied: -3,
  AlreadyOn: -4,
  OnPending: -5,
} as const;

/** PSCI 1.1: major 1 in bits 31:16, minor 1. */
export const PSCI_VERSION_1_1 = 0x1_0001;
/** SMCCC 1.1. */
export const SMCCC_VERSION_1_1 = 0x1_0001;
/** MIGRATE_INFO_TYPE: no Trusted OS, nothing to migrate. */
export const MIGRATE_INFO_NONE = 2;

/** AFFINITY_INFO states. */
export const AffinityState = { On: 0, Off: 1, OnPending: 2 } as const;
export type AffinityState = (typeof AffinityState)[keyof typeof AffinityState];

/** The functions PSCI_FEATURES reports as implemented. */
export const SUPPORTED_FUNCTIONS: ReadonlySet<number> = new Set([
  PsciFn.Version,
  PsciFn.CpuSuspend32,
  PsciFn.CpuSuspend64,
  PsciFn.CpuOff,
  PsciFn.CpuOn32,
  PsciFn.CpuOn64,
  PsciFn.AffinityInfo32,
  PsciFn.AffinityInfo64,
  PsciFn.MigrateInfoType,
  PsciFn.SystemOff,
  PsciFn.SystemReset,
  PsciFn.Features,
  SmcccFn.Version,
]);

/** A SMCCC function identifier names a PSCI or SMCCC-architecture call (fast call, bit 31). */
export function isSmcccFastCall(fn: number): boolean {
  return (fn & 0x8000_0000) !== 0;
}
