import { type BaseMmioDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

/** What the guest asked the finisher for. `code` is the exit code of a failure, else 0. */
export interface FinishRequest {
  readonly kind: "pass" | "fail" | "reset";
  readonly code: number;
}

export interface SifiveTestOptions {
  /** Physical base address (QEMU virt: 0x10_0000). */
  readonly base: number;
  /** Size of the MMIO window (QEMU virt: 0x1000). */
  readonly size?: number;
  /** Called once per finisher command; the board powers off or resets in response. */
  readonly onFinish: (request: FinishRequest) => void;
}

/** The status values of the finisher register, in its low 16 bits. */
export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

export const SIFIVE_TEST_DEFAULT_SIZE = 0x1000;

/**
 * QEMU's `sifive_test` device: one write-only register at offset 0. Its low 16 bits select
 * the action; for a failure the high 16 bits carry the exit code. Linux drives it through the
 * `syscon-poweroff` (0x5555) and `syscon-reboot` (0x7777) nodes of the device tree.
 */
export class SifiveTest implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #onFinish: (request: FinishRequest) => void;

  constructor(options: SifiveTestOptions) {
    this.#range = rangeFromSize(
      options.base as GuestPhysAddr,
      options.size ?? SIFIVE_TEST_DEFAULT_SIZE,
    );
    this.#onFinish = options.onFinish;
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  // The register is write-only; QEMU reads it as zero.
  handleRead(_addr: GuestPhysAddr, _width: AccessWidth): bigint {
    return 0n;
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    if (addr !== this.#range.start) return;
    const word = Number(BigInt.asUintN(Math.min(width, 4) * 8, value));
    const status = word & 0xffff;
    switch (status) {
      case FINISHER_PASS:
        this.#onFinish({ kind: "pass", code: 0 });
        break;
      case FINISHER_FAIL:
        this.#onFinish({ kind: "fail", code: word >>> 16 });
        break;
      case FINISHER_RESET:
        this.#onFinish({ kind: "reset", code: 0 });
        break;
      default:
        // Unknown commands do nothing, as on QEMU.
        break;
    }
  }

  reset(): void {}
}
