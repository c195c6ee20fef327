/** SBI v2.0 extension ids, function ids and error codes (RISC-V SBI specification). */

export const SbiEid = {
  LegacySetTimer: 0x00,
  LegacyConsolePutchar: 0x01,
  LegacyConsoleGetchar: 0x02,
  LegacyClearIpi: 0x03,
  LegacySendIpi: 0x04,
  LegacyRemoteFenceI: 0x05,
  LegacyRemoteSfenceVma: 0x06,
  LegacyRemoteSfenceVmaAsid: 0x07,
  LegacyShutdown: 0x08,
  Base: 0x10,
  Time: 0x54494d45,
  Ipi: 0x735049,
  Rfence: 0x52464e43,
  Hsm: 0x48534d,
  Srst: 0x53525354,
  Dbcn: 0x4442434e,
  /** System suspend ("SUSP", SBI 2.0 chapter 15). */
  Susp: 0x53555350,
  /** Steal-time accounting ("STA", SBI 2.0 chapter 16). */
  Sta: 0x535441,
  /** AxVisor's hypercall extension ("HVC"): FID = hypercall number, a0..a5 = arguments. */
  AxHypercall: 0x485643,
} as const;

export const SbiError = {
  Success: 0,
  Failed: -1,
  NotSupported: -2,
  InvalidParam: -3,
  Denied: -4,
  InvalidAddress: -5,
  AlreadyAvailable: -6,
  AlreadyStarted: -7,
  AlreadyStopped: -8,
} as const;

export const BaseFid = {
  GetSpecVersion: 0,
  GetImplId: 1,
  GetImplVersion: 2,
  ProbeExtension: 3,
  GetMvendorid: 4,
  GetMarchid: 5,
  GetMimpid: 6,
} as const;

export const RfenceFid = {
  RemoteFenceI: 0,
  RemoteSfenceVma: 1,
  RemoteSfenceVmaAsid: 2,
  RemoteHfenceGvmaVmid: 3,
  RemoteHfenceGvma: 4,
  RemoteHfenceVvmaAsid: 5,
  RemoteHfenceVvma: 6,
} as const;

export const HsmFid = { HartStart: 0, HartStop: 1, HartGetStatus: 2, HartSuspend: 3 } as const;

/** HSM hart states as hart_get_status reports them. */
export const HsmState = {
  Started: 0,
  Stopped: 1,
  StartPending: 2,
  StopPending: 3,
  Suspended: 4,
  SuspendPending: 5,
  ResumePending: 6,
} as const;
export type HsmState = (typeof HsmState)[keyof typeof HsmState];

/**
 * hart_suspend suspend_type values (SBI 2.0 §9.4): the two defaults; every other value of
 * 0x0000_0001..0x7FFF_FFFF is retentive and of 0x8000_0001..0xFFFF_FFFF non-retentive, either
 * reserved or platform-specific, and none is supported here.
 */
export const SuspendType = { DefaultRetentive: 0, DefaultNonRetentive: 0x8000_0000 } as const;

/** system_suspend sleep_type values (SBI 2.0 §15.1): only suspend-to-RAM is defined. */
export const SleepType = { SuspendToRam: 0 } as const;

export const SrstType = { Shutdown: 0, ColdReboot: 1, WarmReboot: 2 } as const;

/** SBI specification version 2.0, encoded as major << 24 | minor. */
export const SBI_SPEC_VERSION = 2 << 24;
/**
 * Implementation id reported by sbi_get_impl_id. The SBI specification keeps a registry of ids
 * (0 BBL, 1 OpenSBI, 3 KVM, ...); AxVisor.ts is not registered, so it uses a value well above
 * the registered range and says so in get_impl_version's encoding.
 */
export const SBI_IMPL_ID = 0x4158_5654; // "AXVT"
export const SBI_IMPL_VERSION = 0x0001_0000; // 0.1.0 as major << 16 | minor << 8 | patch

/** Hart-mask base meaning "every hart" (SBI v0.2+ hart mask convention). */
export const HART_MASK_BASE_ALL = -1n;
