import type { DeviceFactories } from "@axvisor/axdevice";
import { EmulatedDeviceType, type IrqLine, NO_IRQ } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { VmDeviceContext } from "@axvisor/axvm";
import {
  type AxVMCrateConfig,
  type EmulatedDeviceConfig,
  resolveConfigPath,
} from "@axvisor/axvmconfig";
import { Ns16550a } from "@axvisor/device-ns16550a";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { VPlic } from "@axvisor/riscv-vplic";
import { hostFiles, type OpenedDisk } from "../../host/host-files.js";
import { VmVirtioDevices } from "../../platform/vm-virtio-devices.js";
import type { VmConsole } from "../../vmm/vm-console.js";

/** What the device models of one VM are wired to. */
export interface RiscvDeviceWiring {
  readonly console: VmConsole;
  /** Raises or lowers the virtual external interrupt (VSEIP) of vCPU `vcpu`. */
  setGuestExternal(vcpu: number, level: boolean): void;
  /** The guest completed a host interrupt forwarded to it (passthrough). */
  onHostComplete(irq: number): void;
  /** A one-line notice for the user (e.g. a disk attached read-only). */
  notice(message: string): void;
  /** A device model reporting a driver error (virtqueue rule broken). */
  deviceError(device: string, message: string): void;
  /** Use this disk instead of opening `disk_path` (the built-in demo's in-memory disk). */
  readonly disk?: BlockBacking;
}

/**
 * The emulated devices of one RISC-V VM, built from its `emu_devices` rows by type:
 * 0x30 the vPLIC (cfg_list[0] contexts), 0x02 an ns16550a console UART, 0xE1 virtio-blk on
 * `disk_path`, 0xE3 virtio-console. The vPLIC must exist before the devices that use its
 * source lines: `orderForConstruction` puts its rows first.
 */
export class RiscvVmDevices {
  vplic: VPlic | undefined;
  readonly #wiring: RiscvDeviceWiring;
  readonly #opened: OpenedDisk[] = [];
  readonly #virtio: VmVirtioDevices;

  constructor(wiring: RiscvDeviceWiring) {
    this.#wiring = wiring;
    this.#virtio = new VmVirtioDevices(wiring);
  }

  factories(): DeviceFactories<VmDeviceContext> {
    return {
      [EmulatedDeviceType.PPPTGlobal]: (cfg) => this.#vplic(cfg),
      [EmulatedDeviceType.Console]: (cfg) => this.#uart(cfg),
      [EmulatedDeviceType.VirtioBlk]: (cfg, ctx) =>
        this.#virtio.blk(
          cfg,
          ctx,
          this.#line(cfg),
          () => this.#wiring.disk ?? this.#openDisk(ctx.config),
        ),
      [EmulatedDeviceType.VirtioConsole]: (cfg, ctx) =>
        this.#virtio.console(cfg, ctx, this.#line(cfg)),
    };
  }

  /** Writes what the guest wrote to its disk through to the disk file (before a snapshot). */
  flush(): void {
    this.#virtio.flush();
  }

  /** Closes the disk files this VM opened. */
  close(): void {
    for (const d of this.#opened.splice(0)) d.close?.();
  }

  #line(cfg: EmulatedDeviceConfig): IrqLine {
    if (cfg.irqId === 0) return NO_IRQ;
    if (this.vplic === undefined) {
      throw axErr(
        "InvalidInput",
        `irq_id ${cfg.irqId} needs an interrupt controller: add a PLIC row (emu_type 0x30)`,
      );
    }
    return this.vplic.sourceLine(cfg.irqId);
  }

  #vplic(cfg: EmulatedDeviceConfig): VPlic {
    if (this.vplic !== undefined) throw axErr("AlreadyExists", "a VM has one PLIC");
    const contexts = cfg.cfgList[0];
    if (contexts === undefined) {
      throw axErr("InvalidInput", "cfg_list must be [context_num] (two contexts per vCPU)");
    }
    const w = this.#wiring;
    this.vplic = new VPlic({
      base: cfg.baseGpa,
      size: cfg.length,
      contextNum: contexts,
      setGuestExternal: (hart, level) => w.setGuestExternal(hart, level),
      onHostComplete: (irq) => w.onHostComplete(irq),
    });
    return this.vplic;
  }

  #uart(cfg: EmulatedDeviceConfig): Ns16550a {
    const console = this.#wiring.console;
    const uart = new Ns16550a({
      base: cfg.baseGpa,
      size: cfg.length,
      irq: this.#line(cfg),
      onTransmit: (b) => console.putByte(b),
    });
    console.attachUart(uart);
    return uart;
  }

  /**
   * Opens `disk_path` for writing when it may be written; a file nobody may write (mode
   * without w bits, or refused by the OS) is attached read-only with a notice, so a shared
   * image is never modified even by root.
   */
  #openDisk(config: AxVMCrateConfig): OpenedDisk {
    const p = config.kernel.diskPath;
    if (p === undefined) {
      throw axErr("InvalidInput", "virtio-blk needs a disk: set [kernel].disk_path");
    }
    const path = resolveConfigPath(config, p);
    const files = hostFiles();
    let writable: boolean;
    try {
      writable = files.writable(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw axErr(
        code === "ENOENT" ? "NotFound" : "Io",
        `disk_path ${path}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`,
      );
    }
    let backing: OpenedDisk;
    if (!writable) {
      backing = files.openDisk(path, { readOnly: true });
    } else {
      try {
        backing = files.openDisk(path, { readOnly: false });
      } catch (e) {
        const code = ((e as Error).cause as NodeJS.ErrnoException | undefined)?.code;
        if (code !== "EACCES" && code !== "EROFS" && code !== "EPERM") throw e;
        backing = files.openDisk(path, { readOnly: true });
      }
    }
    if (backing.readOnly) {
      this.#wiring.notice(`disk ${path} is not writable: attached read-only`);
    }
    this.#opened.push(backing);
    return backing;
  }
}

/** The config with its interrupt-controller rows first, so the other devices find the vPLIC. */
export function orderForConstruction(config: AxVMCrateConfig): AxVMCrateConfig {
  const rows = config.devices.emuDevices;
  const first = rows.filter((r) => r.emuType === EmulatedDeviceType.PPPTGlobal);
  if (first.length === 0 || rows[0]?.emuType === EmulatedDeviceType.PPPTGlobal) return config;
  const rest = rows.filter((r) => r.emuType !== EmulatedDeviceType.PPPTGlobal);
  return { ...config, devices: { ...config.devices, emuDevices: [...first, ...rest] } };
}
