import type { BasePortDeviceOps } from "@axvisor/axdevice-base";
import { AxError } from "@axvisor/axerrno";
import type { AccessWidth, Port } from "@axvisor/memory-addr";

const ONES = [0, 0xff, 0xffff, 0, 0xffff_ffff] as const;

/**
 * The board's I/O port space (the CPU's `PortIo`): devices are found through a table of all
 * 65536 ports, so IN/OUT cost one array lookup. An access must lie inside one device's range;
 * unclaimed ports read all ones and drop writes, as on a PC.
 */
export class PortBus {
  readonly #owner = new Int16Array(0x10000).fill(-1);
  readonly #devices: BasePortDeviceOps[] = [];
  /** Accesses to unclaimed ports, for diagnostics. */
  unassigned = 0;
  onUnassigned: ((port: number, size: number, write: boolean) => void) | undefined;

  add(device: BasePortDeviceOps): void {
    const r = device.addressRange();
    for (let p = r.start as number; p <= (r.end as number); p++) {
      if (this.#owner[p] !== -1) {
        throw new AxError("AlreadyExists", `port 0x${p.toString(16)} is already claimed`);
      }
    }
    const index = this.#devices.length;
    this.#devices.push(device);
    this.#owner.fill(index, r.start, (r.end as number) + 1);
  }

  get devices(): readonly BasePortDeviceOps[] {
    return this.#devices;
  }

  #find(port: number, size: number): BasePortDeviceOps | undefined {
    const i = this.#owner[port & 0xffff]!;
    if (i < 0) return undefined;
    const d = this.#devices[i]!;
    return (port & 0xffff) + size - 1 <= (d.addressRange().end as number) ? d : undefined;
  }

  in(port: number, size: 1 | 2 | 4): number {
    const d = this.#find(port, size);
    if (d === undefined) {
      this.unassigned++;
      this.onUnassigned?.(port, size, false);
      return ONES[size];
    }
    try {
      return Number(BigInt.asUintN(size * 8, d.handleRead(port as Port, size as AccessWidth)));
    } catch (e) {
      if (e instanceof AxError) return ONES[size];
      throw e;
    }
  }

  out(port: number, size: 1 | 2 | 4, value: number): void {
    const d = this.#find(port, size);
    if (d === undefined) {
      this.unassigned++;
      this.onUnassigned?.(port, size, true);
      return;
    }
    try {
      d.handleWrite(port as Port, size as AccessWidth, BigInt(value >>> 0) & BigInt(ONES[size]));
    } catch (e) {
      if (!(e instanceof AxError)) throw e;
    }
  }

  reset(): void {
    for (const d of this.#devices) d.reset?.();
  }
}
