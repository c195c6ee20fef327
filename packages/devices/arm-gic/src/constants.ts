/** INTID ranges and special values shared by GICv2 and GICv3. */
export const SGI_COUNT = 16;
/** INTIDs below this are banked per CPU (SGIs 0-15, PPIs 16-31). */
export const PRIVATE_IRQS = 32;
/** IAR value: the highest pending interrupt is of the group this read does not acknowledge. */
export const INTID_GROUP_MISMATCH = 1022;
/** IAR value: nothing to acknowledge. */
export const INTID_SPURIOUS = 1023;

/** The PPIs QEMU's virt board wires (GIC INTIDs). */
export const PPI = {
  /** Virtualization maintenance interrupt. */
  maintenance: 25,
  /** EL2 physical timer (CNTHP). */
  hypTimer: 26,
  /** Virtual timer (CNTV). */
  virtTimer: 27,
  /** Secure physical timer (CNTPS). */
  secureTimer: 29,
  /** Non-secure EL1 physical timer (CNTP). */
  physTimer: 30,
} as const;

/** Implementer ARM (0x43B), the value QEMU reports in GICD_IIDR/GICC_IIDR/GICR_IIDR. */
export const GIC_IIDR_ARM = 0x43b;

/** Physical priority bits (QEMU: 8) and virtual priority bits (QEMU: 5). */
export const PRIORITY_BITS = 8;
export const VIRTUAL_PRIORITY_BITS = 5;
/** List registers per virtual CPU interface (QEMU: 4). */
export const LIST_REGISTERS = 4;

/** Internal "no active priority": above every real priority, so anything can preempt. */
export const IDLE_PRIORITY = 0x100;
