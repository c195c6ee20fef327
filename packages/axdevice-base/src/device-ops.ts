import type {
  AccessWidth,
  AddrRange,
  GuestPhysAddr,
  Port,
  PortRange,
  SysRegAddr,
  SysRegAddrRange,
} from "@axvisor/memory-addr";
import type { EmulatedDeviceType } from "./emulated-device-type.js";
import type { SavedRecord } from "./saved-state.js";

/** Who made a device access: the vCPU of the VM (or the CPU of a board) that executed it. */
export interface DeviceAccess {
  readonly vcpuId: number;
}

/**
 * One emulated device, seen through one kind of address range (AxVisor's `BaseDeviceOps<R>`).
 *
 * Contract:
 * - `addressRange` is fixed for the device's lifetime. MMIO ranges are half-open; port and
 *   system-register ranges are inclusive, as in AxVisor.
 * - The dispatcher only calls a handler when the whole access lies inside `addressRange`, and
 *   passes the absolute address (devices subtract their own base).
 * - Values are 64-bit unsigned bigints. A read result is masked to the access width (and
 *   sign-extended if the guest's instruction asks) by the dispatcher, not by the device.
 * - Registers that do not exist read as zero and ignore writes, as most hardware does. A device
 *   may throw an `AxError` for an access the guest must not make; the dispatcher turns it into a
 *   guest-visible fault. Any other exception is a bug in the device.
 */
export interface BaseDeviceOps<R, A extends number> {
  emuType(): EmulatedDeviceType;
  addressRange(): R;
  /**
   * `access` says who made the access. Devices with per-CPU (banked) registers need it: a GIC
   * distributor's SGI/PPI registers, GICv2's CPU interface, a local APIC. Others ignore it;
   * callers outside a VM (a board, a test) may leave it out.
   */
  handleRead(addr: A, width: AccessWidth, access?: DeviceAccess): bigint;
  handleWrite(addr: A, width: AccessWidth, value: bigint, access?: DeviceAccess): void;
  /** Returns the device to its power-on state (VM restart). */
  reset?(): void;
  /**
   * Its guest-visible state for a VM snapshot (registers, queues, pending interrupts), taken
   * between guest instructions. A device without it has no state worth keeping.
   */
  saveState?(): SavedRecord;
  /** Puts back what `saveState` returned, on a device built from the same config. */
  loadState?(state: SavedRecord): void;
}

export type BaseMmioDeviceOps = BaseDeviceOps<AddrRange<GuestPhysAddr>, GuestPhysAddr>;
export type BasePortDeviceOps = BaseDeviceOps<PortRange, Port>;
export type BaseSysRegDeviceOps = BaseDeviceOps<SysRegAddrRange, SysRegAddr>;
