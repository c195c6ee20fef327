/** A system register's encoding as the CPU's sysRegDevice hook names it. */
export const sysreg = (op0: number, op1: number, crn: number, crm: number, op2: number): number =>
  (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;

/** The GICv3 CPU interface registers (ICC_* / ICV_* share encodings) and ICH_*_EL2. */
export const GicSysReg = {
  ICC_PMR_EL1: sysreg(3, 0, 4, 6, 0),
  ICC_IAR0_EL1: sysreg(3, 0, 12, 8, 0),
  ICC_EOIR0_EL1: sysreg(3, 0, 12, 8, 1),
  ICC_HPPIR0_EL1: sysreg(3, 0, 12, 8, 2),
  ICC_BPR0_EL1: sysreg(3, 0, 12, 8, 3),
  /** ICC_AP0R<n>_EL1 = this + n (n = 0..3). */
  ICC_AP0R0_EL1: sysreg(3, 0, 12, 8, 4),
  /** ICC_AP1R<n>_EL1 = this + n. */
  ICC_AP1R0_EL1: sysreg(3, 0, 12, 9, 0),
  ICC_DIR_EL1: sysreg(3, 0, 12, 11, 1),
  ICC_RPR_EL1: sysreg(3, 0, 12, 11, 3),
  ICC_SGI1R_EL1: sysreg(3, 0, 12, 11, 5),
  ICC_ASGI1R_EL1: sysreg(3, 0, 12, 11, 6),
  ICC_SGI0R_EL1: sysreg(3, 0, 12, 11, 7),
  ICC_IAR1_EL1: sysreg(3, 0, 12, 12, 0),
  ICC_EOIR1_EL1: sysreg(3, 0, 12, 12, 1),
  ICC_HPPIR1_EL1: sysreg(3, 0, 12, 12, 2),
  ICC_BPR1_EL1: sysreg(3, 0, 12, 12, 3),
  ICC_CTLR_EL1: sysreg(3, 0, 12, 12, 4),
  ICC_SRE_EL1: sysreg(3, 0, 12, 12, 5),
  ICC_IGRPEN0_EL1: sysreg(3, 0, 12, 12, 6),
  ICC_IGRPEN1_EL1: sysreg(3, 0, 12, 12, 7),
  /** ICH_AP0R<n>_EL2 = this + n. */
  ICH_AP0R0_EL2: sysreg(3, 4, 12, 8, 0),
  ICH_AP1R0_EL2: sysreg(3, 4, 12, 9, 0),
  ICC_SRE_EL2: sysreg(3, 4, 12, 9, 5),
  ICH_HCR_EL2: sysreg(3, 4, 12, 11, 0),
  ICH_VTR_EL2: sysreg(3, 4, 12, 11, 1),
  ICH_MISR_EL2: sysreg(3, 4, 12, 11, 2),
  ICH_EISR_EL2: sysreg(3, 4, 12, 11, 3),
  ICH_ELRSR_EL2: sysreg(3, 4, 12, 11, 5),
  ICH_VMCR_EL2: sysreg(3, 4, 12, 11, 7),
  /** ICH_LR<n>_EL2 = this + n (n = 0..15: CRm 12 then 13). */
  ICH_LR0_EL2: sysreg(3, 4, 12, 12, 0),
} as const;

/**
 * What the CPU tells the GIC about a system-register access: the exception level, and
 * whether HCR_EL2.IMO/FMO route this EL1 access to the virtual interface (ICV_*).
 */
export interface GicSysRegContext {
  readonly el: number;
  /** HCR_EL2.IMO in effect for this access (group 1 and common registers go to ICV). */
  readonly irqVirtual: boolean;
  /** HCR_EL2.FMO in effect (group 0 and common registers go to ICV). */
  readonly fiqVirtual: boolean;
}

/** The CPU's `sysRegDevice` hook shape. */
export interface GicSysRegDevice {
  read(cpuId: number, enc: number, ctx: GicSysRegContext): bigint | undefined;
  write(cpuId: number, enc: number, value: bigint, ctx: GicSysRegContext): boolean;
}
