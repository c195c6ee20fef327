/**
 * VMCS field encodings (Intel SDM vol. 3, appendix B) that this CPU implements, and the
 * compact slot each one occupies in a VMCS shadow. An encoding's bits 14:13 are its width
 * (0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural), bits 11:10 its type (control, exit
 * information, guest state, host state), bits 9:1 its index and bit 0 the "high" access to
 * the upper half of a 64-bit field.
 */

export const V = {
  VPID: 0x0000,
  GUEST_ES_SEL: 0x0800,
  GUEST_CS_SEL: 0x0802,
  GUEST_SS_SEL: 0x0804,
  GUEST_DS_SEL: 0x0806,
  GUEST_FS_SEL: 0x0808,
  GUEST_GS_SEL: 0x080a,
  GUEST_LDTR_SEL: 0x080c,
  GUEST_TR_SEL: 0x080e,
  GUEST_INTR_STATUS: 0x0810,
  HOST_ES_SEL: 0x0c00,
  HOST_CS_SEL: 0x0c02,
  HOST_SS_SEL: 0x0c04,
  HOST_DS_SEL: 0x0c06,
  HOST_FS_SEL: 0x0c08,
  HOST_GS_SEL: 0x0c0a,
  HOST_TR_SEL: 0x0c0c,

  IO_BITMAP_A: 0x2000,
  IO_BITMAP_B: 0x2002,
  MSR_BITMAP: 0x2004,
  EXIT_MSR_STORE_ADDR: 0x2006,
  EXIT_MSR_LOAD_ADDR: 0x2008,
  ENTRY_MSR_LOAD_ADDR: 0x200a,
  EXECUTIVE_VMCS: 0x200c,
  TSC_OFFSET: 0x2010,
  VIRTUAL_APIC_ADDR: 0x2012,
  APIC_ACCESS_ADDR: 0x2014,
  EPT_POINTER: 0x201a,
  GUEST_PHYSICAL_ADDR: 0x2400,
  VMCS_LINK_POINTER: 0x2800,
  GUEST_DEBUGCTL: 0x2802,
  GUEST_PAT: 0x2804,
  GUEST_EFER: 0x2806,
  GUEST_PERF_GLOBAL_CTRL: 0x2808,
  GUEST_PDPTE0: 0x280a,
  GUEST_PDPTE1: 0x280c,
  GUEST_PDPTE2: 0x280e,
  GUEST_PDPTE3: 0x2810,
  HOST_PAT: 0x2c00,
  HOST_EFER: 0x2c02,
  HOST_PERF_GLOBAL_CTRL: 0x2c04,

  PIN_CONTROLS: 0x4000,
  PROC_CONTROLS: 0x4002,
  EXCEPTION_BITMAP: 0x4004,
  PF_ERROR_MASK: 0x4006,
  PF_ERROR_MATCH: 0x4008,
  CR3_TARGET_COUNT: 0x400a,
  EXIT_CONTROLS: 0x400c,
  EXIT_MSR_STORE_COUNT: 0x400e,
  EXIT_MSR_LOAD_COUNT: 0x4010,
  ENTRY_CONTROLS: 0x4012,
  ENTRY_MSR_LOAD_COUNT: 0x4014,
  ENTRY_INTR_INFO: 0x4016,
  ENTRY_EXCEPTION_ERROR: 0x4018,
  ENTRY_INSTR_LEN: 0x401a,
  TPR_THRESHOLD: 0x401c,
  PROC_CONTROLS2: 0x401e,
  PLE_GAP: 0x4020,
  PLE_WINDOW: 0x4022,
  VM_INSTRUCTION_ERROR: 0x4400,
  EXIT_REASON: 0x4402,
  EXIT_INTR_INFO: 0x4404,
  EXIT_INTR_ERROR: 0x4406,
  IDT_VECTORING_INFO: 0x4408,
  IDT_VECTORING_ERROR: 0x440a,
  EXIT_INSTR_LEN: 0x440c,
  EXIT_INSTR_INFO: 0x440e,
  GUEST_ES_LIMIT: 0x4800,
  GUEST_CS_LIMIT: 0x4802,
  GUEST_SS_LIMIT: 0x4804,
  GUEST_DS_LIMIT: 0x4806,
  GUEST_FS_LIMIT: 0x4808,
  GUEST_GS_LIMIT: 0x480a,
  GUEST_LDTR_LIMIT: 0x480c,
  GUEST_TR_LIMIT: 0x480e,
  GUEST_GDTR_LIMIT: 0x4810,
  GUEST_IDTR_LIMIT: 0x4812,
  GUEST_ES_AR: 0x4814,
  GUEST_CS_AR: 0x4816,
  GUEST_SS_AR: 0x4818,
  GUEST_DS_AR: 0x481a,
  GUEST_FS_AR: 0x481c,
  GUEST_GS_AR: 0x481e,
  GUEST_LDTR_AR: 0x4820,
  GUEST_TR_AR: 0x4822,
  GUEST_INTERRUPTIBILITY: 0x4824,
  GUEST_ACTIVITY_STATE: 0x4826,
  GUEST_SMBASE: 0x4828,
  GUEST_SYSENTER_CS: 0x482a,
  PREEMPTION_TIMER: 0x482e,
  HOST_SYSENTER_CS: 0x4c00,

  CR0_MASK: 0x6000,
  CR4_MASK: 0x6002,
  CR0_READ_SHADOW: 0x6004,
  CR4_READ_SHADOW: 0x6006,
  CR3_TARGET0: 0x6008,
  CR3_TARGET1: 0x600a,
  CR3_TARGET2: 0x600c,
  CR3_TARGET3: 0x600e,
  EXIT_QUALIFICATION: 0x6400,
  IO_RCX: 0x6402,
  IO_RSI: 0x6404,
  IO_RDI: 0x6406,
  IO_RIP: 0x6408,
  GUEST_LINEAR_ADDR: 0x640a,
  GUEST_CR0: 0x6800,
  GUEST_CR3: 0x6802,
  GUEST_CR4: 0x6804,
  GUEST_ES_BASE: 0x6806,
  GUEST_CS_BASE: 0x6808,
  GUEST_SS_BASE: 0x680a,
  GUEST_DS_BASE: 0x680c,
  GUEST_FS_BASE: 0x680e,
  GUEST_GS_BASE: 0x6810,
  GUEST_LDTR_BASE: 0x6812,
  GUEST_TR_BASE: 0x6814,
  GUEST_GDTR_BASE: 0x6816,
  GUEST_IDTR_BASE: 0x6818,
  GUEST_DR7: 0x681a,
  GUEST_RSP: 0x681c,
  GUEST_RIP: 0x681e,
  GUEST_RFLAGS: 0x6820,
  GUEST_PENDING_DBG: 0x6822,
  GUEST_SYSENTER_ESP: 0x6824,
  GUEST_SYSENTER_EIP: 0x6826,
  HOST_CR0: 0x6c00,
  HOST_CR3: 0x6c02,
  HOST_CR4: 0x6c04,
  HOST_FS_BASE: 0x6c06,
  HOST_GS_BASE: 0x6c08,
  HOST_TR_BASE: 0x6c0a,
  HOST_GDTR_BASE: 0x6c0c,
  HOST_IDTR_BASE: 0x6c0e,
  HOST_SYSENTER_ESP: 0x6c10,
  HOST_SYSENTER_EIP: 0x6c12,
  HOST_RSP: 0x6c14,
  HOST_RIP: 0x6c16,
} as const;

/** Field width from the encoding: 0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural width. */
export function fieldWidth(enc: number): number {
  return (enc >>> 13) & 3;
}

/** Exit-information fields (type 1) are read-only. */
export function isReadOnly(enc: number): boolean {
  return ((enc >>> 10) & 3) === 1;
}

/** Every implemented encoding, in the order of their slots. */
export const FIELDS: readonly number[] = Object.values(V);

/** Slot by encoding (-1: not implemented): a typed table, as VMREAD/VMWRITE sit on the exit path. */
const SLOT = new Int16Array(0x8000).fill(-1);
FIELDS.forEach((enc, i) => {
  SLOT[enc] = i;
});

/**
 * The slot of an encoding as VMREAD/VMWRITE name it (the "high" form of a 64-bit field maps
 * to the same slot), or -1 when this CPU does not implement the field.
 */
export function fieldSlot(enc: number): number {
  if (enc < 0 || enc > 0x7fff) return -1;
  const high = (enc & 1) === 1;
  if (high && fieldWidth(enc) !== 1) return -1;
  return SLOT[high ? enc - 1 : enc]!;
}

/** The slot of a field this module names (always implemented). */
export function slotOf(enc: number): number {
  return SLOT[enc]!;
}

export const FIELD_COUNT = FIELDS.length;
