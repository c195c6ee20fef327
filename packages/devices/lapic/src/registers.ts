/** Local APIC register offsets (xAPIC MMIO; the x2APIC MSR is 0x800 + offset / 16). */
export const Reg = {
  id: 0x020,
  version: 0x030,
  tpr: 0x080,
  apr: 0x090,
  ppr: 0x0a0,
  eoi: 0x0b0,
  rrd: 0x0c0,
  ldr: 0x0d0,
  dfr: 0x0e0,
  svr: 0x0f0,
  isr: 0x100,
  tmr: 0x180,
  irr: 0x200,
  esr: 0x280,
  lvtCmci: 0x2f0,
  icrLow: 0x300,
  icrHigh: 0x310,
  lvtTimer: 0x320,
  lvtThermal: 0x330,
  lvtPerf: 0x340,
  lvtLint0: 0x350,
  lvtLint1: 0x360,
  lvtError: 0x370,
  timerInitial: 0x380,
  timerCurrent: 0x390,
  timerDivide: 0x3e0,
  selfIpi: 0x3f0,
} as const;

/** LVT slots, in the order of the LVT registers above (CMCI last). */
export const Lvt = {
  timer: 0,
  thermal: 1,
  perf: 2,
  lint0: 3,
  lint1: 4,
  error: 5,
  cmci: 6,
} as const;

export const LVT_MASKED = 1 << 16;
export const LVT_LEVEL = 1 << 15;
export const LVT_REMOTE_IRR = 1 << 14;
export const LVT_TIMER_PERIODIC = 1 << 17;
export const LVT_TIMER_TSC_DEADLINE = 2 << 17;

export const SVR_ENABLE = 1 << 8;

/** IA32_APIC_BASE bits. */
export const APIC_BASE_BSP = 1 << 8;
export const APIC_BASE_EXTD = 1 << 10;
export const APIC_BASE_EN = 1 << 11;
export const APIC_DEFAULT_BASE = 0xfee0_0000;

export const MSR_APIC_BASE = 0x1b;
export const MSR_TSC_DEADLINE = 0x6e0;
export const MSR_X2APIC_FIRST = 0x800;
export const MSR_X2APIC_LAST = 0x8ff;

/** Version register: version 0x14, 6 LVT entries (max LVT 5), as QEMU's APIC. */
export const APIC_VERSION = 0x0005_0014;

/** ESR bits. */
export const ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
export const ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;
export const ESR_ILLEGAL_REGISTER = 1 << 7;

/** APIC delivery modes (LVT, ICR, redirection entries, MSI). */
export const DeliveryMode = {
  fixed: 0,
  lowestPriority: 1,
  smi: 2,
  nmi: 4,
  init: 5,
  startup: 6,
  extInt: 7,
} as const;
