import { type BasePortDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import { type AccessWidth, type Port, type PortRange, portRange } from "@axvisor/memory-addr";

export interface IsaDebugExitOptions {
  /** First port (QEMU's default 0x501; test programs commonly use 0xf4). */
  readonly iobase?: number;
  /** Number of ports (QEMU's default 2). */
  readonly iosize?: number;
  /** Receives the exit status `(value << 1) | 1` of a write. */
  readonly onExit: (status: number) => void;
}

/**
 * QEMU's `isa-debug-exit`: any write of V to its ports ends the run with exit status
 * `(V << 1) | 1` (so a guest can never report status 0). Reads return 0.
 */
export class IsaDebugExit implements BasePortDeviceOps {
  readonly #range: PortRange;
  readonly #onExit: (status: number) => void;

  constructor(options: IsaDebugExitOptions) {
    const base = options.iobase ?? 0x501;
    const size = options.iosize ?? 2;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`iosize ${size} must be >= 1`);
    this.#range = portRange(base, base + size - 1);
    this.#onExit = options.onExit;
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  handleRead(_addr: Port, _width: AccessWidth): bigint {
    return 0n;
  }

  handleWrite(_addr: Port, width: AccessWidth, value: bigint): void {
    const v = Number(value & ((1n << BigInt(8 * width)) - 1n));
    // QEMU calls exit((val << 1) | 1); a process status would keep only the low 8 bits.
    this.#onExit(v * 2 + 1);
  }
}
