/**
 * PSCI 1.1 (ARM DEN 0022) and the SMCCC architecture calls, served by the emulator the way
 * QEMU 7.2 does for `-M virt` (target/arm/psci.c): an HVC (no EL2) or SMC (EL2, no EL3)
 * with a function ID in the PSCI or architecture range lands here.
 */
export const PsciFn = {
  SMCCC_VERSION: 0x8000_0000,
  SMCCC_ARCH_FEATURES: 0x8000_0001,
  PSCI_VERSION: 0x8400_0000,
  CPU_SUSPEND: 0x8400_0001,
  CPU_OFF: 0x8400_0002,
  CPU_ON: 0x8400_0003,
  AFFINITY_INFO: 0x8400_0004,
  MIGRATE: 0x8400_0005,
  MIGRATE_INFO_TYPE: 0x8400_0006,
  MIGRATE_INFO_UP_CPU: 0x8400_0007,
  SYSTEM_OFF: 0x8400_0008,
  SYSTEM_RESET: 0x8400_0009,
  PSCI_FEATURES: 0x8400_000a,
  CPU_SUSPEND64: 0xc400_0001,
  CPU_ON64: 0xc400_0003,
  AFFINITY_INFO64: 0xc400_0004,
  MIGRATE64: 0xc400_0005,
  MIGRATE_INFO_UP_CPU64: 0xc400_0007,
} as const;

export const PsciRet = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMETERS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
  ON_PENDING: -5,
  INTERNAL_FAILURE: -6,
} as const;

/** PSCI 1.1. */
export const PSCI_VERSION_1_1 = 0x0001_0001;
/** SMCCC 1.0: SMCCC_VERSION is not advertised through PSCI_FEATURES (QEMU 7.2). */
export const SMCCC_VERSION_1_0 = 0x0001_0000;
/** MIGRATE_INFO_TYPE: no Trusted OS, migration not required. */
const MIGRATE_TYPE_NOT_REQUIRED = 2;
const AFFINITY_ON = 0;
const AFFINITY_OFF = 1;
/** MPIDR affinity fields Aff3 (39:32) and Aff2..Aff0 (23:0). */
const MPIDR_AFF_MASK = 0xff_00ff_ffffn;

/** The calling CPU as PSCI sees it. */
export interface PsciCaller {
  getX(n: number): bigint;
  setX(n: number, v: bigint): void;
}

/** What the board does for PSCI. */
export interface PsciBoard {
  /** The index of the CPU with this MPIDR affinity, or -1. */
  cpuByMpidr(affinity: bigint): number;
  isOn(cpu: number): boolean;
  /**
   * The EL CPU_ON starts CPUs at: the highest one the board gives guests (EL2 with
   * virtualization), whatever EL the caller is at, as PSCI asks and QEMU does.
   */
  readonly bootEl: 1 | 2;
  /** Starts `cpu` at `entry` with x0 = contextId, MMU off, at EL `el`. */
  cpuOn(cpu: number, entry: bigint, contextId: bigint, el: 1 | 2): void;
  /** Stops the calling CPU (it does not return to the caller). */
  cpuOff(cpu: number): void;
  systemOff(): void;
  systemReset(): void;
}

const isPsciRange = (fn: number): boolean =>
  (fn >= 0x8400_0000 && fn <= 0x8400_001f) || (fn >= 0xc400_0000 && fn <= 0xc400_001f);
const isArchRange = (fn: number): boolean => fn >= 0x8000_0000 && fn <= 0x8000_ffff;

const FEATURES_SUPPORTED: ReadonlySet<number> = new Set([
  PsciFn.PSCI_VERSION,
  PsciFn.MIGRATE_INFO_TYPE,
  PsciFn.AFFINITY_INFO,
  PsciFn.AFFINITY_INFO64,
  PsciFn.SYSTEM_RESET,
  PsciFn.SYSTEM_OFF,
  PsciFn.CPU_ON,
  PsciFn.CPU_ON64,
  PsciFn.CPU_OFF,
  PsciFn.CPU_SUSPEND,
  PsciFn.CPU_SUSPEND64,
  PsciFn.PSCI_FEATURES,
]);

/**
 * Serves one PSCI/SMCCC call from `caller` (CPU `index`). Returns false when the function ID
 * is outside the ranges the emulator owns (the instruction is then UNDEFINED, as on QEMU);
 * otherwise the result is in x0 (x1..x3 are left as the caller had them).
 */
export function servePsci(caller: PsciCaller, index: number, board: PsciBoard): boolean {
  const fn = Number(caller.getX(0) & 0xffff_ffffn);
  if (!isPsciRange(fn) && !isArchRange(fn)) return false;
  const smc64 = (fn & 0x4000_0000) !== 0;
  const arg = (n: number) => {
    const v = caller.getX(n);
    return smc64 ? v : v & 0xffff_ffffn;
  };
  let ret: number;
  switch (fn) {
    case PsciFn.SMCCC_VERSION:
      ret = SMCCC_VERSION_1_0;
      break;
    case PsciFn.PSCI_VERSION:
      ret = PSCI_VERSION_1_1;
      break;
    case PsciFn.PSCI_FEATURES:
      ret = FEATURES_SUPPORTED.has(Number(arg(1) & 0xffff_ffffn))
        ? PsciRet.SUCCESS
        : PsciRet.NOT_SUPPORTED;
      break;
    case PsciFn.MIGRATE_INFO_TYPE:
      ret = MIGRATE_TYPE_NOT_REQUIRED;
      break;
    case PsciFn.CPU_ON:
    case PsciFn.CPU_ON64: {
      const target = board.cpuByMpidr(arg(1) & MPIDR_AFF_MASK);
      if (target < 0) ret = PsciRet.INVALID_PARAMETERS;
      else if (board.isOn(target)) ret = PsciRet.ALREADY_ON;
      else {
        board.cpuOn(target, arg(2), arg(3), board.bootEl);
        ret = PsciRet.SUCCESS;
      }
      break;
    }
    case PsciFn.CPU_OFF:
      board.cpuOff(index);
      // Only reached if the board refused to stop the CPU.
      ret = PsciRet.DENIED;
      break;
    case PsciFn.CPU_SUSPEND:
    case PsciFn.CPU_SUSPEND64:
      // QEMU never powers down: a suspend is a standby that any wake-up ends, so it may
      // return at once. Bits 31:17 of power_state are reserved.
      ret = arg(1) & 0xfffe_0000n ? PsciRet.INVALID_PARAMETERS : PsciRet.SUCCESS;
      break;
    case PsciFn.AFFINITY_INFO:
    case PsciFn.AFFINITY_INFO64: {
      const target = board.cpuByMpidr(arg(1) & MPIDR_AFF_MASK);
      if (arg(2) !== 0n || target < 0) ret = PsciRet.INVALID_PARAMETERS;
      else ret = board.isOn(target) ? AFFINITY_ON : AFFINITY_OFF;
      break;
    }
    case PsciFn.SYSTEM_OFF:
      board.systemOff();
      ret = PsciRet.SUCCESS;
      break;
    case PsciFn.SYSTEM_RESET:
      board.systemReset();
      ret = PsciRet.SUCCESS;
      break;
    default:
      // SMCCC_ARCH_FEATURES (no workaround calls), MIGRATE, MIGRATE_INFO_UP_CPU, and
      // unassigned IDs in the ranges.
      ret = PsciRet.NOT_SUPPORTED;
      break;
  }
  caller.setX(0, BigInt.asUintN(64, BigInt(ret)));
  return true;
}
