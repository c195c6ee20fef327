import type { IrqLine } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { VmDeviceContext } from "@axvisor/axvm";
import type { EmulatedDeviceConfig } from "@axvisor/axvmconfig";
import {
  type BlockBacking,
  VirtioBlk,
  VirtioConsole,
  type VirtioDeviceBackend,
  VirtioMmioTransport,
} from "@axvisor/device-virtio-mmio";
import type { VmConsole } from "../vmm/vm-console.js";

/** What a VM's virtio devices are wired to, on every platform. */
export interface VirtioWiring {
  readonly console: VmConsole;
  /** A device model reporting a driver error (a virtqueue rule broken). */
  deviceError(device: string, message: string): void;
}

/**
 * The virtio-mmio devices of one VM's `emu_devices` rows (0xE1 virtio-blk, 0xE3
 * virtio-console). They are the same on every architecture; only the interrupt line each row
 * gets differs, so each platform's device set passes the line it built.
 */
export class VmVirtioDevices {
  readonly #wiring: VirtioWiring;
  #disk: BlockBacking | undefined;

  constructor(wiring: VirtioWiring) {
    this.#wiring = wiring;
  }

  /**
   * virtio-blk on the disk `open` gives, called only once the row is accepted: a VM config
   * names one `disk_path`, so a second row is refused before anything is opened.
   */
  blk(
    cfg: EmulatedDeviceConfig,
    ctx: VmDeviceContext,
    irq: IrqLine,
    open: () => BlockBacking,
  ): VirtioMmioTransport {
    if (this.#disk !== undefined) {
      throw axErr("InvalidInput", "a second virtio-blk device: a VM config names one disk_path");
    }
    const backing = open();
    this.#disk = backing;
    return this.#transport(cfg, ctx, irq, new VirtioBlk({ backing }));
  }

  /** virtio-console, attached to the VM's console beside (or instead of) its UART. */
  console(cfg: EmulatedDeviceConfig, ctx: VmDeviceContext, irq: IrqLine): VirtioMmioTransport {
    const console = this.#wiring.console;
    const dev = new VirtioConsole({ onOutput: (b) => console.write(b) });
    console.attachVirtioConsole(dev);
    return this.#transport(cfg, ctx, irq, dev);
  }

  /** Writes what the guest wrote to its disk through to the disk file (before a snapshot). */
  flush(): void {
    this.#disk?.flush();
  }

  #transport(
    cfg: EmulatedDeviceConfig,
    ctx: VmDeviceContext,
    irq: IrqLine,
    backend: VirtioDeviceBackend,
  ): VirtioMmioTransport {
    return new VirtioMmioTransport({
      base: cfg.baseGpa,
      size: cfg.length,
      irq,
      memory: ctx.memory,
      backend,
      onDeviceError: (m) => this.#wiring.deviceError(cfg.name, m),
    });
  }
}
