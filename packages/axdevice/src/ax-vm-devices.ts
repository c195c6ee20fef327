import {
  type BaseMmioDeviceOps,
  type BasePortDeviceOps,
  type BaseSysRegDeviceOps,
  type DeviceAccess,
  EmulatedDeviceType,
  emulatedDeviceTypeName,
} from "@axvisor/axdevice-base";
import { AxError, type AxResult } from "@axvisor/axerrno";
import type { EmulatedDeviceConfig } from "@axvisor/axvmconfig";
import {
  AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  gpa,
  type Port,
  type PortRange,
  type SysRegAddr,
  type SysRegAddrRange,
} from "@axvisor/memory-addr";
import { MMIO_BUS, PORT_BUS, SYSREG_BUS } from "./bus-kinds.js";
import { DeviceBus, type RegisteredDevice } from "./device-bus.js";
import { type DeviceFactories, isDeviceSet } from "./device-factory.js";
import { IvcChannelAllocator } from "./ivc-channel-allocator.js";

type AnyDevice = BaseMmioDeviceOps | BasePortDeviceOps | BaseSysRegDeviceOps;

/**
 * All emulated devices of one VM (AxVisor's `AxVmDevices`): three registries (MMIO, ports,
 * system registers) and the IVC channel window allocator.
 *
 * Accesses return `AxResult`s and never throw for anything a guest can do: a miss, an access
 * straddling a device boundary, or a device refusing the access (an `AxError` from the
 * device) all come back as failed results the VM turns into a guest-visible fault.
 */
export class AxVmDevices {
  readonly mmio = new DeviceBus<AddrRange<GuestPhysAddr>, GuestPhysAddr>(MMIO_BUS);
  readonly ports = new DeviceBus<PortRange, Port>(PORT_BUS);
  readonly sysRegs = new DeviceBus<SysRegAddrRange, SysRegAddr>(SYSREG_BUS);
  readonly ivc = new IvcChannelAllocator();

  /**
   * Builds the devices of a VM config: each `emu_devices` row goes to the factory registered
   * for its type (IVCChannel rows become IVC windows instead). A row whose type has no factory,
   * a factory that fails, or devices that overlap are config errors naming the row.
   */
  static fromConfig<Ctx>(
    emuDevices: readonly EmulatedDeviceConfig[],
    factories: DeviceFactories<Ctx>,
    ctx: Ctx,
  ): AxVmDevices {
    const devices = new AxVmDevices();
    for (const cfg of emuDevices) devices.addFromConfig(cfg, factories, ctx);
    return devices;
  }

  /** Builds and registers the device(s) of one config row (see `fromConfig`). */
  addFromConfig<Ctx>(cfg: EmulatedDeviceConfig, factories: DeviceFactories<Ctx>, ctx: Ctx): void {
    const label = `emulated device "${cfg.name}" (${emulatedDeviceTypeName(cfg.emuType)}, type 0x${(cfg.emuType as number).toString(16)}) at 0x${cfg.baseGpa.toString(16)}`;
    const configError = (why: string, cause?: unknown) =>
      new AxError("InvalidInput", `${label}: ${why}`, cause === undefined ? undefined : { cause });

    if (cfg.emuType === EmulatedDeviceType.IVCChannel) {
      try {
        this.ivc.addPool(gpa(cfg.baseGpa), cfg.length, cfg.name);
      } catch (e) {
        throw configError(e instanceof Error ? e.message : String(e), e);
      }
      return;
    }
    const factory = factories[cfg.emuType];
    if (factory === undefined) {
      throw configError("no device model is registered for this type");
    }
    let built: ReturnType<typeof factory>;
    try {
      built = factory(cfg, ctx);
    } catch (e) {
      throw configError(e instanceof Error ? e.message : String(e), e);
    }
    const set = isDeviceSet(built) ? built : { mmio: [built] };
    const all = [
      ...(set.mmio ?? []).map((d) => ["mmio", d] as const),
      ...(set.ports ?? []).map((d) => ["port", d] as const),
      ...(set.sysRegs ?? []).map((d) => ["sysreg", d] as const),
    ];
    const added: AnyDevice[] = [];
    try {
      all.forEach(([kind, d], i) => {
        const name = all.length === 1 ? cfg.name : `${cfg.name}#${i}`;
        if (kind === "mmio") this.addMmioDevice(d as BaseMmioDeviceOps, name);
        else if (kind === "port") this.addPortDevice(d as BasePortDeviceOps, name);
        else this.addSysRegDevice(d as BaseSysRegDeviceOps, name);
        added.push(d);
      });
    } catch (e) {
      // All or nothing: a half-registered row would leave the VM with a partial device.
      for (const d of added) this.removeDevice(d);
      throw configError(e instanceof Error ? e.message : String(e), e);
    }
  }

  addMmioDevice(device: BaseMmioDeviceOps, name?: string): void {
    this.mmio.add(device, name ?? emulatedDeviceTypeName(device.emuType()));
  }

  addPortDevice(device: BasePortDeviceOps, name?: string): void {
    this.ports.add(device, name ?? emulatedDeviceTypeName(device.emuType()));
  }

  addSysRegDevice(device: BaseSysRegDeviceOps, name?: string): void {
    this.sysRegs.add(device, name ?? emulatedDeviceTypeName(device.emuType()));
  }

  /** Unregisters a device from whichever registry holds it; false when none does. */
  removeDevice(device: AnyDevice): boolean {
    return (
      this.mmio.remove(device as BaseMmioDeviceOps) ||
      this.ports.remove(device as BasePortDeviceOps) ||
      this.sysRegs.remove(device as BaseSysRegDeviceOps)
    );
  }

  findMmioDevice(addr: GuestPhysAddr): RegisteredDevice<BaseMmioDeviceOps> | undefined {
    return this.mmio.find(addr);
  }

  findPortDevice(port: Port): RegisteredDevice<BasePortDeviceOps> | undefined {
    return this.ports.find(port);
  }

  findSysRegDevice(addr: SysRegAddr): RegisteredDevice<BaseSysRegDeviceOps> | undefined {
    return this.sysRegs.find(addr);
  }

  /** Every MMIO device of a type, for wiring (e.g. the vPLIC, to route interrupts). */
  mmioDevicesOfType(type: EmulatedDeviceType): RegisteredDevice<BaseMmioDeviceOps>[] {
    return this.mmio.devices().filter((d) => d.device.emuType() === type);
  }

  /** `access` names the vCPU that made the access (banked device registers need it). */
  handleMmioRead(
    addr: GuestPhysAddr,
    width: AccessWidth,
    signExtend = false,
    access?: DeviceAccess,
  ): AxResult<bigint> {
    return this.mmio.read(addr, width, signExtend, access);
  }

  handleMmioWrite(
    addr: GuestPhysAddr,
    width: AccessWidth,
    value: bigint,
    access?: DeviceAccess,
  ): AxResult<void> {
    return this.mmio.write(addr, width, value, access);
  }

  handlePortRead(port: Port, width: AccessWidth, access?: DeviceAccess): AxResult<bigint> {
    return this.ports.read(port, width, false, access);
  }

  handlePortWrite(
    port: Port,
    width: AccessWidth,
    value: bigint,
    access?: DeviceAccess,
  ): AxResult<void> {
    return this.ports.write(port, width, value, access);
  }

  /** System registers are read whole (64 bits), as AxVisor does. */
  handleSysRegRead(
    addr: SysRegAddr,
    width: AccessWidth = AccessWidth.Qword,
    access?: DeviceAccess,
  ): AxResult<bigint> {
    return this.sysRegs.read(addr, width, false, access);
  }

  handleSysRegWrite(
    addr: SysRegAddr,
    width: AccessWidth,
    value: bigint,
    access?: DeviceAccess,
  ): AxResult<void> {
    return this.sysRegs.write(addr, width, value, access);
  }

  allocIvcChannel(size: number): AxResult<GuestPhysAddr> {
    return this.ivc.alloc(size);
  }

  releaseIvcChannel(base: GuestPhysAddr, size: number): AxResult<void> {
    return this.ivc.release(base, size);
  }

  /** Power-on state for every device and no IVC windows in use (VM restart). */
  reset(): void {
    this.mmio.resetAll();
    this.ports.resetAll();
    this.sysRegs.resetAll();
    this.ivc.reset();
  }
}
