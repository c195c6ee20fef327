import type { DeviceFactories, DeviceSet } from "@axvisor/axdevice";
import { EmulatedDeviceType, type IrqLine, NO_IRQ } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { VmDeviceContext } from "@axvisor/axvm";
import type { EmulatedDeviceConfig } from "@axvisor/axvmconfig";
import { CmosRtc } from "@axvisor/device-cmos-rtc";
import { Ns16550a } from "@axvisor/device-ns16550a";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { AcpiPm, MmioOnPorts } from "@axvisor/platform-x86_64-qemu-q35";
import type { X86VmInterrupts } from "@axvisor/x86-vlapic";
import { VmVirtioDevices } from "../../platform/vm-virtio-devices.js";
import type { VmConsole } from "../../vmm/vm-console.js";
import { MicrocodeRevisionMsr } from "./microcode-msr.js";

/** The CMOS RTC's ISA interrupt line. */
const RTC_IRQ = 8;

/** What the device models of one x86_64 VM are wired to. */
export interface X86DeviceWiring {
  readonly console: VmConsole;
  readonly interrupts: X86VmInterrupts;
  deviceError(device: string, message: string): void;
  /** The guest's clock (its TSC: ticks at `timeHz`), for the CMOS RTC and the PM timer. */
  readonly time: { now(): number };
  readonly timeHz: number;
  /** The guest entered ACPI S5 (soft-off). */
  powerOff(): void;
  /** The disk behind a virtio-blk row. */
  openDisk(): BlockBacking;
}

/**
 * The emulated devices of one x86_64 VM, by `emu_devices` type: 0x01 the interrupt
 * controllers (vLAPIC window at 0xFEE0_0000, vIOAPIC at 0xFEC0_0000, the 8259 ports; with
 * them IA32_BIOS_SIGN_ID, microcode revision 0, and the rest of the PC chipset a guest's
 * ACPI tables and clock code expect: the CMOS RTC at ports 0x70/0x71 on ISA IRQ 8 and the
 * ACPI PM block at 0x600, whose PM1a control register powers the VM off on a sleep to
 * \_S5), 0x02 a
 * 16550 UART on I/O ports (`base_gpa` is the first port, COM1 = 0x3F8, `irq_id` its ISA
 * line, 4), 0xE1 virtio-blk and 0xE3 virtio-console on virtio-mmio windows (`irq_id` an
 * IOAPIC pin, 16.. as the q35 board's slots).
 */
export class X86VmDevices {
  readonly #virtio: VmVirtioDevices;

  constructor(private readonly w: X86DeviceWiring) {
    this.#virtio = new VmVirtioDevices(w);
  }

  factories(): DeviceFactories<VmDeviceContext> {
    return {
      [EmulatedDeviceType.InterruptController]: () => this.#interruptControllers(),
      [EmulatedDeviceType.Console]: (cfg) => this.#uart(cfg),
      [EmulatedDeviceType.VirtioBlk]: (cfg, ctx) =>
        this.#virtio.blk(cfg, ctx, this.#line(cfg), () => this.w.openDisk()),
      [EmulatedDeviceType.VirtioConsole]: (cfg, ctx) =>
        this.#virtio.console(cfg, ctx, this.#line(cfg)),
    };
  }

  /** Writes what the guest wrote to its disk through to the disk file (before a snapshot). */
  flush(): void {
    this.#virtio.flush();
  }

  /**
   * The PC's interrupt controllers, the one model-specific register every VM has, and the
   * chipset's clock and power ports (without the RTC Linux polls its update flag for
   * seconds; without the PM block `poweroff` cannot end the VM).
   */
  #interruptControllers(): DeviceSet {
    const irqs = this.w.interrupts;
    const rtc = new CmosRtc({
      time: this.w.time,
      timeHz: this.w.timeHz,
      irq: { setLevel: (level) => irqs.setIrq(RTC_IRQ, level) },
    });
    const pm = new AcpiPm({
      time: this.w.time,
      timeHz: this.w.timeHz,
      onPowerOff: () => this.w.powerOff(),
    });
    return {
      mmio: irqs.mmioDevices(),
      ports: [...irqs.portDevices(), rtc, pm],
      sysRegs: [new MicrocodeRevisionMsr()],
    };
  }

  #line(cfg: EmulatedDeviceConfig): IrqLine {
    if (cfg.irqId === 0) return NO_IRQ;
    if (cfg.irqId > 23) {
      throw axErr("InvalidInput", `${cfg.name}: IRQ ${cfg.irqId} is not an IOAPIC pin (0..23)`);
    }
    const irqs = this.w.interrupts;
    return { setLevel: (level) => irqs.setIrq(cfg.irqId, level) };
  }

  #uart(cfg: EmulatedDeviceConfig): DeviceSet {
    if (cfg.baseGpa > 0xfff8) {
      throw axErr(
        "InvalidInput",
        `${cfg.name}: an x86 UART sits on I/O ports; base 0x${cfg.baseGpa.toString(16)} is not a port (COM1 is 0x3f8)`,
      );
    }
    const console = this.w.console;
    const uart = new Ns16550a({
      base: cfg.baseGpa,
      size: 8,
      irq: this.#line(cfg),
      onTransmit: (b) => console.putByte(b),
    });
    console.attachUart(uart);
    return { ports: [new MmioOnPorts(uart, cfg.baseGpa, 8)] };
  }
}
