import { axErr } from "@axvisor/axerrno";
import type { HostServices } from "@axvisor/axvisor-api";

/**
 * Per-physical-CPU virtualization control of one architecture (AxVisor's `AxArchPerCpu`):
 * turning the extension on (RISC-V H delegation CSRs, VMXON, HCR_EL2) and what it supports.
 */
export interface ArchPerCpu {
  isEnabled(): boolean;
  /** Throws an AxError (Unsupported) when this CPU has no virtualization support. */
  hardwareEnable(): void;
  hardwareDisable(): void;
  /** Deepest nested page-table walk the CPU supports: 3 (Sv39x4 / 39-bit IPA) or 4. */
  maxGuestPageTableLevels(): number;
}

export type ArchPerCpuFactory = (cpuId: number, host: HostServices) => ArchPerCpu;

/**
 * AxVisor's `AxPerCpu`: a slot created empty and initialised once for its CPU. Holding the
 * arch object behind `init` keeps "used before init" and "initialised twice" as clear errors
 * instead of silent double hardware setup.
 */
export class PerCpu {
  #cpuId: number | null = null;
  #arch: ArchPerCpu | null = null;

  get isInitialized(): boolean {
    return this.#arch !== null;
  }

  get cpuId(): number {
    if (this.#cpuId === null) throw axErr("BadState", "per-CPU state used before init");
    return this.#cpuId;
  }

  init(cpuId: number, factory: ArchPerCpuFactory, host: HostServices): void {
    if (this.#arch !== null) {
      throw axErr(
        "BadState",
        `per-CPU virtualization state of CPU ${this.#cpuId} is already initialised ` +
          `(init called again for CPU ${cpuId})`,
      );
    }
    const arch = factory(cpuId, host);
    this.#cpuId = cpuId;
    this.#arch = arch;
  }

  /** The backend object; throws when `init` has not run. */
  arch(): ArchPerCpu {
    if (this.#arch === null) throw axErr("BadState", "per-CPU state used before init");
    return this.#arch;
  }

  isEnabled(): boolean {
    return this.arch().isEnabled();
  }

  hardwareEnable(): void {
    this.arch().hardwareEnable();
  }

  hardwareDisable(): void {
    this.arch().hardwareDisable();
  }

  maxGuestPageTableLevels(): number {
    return this.arch().maxGuestPageTableLevels();
  }

  /** Turns virtualization off if it is on (AxVisor does this when the per-CPU slot drops). */
  dispose(): void {
    if (this.#arch?.isEnabled()) this.#arch.hardwareDisable();
  }
}
