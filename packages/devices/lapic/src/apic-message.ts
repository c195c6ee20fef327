/** An interrupt message on the APIC bus (from an IOAPIC, an MSI or an IPI). */
export interface ApicMessage {
  readonly vector: number;
  /** `DeliveryMode`. */
  readonly deliveryMode: number;
  /** Logical destination (true) or physical APIC id (false). */
  readonly logical: boolean;
  /** Destination APIC id or logical mask (8 bits in xAPIC, 32 in x2APIC). */
  readonly dest: number;
  /** Level-triggered: the receiving LAPIC sets TMR and broadcasts EOI. */
  readonly level: boolean;
}
