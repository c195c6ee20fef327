import type { BaseDeviceOps, DeviceAccess } from "@axvisor/axdevice-base";
import { AxError, type AxResult, err, OK_VOID, ok } from "@axvisor/axerrno";
import { type AccessWidth, maskToWidth, signExtendFromWidth } from "@axvisor/memory-addr";
import { type RangeEntry, RangeMap } from "./range-map.js";

/** How one address space (MMIO, ports, system registers) names and measures things. */
export interface BusKind<R> {
  /** "MMIO", "port", "system-register": used in messages. */
  readonly name: string;
  /** The device's claimed range as half-open `[start, end)`. */
  halfOpen(range: R): readonly [number, number];
  formatAddr(addr: number): string;
  /** How many consecutive addresses an access of `width` touches. */
  span(width: AccessWidth): number;
  /** Largest valid address + 1. */
  readonly limit: number;
}

/** A device as the bus knows it: with the name it was registered under and its range. */
export interface RegisteredDevice<D> {
  readonly name: string;
  readonly device: D;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

const isWidth = (w: number): w is AccessWidth => w === 1 || w === 2 || w === 4 || w === 8;
/** The largest value of each access width (indexed by the width in bytes). */
const WIDTH_MAX: readonly bigint[] = [
  0n,
  0xffn,
  0xffffn,
  0n,
  0xffff_ffffn,
  0n,
  0n,
  0n,
  2n ** 64n - 1n,
];

/**
 * The devices of one address space and the dispatch of accesses to them. Every outcome a
 * guest can cause is a returned `AxResult`: a miss, an access that crosses a device boundary,
 * or an AxError thrown by the device. Only exceptions that are not AxErrors (device bugs)
 * propagate.
 */
export class DeviceBus<R, A extends number> {
  readonly kind: BusKind<R>;
  readonly #map = new RangeMap<RegisteredDevice<BaseDeviceOps<R, A>>>();
  /** Guests poll one device (a UART status register) in loops; skip the search then. */
  /**
   * The device the last access resolved to, as the result `#resolve` returns for it: the
   * next access to the same device (the common case) allocates nothing.
   */
  #last:
    | { readonly ok: true; readonly value: RangeEntry<RegisteredDevice<BaseDeviceOps<R, A>>> }
    | undefined;

  constructor(kind: BusKind<R>) {
    this.kind = kind;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Registers `device` under `name`; throws AxError AddrInUse naming both devices on overlap. */
  add(device: BaseDeviceOps<R, A>, name: string): RegisteredDevice<BaseDeviceOps<R, A>> {
    const [start, end] = this.kind.halfOpen(device.addressRange());
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end > start)) {
      throw new AxError(
        "InvalidInput",
        `${this.kind.name} device "${name}" claims an empty or invalid range ${this.#formatRange(start, end)}`,
      );
    }
    if (this.#map.entries().some((e) => e.value.device === device)) {
      throw new AxError(
        "AlreadyExists",
        `${this.kind.name} device "${name}" is already registered`,
      );
    }
    const entry: RegisteredDevice<BaseDeviceOps<R, A>> = { name, device, start, end };
    const conflict = this.#map.insert(start, end, entry);
    if (conflict !== undefined) {
      throw new AxError(
        "AddrInUse",
        `${this.kind.name} device "${name}" ${this.#formatRange(start, end)} overlaps ` +
          `"${conflict.value.name}" ${this.#formatRange(conflict.start, conflict.end)}`,
      );
    }
    this.#last = undefined;
    return entry;
  }

  /** Unregisters `device`; false when it was not registered here. */
  remove(device: BaseDeviceOps<R, A>): boolean {
    this.#last = undefined;
    return this.#map.removeWhere((e) => e.device === device) > 0;
  }

  /** The device whose range contains `addr`. */
  find(addr: number): RegisteredDevice<BaseDeviceOps<R, A>> | undefined {
    // The device of the last access first: an exit path asks before every access.
    const last = this.#last;
    if (last !== undefined && addr >= last.value.start && addr < last.value.end) {
      return last.value.value;
    }
    return this.#map.find(addr)?.value;
  }

  devices(): RegisteredDevice<BaseDeviceOps<R, A>>[] {
    return this.#map.entries().map((e) => e.value);
  }

  /**
   * Reads `width` bytes at `addr`. The device's answer is masked to the access width (a device
   * returning stray high bits cannot leak them into a guest register) and, when `signExtend`
   * is set, sign-extended from that width to 64 bits.
   */
  read(
    addr: number,
    width: AccessWidth,
    signExtend = false,
    access?: DeviceAccess,
  ): AxResult<bigint> {
    const hit = this.#resolve(addr, width, "read");
    if (!hit.ok) return hit;
    const { device, name } = hit.value.value;
    let raw: bigint;
    try {
      raw = device.handleRead(addr as A, width, access);
    } catch (e) {
      return this.#deviceError(e, name, addr, width, "read");
    }
    if (typeof raw !== "bigint") {
      return err(
        "InvalidData",
        `${this.kind.name} device "${name}" returned ${typeof raw} instead of a bigint for a ${width}-byte read at ${this.kind.formatAddr(addr)}`,
      );
    }
    return ok(signExtend ? signExtendFromWidth(raw, width) : maskToWidth(raw, width));
  }

  /** Writes the low `width` bytes of `value` at `addr`; the device never sees higher bits. */
  write(addr: number, width: AccessWidth, value: bigint, access?: DeviceAccess): AxResult<void> {
    const hit = this.#resolve(addr, width, "write");
    if (!hit.ok) return hit;
    const { device, name } = hit.value.value;
    try {
      // Masking makes a new bigint: only done when there is something to mask.
      const fits = value >= 0n && value <= (WIDTH_MAX[width] ?? 0n);
      device.handleWrite(addr as A, width, fits ? value : maskToWidth(value, width), access);
    } catch (e) {
      return this.#deviceError(e, name, addr, width, "write");
    }
    return OK_VOID;
  }

  /** Calls `reset()` on every device that has one (VM restart). */
  resetAll(): void {
    for (const e of this.#map.entries()) e.value.device.reset?.();
  }

  #resolve(
    addr: number,
    width: number,
    op: "read" | "write",
  ): AxResult<RangeEntry<RegisteredDevice<BaseDeviceOps<R, A>>>> {
    const last = this.#last;
    if (
      last !== undefined &&
      addr >= last.value.start &&
      addr + this.kind.span(width) <= last.value.end &&
      isWidth(width)
    ) {
      return last;
    }
    return this.#lookUp(addr, width, op);
  }

  /**
   * `#resolve` past its cache. A separate method because the message closure below captures
   * the arguments: V8 then allocates their context on entry to whichever function holds it,
   * which on the cached path would be an allocation per access.
   */
  #lookUp(
    addr: number,
    width: number,
    op: "read" | "write",
  ): AxResult<RangeEntry<RegisteredDevice<BaseDeviceOps<R, A>>>> {
    const what = () => `${width}-byte ${this.kind.name} ${op} at ${this.kind.formatAddr(addr)}`;
    if (!isWidth(width)) {
      return err(
        "InvalidInput",
        `${this.kind.name} ${op} of ${width} bytes: widths are 1, 2, 4 or 8`,
      );
    }
    if (!Number.isSafeInteger(addr) || addr < 0 || addr >= this.kind.limit) {
      return err("BadAddress", `${this.kind.name} ${op} at invalid address ${addr}`);
    }
    const end = addr + this.kind.span(width);

    const entry = this.#map.find(addr);
    if (entry === undefined) {
      const next = this.#map.after(addr);
      if (next !== undefined && next.start < end) {
        return err("BadAddress", `${what()} straddles the start of device ${this.#describe(next)}`);
      }
      return err(
        "BadAddress",
        `no ${this.kind.name} device at ${this.kind.formatAddr(addr)} (${width}-byte ${op})`,
      );
    }
    if (end > entry.end) {
      return err("BadAddress", `${what()} straddles the end of device ${this.#describe(entry)}`);
    }
    const hit = { ok: true, value: entry } as const;
    this.#last = hit;
    return hit;
  }

  #deviceError(
    e: unknown,
    name: string,
    addr: number,
    width: AccessWidth,
    op: "read" | "write",
  ): AxResult<never> {
    if (!(e instanceof AxError)) throw e;
    return {
      ok: false,
      error: new AxError(
        e.kind,
        `${this.kind.name} device "${name}" refused a ${width}-byte ${op} at ${this.kind.formatAddr(addr)}: ${e.message}`,
        { cause: e },
      ),
    };
  }

  #describe(e: RangeEntry<RegisteredDevice<unknown>>): string {
    return `"${e.value.name}" ${this.#formatRange(e.start, e.end)}`;
  }

  #formatRange(start: number, end: number): string {
    return `[${this.kind.formatAddr(start)}, ${this.kind.formatAddr(end)})`;
  }
}
