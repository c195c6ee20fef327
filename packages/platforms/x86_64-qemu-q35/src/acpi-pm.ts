import { type BasePortDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import type { TimeSource } from "@axvisor/machine";
import { type AccessWidth, type Port, type PortRange, portRange } from "@axvisor/memory-addr";
import { ACPI_PM } from "./acpi.js";

/** The ACPI PM timer's rate. */
export const PM_TIMER_HZ = 3_579_545;
const SCI_EN = 1;
const SLP_EN = 1 << 13;

/**
 * The ICH9 ACPI power-management block at PMBASE 0x600: PM1a status/enable (0x600-0x603),
 * PM1a control (0x604: SCI_EN reads 1, SLP_TYP/SLP_EN; entering the \_S5 sleep type powers
 * the board off), the 24-bit PM timer at 3.579545 MHz (0x608) and GPE0 (0x620-0x62F, no
 * events). The SCI never fires: no event source is implemented.
 */
export class AcpiPm implements BasePortDeviceOps {
  readonly #range = portRange(ACPI_PM.pm1aEvt, ACPI_PM.gpe0 + ACPI_PM.gpe0Len - 1);
  readonly #time: TimeSource;
  readonly #ticksPerPmTick: number;
  readonly #onPowerOff: () => void;
  readonly regs = new Uint8Array(0x30);

  constructor(o: {
    readonly time: TimeSource;
    readonly timeHz: number;
    readonly onPowerOff: () => void;
  }) {
    this.#time = o.time;
    this.#ticksPerPmTick = o.timeHz / PM_TIMER_HZ;
    this.#onPowerOff = o.onPowerOff;
    this.reset();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  reset(): void {
    this.regs.fill(0);
    this.regs[0x04] = SCI_EN;
  }

  /** The PM timer's value (24 bits). */
  timer(): number {
    return Math.floor(this.#time.now() / this.#ticksPerPmTick) % 0x100_0000;
  }

  handleRead(addr: Port, width: AccessWidth): bigint {
    const off = addr - ACPI_PM.pm1aEvt;
    if (off >= 0x08 && off < 0x0c) {
      return BigInt(Math.floor(this.timer() / 256 ** (off - 8)) % 2 ** (8 * width));
    }
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + (this.regs[off + i] ?? 0);
    return BigInt(v);
  }

  handleWrite(addr: Port, width: AccessWidth, value: bigint): void {
    const off = addr - ACPI_PM.pm1aEvt;
    const v = Number(value);
    for (let i = 0; i < width; i++) {
      const at = off + i;
      const b = Math.floor(v / 256 ** i) & 0xff;
      if (at < 0x02 || (at >= 0x20 && at < 0x28)) {
        this.regs[at] = this.regs[at]! & ~b; // status bits: write 1 to clear
      } else if (at >= 0x08 && at < 0x0c) {
        // the timer is read-only
      } else {
        this.regs[at] = b;
      }
    }
    this.regs[0x04] = this.regs[0x04]! | SCI_EN;
    const cnt = this.regs[0x04]! | (this.regs[0x05]! << 8);
    if (cnt & SLP_EN) {
      this.regs[0x05] = this.regs[0x05]! & ~(SLP_EN >> 8);
      if (((cnt >> 10) & 7) === ACPI_PM.s5SleepType) this.#onPowerOff();
    }
  }
}
