import type { Aarch64Cpu } from "@axvisor/cpu-aarch64";

/**
 * A vCPU's view of its virtual interrupt controller (the vGIC's per-vCPU part): the vCPU
 * reports interrupt lines and edges to it, and lets it program the CPU's virtual interface
 * (list registers) around each guest entry.
 */
export interface VirtualInterrupts {
  /** A level-sensitive line (a PPI like the virtual timer, an SPI from a device). */
  setLevel(intid: number, level: boolean): void;
  /** An edge: the interrupt becomes pending once. */
  inject(intid: number): void;
  /** An interrupt is pending for this vCPU (a WFI must not halt). */
  hasPending(): boolean;
  /** Before the guest runs: hand pending interrupts to the CPU's virtual interface. */
  flush(cpu: Aarch64Cpu): void;
  /** After it stopped: take back what the guest acknowledged, completed or left pending. */
  sync(cpu: Aarch64Cpu): void;
  /**
   * The vCPU left the CPU (unbind). Without this method the CPU's virtual IRQ line is
   * lowered; a vGIC whose state stays in the CPU interface implements it, since the interface
   * keeps driving that line (and must find it as it left it).
   */
  unbound?(cpu: Aarch64Cpu): void;
}

/**
 * The virtual interface without a vGIC: HCR_EL2.VI (the CPU's virtual IRQ line) is raised
 * while any interrupt is pending. The guest then takes an IRQ exception but has no GIC to
 * acknowledge it with, so this serves guests that poll or that only need WFI wake-ups, and
 * the tests; a GIC-using guest needs `@axvisor/arm-vgic`.
 */
export class VirtualIrqLine implements VirtualInterrupts {
  private readonly levels = new Set<number>();
  private readonly edges = new Set<number>();

  setLevel(intid: number, level: boolean): void {
    if (level) this.levels.add(intid);
    else this.levels.delete(intid);
  }

  inject(intid: number): void {
    this.edges.add(intid);
  }

  /** Drops an edge the guest has dealt with (it has no acknowledge register here). */
  clear(intid: number): void {
    this.edges.delete(intid);
  }

  hasPending(): boolean {
    return this.levels.size > 0 || this.edges.size > 0;
  }

  pending(): number[] {
    return [...new Set([...this.levels, ...this.edges])].sort((a, b) => a - b);
  }

  flush(cpu: Aarch64Cpu): void {
    cpu.setVirq(this.hasPending());
  }

  sync(): void {}
}
