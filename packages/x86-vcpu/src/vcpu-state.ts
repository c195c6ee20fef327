import { VmcsField as F } from "@axvisor/cpu-x86_64";

/**
 * The VMCS fields a vCPU snapshot carries: the guest-state area (segments, descriptor tables,
 * control and debug registers, RIP/RSP/RFLAGS, EFER/PAT, interruptibility and activity), the
 * CR0/CR4 read shadows the guest reads, the two controls the exit handling changes at run
 * time (interrupt-window exiting; IA-32e mode guest) and an event queued for the next entry.
 * Host-state fields, bitmap and EPT addresses are the host's and rebuilt by `setup`.
 */
export const SAVED_VMCS_FIELDS: readonly (readonly [string, number])[] = [
  ["es_sel", F.GUEST_ES_SEL],
  ["cs_sel", F.GUEST_CS_SEL],
  ["ss_sel", F.GUEST_SS_SEL],
  ["ds_sel", F.GUEST_DS_SEL],
  ["fs_sel", F.GUEST_FS_SEL],
  ["gs_sel", F.GUEST_GS_SEL],
  ["ldtr_sel", F.GUEST_LDTR_SEL],
  ["tr_sel", F.GUEST_TR_SEL],
  ["es_base", F.GUEST_ES_BASE],
  ["cs_base", F.GUEST_CS_BASE],
  ["ss_base", F.GUEST_SS_BASE],
  ["ds_base", F.GUEST_DS_BASE],
  ["fs_base", F.GUEST_FS_BASE],
  ["gs_base", F.GUEST_GS_BASE],
  ["ldtr_base", F.GUEST_LDTR_BASE],
  ["tr_base", F.GUEST_TR_BASE],
  ["es_limit", F.GUEST_ES_LIMIT],
  ["cs_limit", F.GUEST_CS_LIMIT],
  ["ss_limit", F.GUEST_SS_LIMIT],
  ["ds_limit", F.GUEST_DS_LIMIT],
  ["fs_limit", F.GUEST_FS_LIMIT],
  ["gs_limit", F.GUEST_GS_LIMIT],
  ["ldtr_limit", F.GUEST_LDTR_LIMIT],
  ["tr_limit", F.GUEST_TR_LIMIT],
  ["es_ar", F.GUEST_ES_AR],
  ["cs_ar", F.GUEST_CS_AR],
  ["ss_ar", F.GUEST_SS_AR],
  ["ds_ar", F.GUEST_DS_AR],
  ["fs_ar", F.GUEST_FS_AR],
  ["gs_ar", F.GUEST_GS_AR],
  ["ldtr_ar", F.GUEST_LDTR_AR],
  ["tr_ar", F.GUEST_TR_AR],
  ["gdtr_base", F.GUEST_GDTR_BASE],
  ["gdtr_limit", F.GUEST_GDTR_LIMIT],
  ["idtr_base", F.GUEST_IDTR_BASE],
  ["idtr_limit", F.GUEST_IDTR_LIMIT],
  ["cr0", F.GUEST_CR0],
  ["cr3", F.GUEST_CR3],
  ["cr4", F.GUEST_CR4],
  ["cr0_shadow", F.CR0_READ_SHADOW],
  ["cr4_shadow", F.CR4_READ_SHADOW],
  ["dr7", F.GUEST_DR7],
  ["rsp", F.GUEST_RSP],
  ["rip", F.GUEST_RIP],
  ["rflags", F.GUEST_RFLAGS],
  ["efer", F.GUEST_EFER],
  ["pat", F.GUEST_PAT],
  ["debugctl", F.GUEST_DEBUGCTL],
  ["pending_dbg", F.GUEST_PENDING_DBG],
  ["sysenter_cs", F.GUEST_SYSENTER_CS],
  ["sysenter_esp", F.GUEST_SYSENTER_ESP],
  ["sysenter_eip", F.GUEST_SYSENTER_EIP],
  ["pdpte0", F.GUEST_PDPTE0],
  ["pdpte1", F.GUEST_PDPTE1],
  ["pdpte2", F.GUEST_PDPTE2],
  ["pdpte3", F.GUEST_PDPTE3],
  ["interruptibility", F.GUEST_INTERRUPTIBILITY],
  ["activity", F.GUEST_ACTIVITY_STATE],
  ["proc_controls", F.PROC_CONTROLS],
  ["entry_controls", F.ENTRY_CONTROLS],
  ["entry_intr_info", F.ENTRY_INTR_INFO],
  ["entry_exception_error", F.ENTRY_EXCEPTION_ERROR],
  ["entry_instr_len", F.ENTRY_INSTR_LEN],
];

/** Primary processor-based control bit 3: RDTSC adds the VMCS TSC offset. */
export const PROC_USE_TSC_OFFSETTING = 1 << 3;

/** The `misc` slots (CR2, CR8, XCR0, SYSCALL MSRs, KERNEL_GS_BASE, TSC_AUX, DR0-3, DR6). */
export const SAVED_MISC_SLOTS = 16;
