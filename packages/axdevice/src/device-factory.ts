import type {
  BaseMmioDeviceOps,
  BasePortDeviceOps,
  BaseSysRegDeviceOps,
  EmulatedDeviceType,
} from "@axvisor/axdevice-base";
import type { EmulatedDeviceConfig } from "@axvisor/axvmconfig";

/** Several devices built from one config row (a vGIC redistributor per vCPU, a device with MMIO and port views). */
export interface DeviceSet {
  readonly mmio?: readonly BaseMmioDeviceOps[];
  readonly ports?: readonly BasePortDeviceOps[];
  readonly sysRegs?: readonly BaseSysRegDeviceOps[];
}

/**
 * Builds the device(s) of one `emu_devices` row. `ctx` is whatever the VM hands every factory
 * (its id, host services, interrupt lines, guest memory for DMA). A single device is an MMIO
 * device. Throw (preferably an AxError) for a row the model cannot accept, e.g. a bad
 * `cfg_list`; the registry reports it with the row's name.
 */
export type DeviceFactory<Ctx> = (
  cfg: EmulatedDeviceConfig,
  ctx: Ctx,
) => BaseMmioDeviceOps | DeviceSet;

/** Device models by type code. Chosen by the app, so axdevice builds no arch-specific devices itself. */
export type DeviceFactories<Ctx> = Partial<Record<EmulatedDeviceType, DeviceFactory<Ctx>>>;

export function isDeviceSet(d: BaseMmioDeviceOps | DeviceSet): d is DeviceSet {
  return typeof (d as Partial<BaseMmioDeviceOps>).handleRead !== "function";
}
