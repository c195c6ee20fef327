/** HCR_EL2 bits the hypervisor sets (ARM ARM D17.2.48). */
export const HcrEl2 = {
  VM: 1n << 0n,
  FMO: 1n << 3n,
  IMO: 1n << 4n,
  AMO: 1n << 5n,
  VI: 1n << 7n,
  TWI: 1n << 13n,
  TWE: 1n << 14n,
  TSC: 1n << 19n,
  RW: 1n << 31n,
} as const;

/**
 * HCR_EL2 while a vCPU runs: arm_vcpu's VM | RW | TSC | IMO | FMO (physical interrupts trap
 * to the hypervisor and the guest takes virtual ones), plus AMO so SErrors are routed alike,
 * and TWI/TWE so an idle guest gives its physical CPU back (Halt) instead of sleeping in it.
 */
export const GUEST_HCR =
  HcrEl2.VM |
  HcrEl2.RW |
  HcrEl2.TSC |
  HcrEl2.IMO |
  HcrEl2.FMO |
  HcrEl2.AMO |
  HcrEl2.TWI |
  HcrEl2.TWE;
