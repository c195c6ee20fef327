/**
 * An interrupt wire from a device to an interrupt controller. Devices hold one and never know
 * what is on the other end, so each device can be tested alone with a recording line.
 * Lines are level-triggered: the device keeps the level asserted while its condition holds.
 */
export interface IrqLine {
  setLevel(level: boolean): void;
}

/** A line that goes nowhere, for devices configured without an interrupt. */
export const NO_IRQ: IrqLine = { setLevel() {} };

/** A line that remembers its level and every change, for tests. */
export class RecordingIrqLine implements IrqLine {
  level = false;
  readonly changes: boolean[] = [];

  setLevel(level: boolean): void {
    if (level !== this.level) this.changes.push(level);
    this.level = level;
  }
}

/** A line that forwards to a callback, for wiring a device to a controller input. */
export function irqLine(onChange: (level: boolean) => void): IrqLine {
  let current = false;
  return {
    setLevel(level: boolean) {
      if (level === current) return;
      current = level;
      onChange(level);
    },
  };
}
