/**
 * The wires from the GIC to one CPU: the physical IRQ/FIQ inputs and the virtual IRQ/FIQ
 * inputs that a virtual CPU interface (GICV, ICV) drives. An Aarch64Cpu fits this shape
 * directly; tests use `RecordingCpuOutputs`.
 */
export interface GicCpuOutputs {
  setIrq(level: boolean): void;
  setFiq(level: boolean): void;
  setVirq(level: boolean): void;
  setVfiq(level: boolean): void;
}

/** Outputs that remember their levels, for tests. */
export class RecordingCpuOutputs implements GicCpuOutputs {
  irq = false;
  fiq = false;
  virq = false;
  vfiq = false;

  setIrq(level: boolean): void {
    this.irq = level;
  }

  setFiq(level: boolean): void {
    this.fiq = level;
  }

  setVirq(level: boolean): void {
    this.virq = level;
  }

  setVfiq(level: boolean): void {
    this.vfiq = level;
  }
}
