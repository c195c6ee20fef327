import { type BasePortDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import { type AccessWidth, type Port, type PortRange, portRange } from "@axvisor/memory-addr";
import { PC_PORT } from "./memory-map.js";

/** One PCI function's 256-byte configuration space with a mask of writable bits. */
export class PciFunction {
  readonly config = new Uint8Array(256);
  readonly writable = new Uint8Array(256);

  constructor(o: {
    readonly vendor: number;
    readonly device: number;
    readonly classCode: number;
    readonly revision?: number;
    readonly headerType?: number;
    readonly subsystemVendor?: number;
    readonly subsystem?: number;
  }) {
    const v = new DataView(this.config.buffer);
    v.setUint16(0x00, o.vendor, true);
    v.setUint16(0x02, o.device, true);
    this.config[0x08] = o.revision ?? 0;
    this.config[0x09] = o.classCode & 0xff;
    this.config[0x0a] = (o.classCode >> 8) & 0xff;
    this.config[0x0b] = (o.classCode >> 16) & 0xff;
    this.config[0x0e] = o.headerType ?? 0;
    v.setUint16(0x2c, o.subsystemVendor ?? 0x1af4, true);
    v.setUint16(0x2e, o.subsystem ?? 0x1100, true);
    // Command: I/O, memory, bus master, SERR, parity may be written.
    this.writable[0x04] = 0x47;
    this.writable[0x05] = 0x01;
  }

  read(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + (this.config[(offset + i) & 0xff] ?? 0);
    return v;
  }

  write(offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const at = (offset + i) & 0xff;
      const m = this.writable[at]!;
      const b = Math.floor(value / 256 ** i) & 0xff;
      this.config[at] = (this.config[at]! & ~m) | (b & m);
    }
  }
}

/**
 * Configuration mechanism #1 of the q35 host (address at 0xCF8, data at 0xCFC-0xCFF) with the
 * functions the board has: the MCH host bridge 00:00.0 (8086:29C0) and the ICH9 LPC bridge
 * 00:1F.0 (8086:2918). Absent functions read all ones. The byte port 0xCF9 inside the address
 * dword is the reset control register: a write with RST_CPU (bit 2) resets the machine.
 */
export class PciHost implements BasePortDeviceOps {
  readonly #range = portRange(PC_PORT.pciConfigAddress, PC_PORT.pciConfigData + 3);
  readonly functions = new Map<number, PciFunction>();
  readonly #onReset: () => void;
  address = 0;
  resetControl = 0;

  constructor(onReset: () => void) {
    this.#onReset = onReset;
    this.functions.set(
      devfn(0, 0),
      new PciFunction({ vendor: 0x8086, device: 0x29c0, classCode: 0x06_0000 }),
    );
    const lpc = new PciFunction({
      vendor: 0x8086,
      device: 0x2918,
      classCode: 0x06_0100,
      revision: 2,
      headerType: 0x80,
    });
    // PMBASE 0x600 (I/O) and ACPI enabled, as firmware leaves them; the block stays at 0x600.
    new DataView(lpc.config.buffer).setUint32(0x40, PC_PORT.pmBase | 1, true);
    lpc.config[0x44] = 0x80;
    for (let i = 0x40; i < 0x100; i++) lpc.writable[i] = 0xff;
    this.functions.set(devfn(0x1f, 0), lpc);
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  reset(): void {
    this.address = 0;
    this.resetControl = 0;
  }

  #target(): { fn: PciFunction | undefined; reg: number } | undefined {
    const a = this.address;
    if ((a & 0x8000_0000) === 0) return undefined;
    const bus = (a >>> 16) & 0xff;
    const fn = bus === 0 ? this.functions.get((a >>> 8) & 0xff) : undefined;
    return { fn, reg: a & 0xfc };
  }

  handleRead(addr: Port, width: AccessWidth): bigint {
    const off = addr - PC_PORT.pciConfigAddress;
    if (off === 0 && width === 4) return BigInt(this.address >>> 0);
    if (off === 1 && width === 1) return BigInt(this.resetControl);
    if (off < 4) return BigInt(2 ** (8 * width) - 1);
    const t = this.#target();
    if (t === undefined || t.fn === undefined) return BigInt(2 ** (8 * width) - 1);
    return BigInt(t.fn.read(t.reg + (off - 4), width));
  }

  handleWrite(addr: Port, width: AccessWidth, value: bigint): void {
    const off = addr - PC_PORT.pciConfigAddress;
    const v = Number(value);
    if (off === 0 && width === 4) {
      this.address = v >>> 0;
      return;
    }
    if (off === 1 && width === 1) {
      this.resetControl = v & 0x0e;
      if (v & 0x04) this.#onReset();
      return;
    }
    if (off < 4) return;
    const t = this.#target();
    t?.fn?.write(t.reg + (off - 4), width, v);
  }
}

export const devfn = (device: number, fn: number) => (device << 3) | fn;
