/**
 * The guest's clock of one x86_64 VM: the host clock plus an offset, zero until a snapshot
 * restore makes guest time continue from where it was saved (the TSC and every APIC timer
 * then read guest time, and host timers are armed at the host time of a guest deadline).
 * The vCPUs apply the same offset to RDTSC through the VMCS TSC offset.
 */
export class GuestClockOffset {
  /** Guest TSC ticks minus host ticks (the host clock counts the TSC rate). */
  ticks = 0;
  /** Guest nanoseconds minus host nanoseconds. */
  nanos = 0;
}
