import type { AddrSpace } from "@axvisor/axaddrspace";
import type { AxVmDevices } from "@axvisor/axdevice";
import type { DeviceAccess } from "@axvisor/axdevice-base";
import { AxError, type AxResult, axErr, ok } from "@axvisor/axerrno";
import {
  type AccessExit,
  type ExitReason,
  formatExitReason,
  type GuestFault,
  type VCpu,
} from "@axvisor/axvcpu";
import type { Logger } from "@axvisor/axvisor-api";
import {
  AccessWidth,
  formatGpa,
  type GuestPhysAddr,
  MappingFlags,
  maskToWidth,
} from "@axvisor/memory-addr";
import { bigIntToBytes, bytesToBigInt, loadResult } from "./load-result.js";

/** What the VM did about a guest access nothing could serve. */
export type GuestFaultAction =
  /** The backend raised the architecture's fault inside the guest. */
  | "injected"
  /** No fault hook: the load completed with zero (RAZ). */
  | "read-as-zero"
  /** No fault hook: the store was dropped (WI). */
  | "write-ignored"
  /** No fault hook and nothing to complete (a stray nested page fault): the exit goes to the VMM. */
  | "returned";

export interface GuestFaultEvent {
  readonly vmId: number;
  readonly vcpuId: number;
  readonly fault: GuestFault;
  readonly action: GuestFaultAction;
}

/** x86 `in` lands in al/ax/eax: GPR 0 in the x86 backend's numbering. */
const IO_RESULT_GPR = 0;

export interface ExitServerOptions {
  readonly vmId: number;
  readonly label: string;
  readonly devices: AxVmDevices;
  /** The VM's current address space (it is rebuilt on restart). */
  readonly space: () => AddrSpace;
  readonly log: Logger;
  readonly onGuestFault?: (event: GuestFaultEvent) => void;
}

/**
 * Serves the exits that are a VM's own business: MMIO, port and system-register accesses
 * through the VM's devices (the result masked and sign-extended into the destination
 * register), first touches of lazily allocated memory, and nested page faults. A guest access
 * nothing serves becomes a guest-visible fault, never a host error.
 */
export class ExitServer {
  /** Guest accesses that nothing could serve. */
  guestFaults = 0;

  constructor(private readonly o: ExitServerOptions) {}

  /** One DeviceAccess per vCPU, made once: the exit path allocates nothing for it. */
  readonly #accesses: DeviceAccess[] = [];

  #access(vcpuId: number): DeviceAccess {
    let a = this.#accesses[vcpuId];
    if (a === undefined) {
      a = Object.freeze({ vcpuId });
      this.#accesses[vcpuId] = a;
    }
    return a;
  }

  private get devices(): AxVmDevices {
    return this.o.devices;
  }

  private get addrSpace(): AddrSpace {
    return this.o.space();
  }

  /** Serves one exit; false when it belongs to the VMM. */
  serve<C, S>(vcpu: VCpu<C, S>, exit: ExitReason): boolean {
    const access = this.#access(vcpu.vcpuId);
    switch (exit.kind) {
      case "MmioRead": {
        // A first touch of lazily allocated RAM arrives as an MMIO exit too. With no device
        // there it goes to the lazy path first: the device bus's miss is an error with a
        // stack trace, which costs more than serving the access.
        if (this.devices.findMmioDevice(exit.addr) === undefined) {
          const lazy = this.#lazyRamLoad(vcpu, exit);
          if (lazy !== null) {
            if (!lazy.ok) return this.guestFault(vcpu, exit, lazy.error);
            vcpu.setGpr(exit.reg, maskToWidth(lazy.value, exit.regWidth));
            return true;
          }
        }
        let r = this.devices.handleMmioRead(exit.addr, exit.width, exit.signExtend, access);
        if (!r.ok) r = this.#lazyRamLoad(vcpu, exit) ?? r;
        if (!r.ok) return this.guestFault(vcpu, exit, r.error);
        vcpu.setGpr(exit.reg, maskToWidth(r.value, exit.regWidth));
        return true;
      }
      case "MmioWrite": {
        if (this.devices.findMmioDevice(exit.addr) === undefined) {
          const lazy = this.#lazyRamStore(vcpu, exit.addr, exit.width, exit.data);
          if (lazy !== null) return lazy.ok || this.guestFault(vcpu, exit, lazy.error);
        }
        let r = this.devices.handleMmioWrite(exit.addr, exit.width, exit.data, access);
        if (!r.ok) r = this.#lazyRamStore(vcpu, exit.addr, exit.width, exit.data) ?? r;
        if (!r.ok) return this.guestFault(vcpu, exit, r.error);
        return true;
      }
      case "SysRegRead": {
        const r = this.devices.handleSysRegRead(exit.addr, AccessWidth.Qword, access);
        if (!r.ok) return this.guestFault(vcpu, exit, r.error);
        vcpu.setGpr(exit.reg, r.value);
        return true;
      }
      case "SysRegWrite": {
        const r = this.devices.handleSysRegWrite(exit.addr, AccessWidth.Qword, exit.value, access);
        return r.ok || this.guestFault(vcpu, exit, r.error);
      }
      case "IoRead": {
        const r = this.devices.handlePortRead(exit.port, exit.width, access);
        if (!r.ok) return this.guestFault(vcpu, exit, r.error);
        vcpu.setGpr(IO_RESULT_GPR, this.#ioResult(vcpu, r.value, exit.width));
        return true;
      }
      case "IoWrite": {
        const r = this.devices.handlePortWrite(exit.port, exit.width, exit.data, access);
        return r.ok || this.guestFault(vcpu, exit, r.error);
      }
      case "NestedPageFault": {
        let handled: boolean;
        try {
          handled = this.addrSpace.handlePageFault(exit.addr, exit.accessFlags);
        } catch (e) {
          if (!(e instanceof AxError)) throw e;
          return this.guestFault(vcpu, exit, e);
        }
        if (handled) {
          vcpu.arch.guestPageMapped?.(exit.addr);
          return true;
        }
        return this.guestFault(
          vcpu,
          exit,
          axErr("BadAddress", `no guest memory at ${formatGpa(exit.addr)} allows this access`),
        );
      }
      default:
        return false;
    }
  }

  /**
   * A load the backend reported as MMIO may be a first touch of lazily allocated memory (on
   * RISC-V every G-stage load fault is decoded as MMIO before the VM sees it: AxVisor §11.6).
   * Then the page gets its frame and the load completes from RAM. Null when it is not RAM.
   */
  #lazyRamLoad<C, S>(
    vcpu: VCpu<C, S>,
    exit: Extract<ExitReason, { kind: "MmioRead" }>,
  ): AxResult<bigint> | null {
    const page = this.#lazyPage(vcpu, exit.addr, MappingFlags.READ);
    if (page !== true) return page;
    const bytes = this.addrSpace.read(exit.addr, exit.width);
    if (!bytes.ok) return bytes;
    return ok(
      loadResult(bytesToBigInt(bytes.value), exit.width, exit.signExtend, AccessWidth.Qword),
    );
  }

  #lazyRamStore<C, S>(
    vcpu: VCpu<C, S>,
    at: GuestPhysAddr,
    width: AccessWidth,
    data: bigint,
  ): AxResult<void> | null {
    const page = this.#lazyPage(vcpu, at, MappingFlags.WRITE);
    if (page !== true) return page;
    return this.addrSpace.write(at, bigIntToBytes(data, width));
  }

  #lazyPage<C, S>(
    vcpu: VCpu<C, S>,
    at: GuestPhysAddr,
    access: MappingFlags,
  ): true | null | AxResult<never> {
    try {
      if (!this.addrSpace.handlePageFault(at, access)) return null;
      // The page has a frame now: the hart may have cached its absence.
      vcpu.arch.guestPageMapped?.(at);
      return true;
    } catch (e) {
      if (e instanceof AxError) return { ok: false, error: e };
      throw e;
    }
  }

  /** x86 semantics: `in al`/`in ax` keep the rest of rax; `in eax` zero-extends into rax. */
  #ioResult<C, S>(vcpu: VCpu<C, S>, value: bigint, width: AccessWidth): bigint {
    if (width >= AccessWidth.Dword || vcpu.arch.getGpr === undefined) return value;
    const old = vcpu.arch.getGpr(IO_RESULT_GPR);
    const mask = (1n << BigInt(width * 8)) - 1n;
    return (BigInt.asUintN(64, old) & ~mask) | value;
  }

  /**
   * A guest access nothing serves. The backend's `injectFault` makes it a guest-visible
   * fault, as a bus error on hardware would; without the hook loads read as zero and stores
   * are ignored, and a stray nested page fault (nothing to complete) goes to the VMM. Either
   * way the host keeps running and so does the guest.
   */
  guestFault<C, S>(vcpu: VCpu<C, S>, exit: AccessExit, error: AxError): boolean {
    this.guestFaults++;
    const fault: GuestFault = { exit, error };
    let action: GuestFaultAction;
    if (vcpu.injectFault(fault)) {
      action = "injected";
    } else {
      switch (exit.kind) {
        case "MmioRead":
        case "SysRegRead":
          vcpu.setGpr(exit.reg, 0n);
          action = "read-as-zero";
          break;
        case "IoRead":
          vcpu.setGpr(IO_RESULT_GPR, this.#ioResult(vcpu, 0n, exit.width));
          action = "read-as-zero";
          break;
        case "MmioWrite":
        case "SysRegWrite":
        case "IoWrite":
          action = "write-ignored";
          break;
        case "NestedPageFault":
          action = "returned";
          break;
      }
    }
    this.o.log.warn(
      `${this.o.label} vCPU ${vcpu.vcpuId}: ${formatExitReason(exit)}: ${error.message} -> ${action}`,
    );
    this.o.onGuestFault?.({ vmId: this.o.vmId, vcpuId: vcpu.vcpuId, fault, action });
    return action !== "returned";
  }
}
