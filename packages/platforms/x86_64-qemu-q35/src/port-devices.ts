import {
  type BaseMmioDeviceOps,
  type BasePortDeviceOps,
  EmulatedDeviceType,
  type SavedRecord,
  StateReader,
} from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import {
  type AccessWidth,
  type GuestPhysAddr,
  type Port,
  type PortRange,
  portRange,
} from "@axvisor/memory-addr";

/**
 * A register-file device written for MMIO (the NS16550A) seen on I/O ports: port `first + i`
 * is the device's register at `mmioBase + i`.
 */
export class MmioOnPorts implements BasePortDeviceOps {
  readonly #range: PortRange;
  readonly #device: BaseMmioDeviceOps;
  readonly #mmioBase: number;

  constructor(device: BaseMmioDeviceOps, first: number, count: number) {
    this.#device = device;
    this.#mmioBase = device.addressRange().start as number;
    this.#range = portRange(first, first + count - 1);
  }

  emuType(): EmulatedDeviceType {
    return this.#device.emuType();
  }

  addressRange(): PortRange {
    return this.#range;
  }

  handleRead(addr: Port, width: AccessWidth): bigint {
    if (width === 1) {
      // The usual access (a UART's registers are bytes): no BigInt shifting on an exit.
      const a = (this.#mmioBase + addr - this.#range.start) as GuestPhysAddr;
      return this.#device.handleRead(a, 1 as AccessWidth) & 0xffn;
    }
    let v = 0n;
    // Byte-wide registers: a wider access reads consecutive registers.
    for (let i = 0; i < width; i++) {
      const a = (this.#mmioBase + addr - this.#range.start + i) as GuestPhysAddr;
      v |= (this.#device.handleRead(a, 1 as AccessWidth) & 0xffn) << BigInt(8 * i);
    }
    return v;
  }

  handleWrite(addr: Port, width: AccessWidth, value: bigint): void {
    if (width === 1) {
      const a = (this.#mmioBase + addr - this.#range.start) as GuestPhysAddr;
      this.#device.handleWrite(a, 1 as AccessWidth, value & 0xffn);
      return;
    }
    for (let i = 0; i < width; i++) {
      const a = (this.#mmioBase + addr - this.#range.start + i) as GuestPhysAddr;
      this.#device.handleWrite(a, 1 as AccessWidth, (value >> BigInt(8 * i)) & 0xffn);
    }
  }

  reset(): void {
    this.#device.reset?.();
  }

  /** The wrapped device's state (null when it keeps none). */
  saveState(): SavedRecord {
    return { device: this.#device.saveState?.() ?? null };
  }

  loadState(state: SavedRecord): void {
    const owner = `port device at 0x${this.#range.start.toString(16)}`;
    if (state.device === null) return;
    const inner = new StateReader(state, owner).nested("device");
    if (this.#device.loadState === undefined) {
      throw axErr("InvalidData", `${owner}: it keeps no state, the snapshot has some`);
    }
    this.#device.loadState(inner);
  }
}

/** Port 0x80, the POST code port: writes are ignored, reads return what was last written. */
export class PostPort implements BasePortDeviceOps {
  readonly #range = portRange(0x80, 0x80);
  last = 0;

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  handleRead(): bigint {
    return BigInt(this.last);
  }

  handleWrite(_addr: Port, _width: AccessWidth, value: bigint): void {
    this.last = Number(value & 0xffn);
  }
}

/**
 * The part of the 8042 keyboard controller the board needs: command 0xFE on port 0x64
 * (pulse the reset line) resets the machine. Both ports read 0xFF, which is how firmware and
 * drivers recognise that no controller is there (U-Boot's i8042 driver skips it; Linux does
 * not probe it, since neither the DSDT nor the FADT announces one), so nobody waits for a
 * keyboard that does not exist.
 */
export class Kbd8042Reset implements BasePortDeviceOps {
  readonly #range: PortRange;
  readonly #onReset: () => void;

  constructor(port: 0x60 | 0x64, onReset: () => void) {
    this.#range = portRange(port, port);
    this.#onReset = onReset;
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  handleRead(): bigint {
    return 0xffn;
  }

  handleWrite(_addr: Port, _width: AccessWidth, value: bigint): void {
    if (this.#range.start === 0x64 && (value & 0xffn) === 0xfen) this.#onReset();
  }
}
