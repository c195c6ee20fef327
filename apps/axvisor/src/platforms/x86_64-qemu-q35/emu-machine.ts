import { axErr } from "@axvisor/axerrno";
import { virtioBlkSlot } from "@axvisor/device-virtio-mmio";
import type { MachineExit } from "@axvisor/machine";
import { PcMachine } from "@axvisor/platform-x86_64-qemu-q35";
import { splitQemuKeyValues } from "../../emu/drive-spec.js";
import type { EmuMachine, EmuMachineOptions } from "../../platform/host-platform.js";

/** `-device isa-debug-exit[,iobase=N][,iosize=N]`, numbers in C syntax as QEMU reads them. */
export function parseX86Devices(devices: readonly string[]): {
  debugExit?: { iobase?: number; iosize?: number };
} {
  let debugExit: { iobase?: number; iosize?: number } | undefined;
  for (const text of devices) {
    const [driver, ...props] = splitQemuKeyValues(text);
    if (driver?.[0] !== "isa-debug-exit" || driver[1] !== "") {
      throw axErr(
        "InvalidInput",
        `-device ${text}: x86_64-qemu-q35 has no such device (it offers isa-debug-exit; disks: -drive)`,
      );
    }
    const d: { iobase?: number; iosize?: number } = {};
    for (const [key, value] of props) {
      const n = /^(0x[0-9a-f]+|\d+)$/i.test(value) ? Number(value) : Number.NaN;
      if ((key !== "iobase" && key !== "iosize") || !Number.isInteger(n) || n < 0 || n > 0xffff) {
        throw axErr(
          "InvalidInput",
          `-device isa-debug-exit: bad property '${key}=${value}' (iobase, iosize: port numbers)`,
        );
      }
      d[key] = n;
    }
    debugExit = d;
  }
  return debugExit === undefined ? {} : { debugExit };
}

/** The PC board for `axvisor emu -M x86_64-qemu-q35` (QEMU's q35/pc with direct boot). */
export function createX86EmuMachine(o: EmuMachineOptions): EmuMachine {
  if (o.machineProps.size > 0) {
    throw axErr(
      "InvalidInput",
      `-M: x86_64-qemu-q35 has no machine properties ('${[...o.machineProps.keys()].join(",")}')`,
    );
  }
  if (o.cpu !== undefined && !/^(max|qemu64|host)(,|$)/.test(o.cpu)) {
    throw axErr("InvalidInput", `-cpu: unknown model '${o.cpu}' (supported: max)`);
  }
  if (o.dtb !== undefined) {
    throw axErr("InvalidInput", "-dtb: a PC has no device tree (it describes itself with ACPI)");
  }
  const pc = new PcMachine({
    cpus: o.cpus,
    ramSize: o.memory,
    images: {
      ...(o.firmware !== undefined ? { firmware: o.firmware } : {}),
      ...(o.kernel !== undefined ? { kernel: o.kernel } : {}),
      ...(o.initrd !== undefined ? { initrd: o.initrd } : {}),
    },
    ...(o.append !== undefined ? { bootargs: o.append } : {}),
    ...(o.clock !== undefined ? { clock: o.clock } : {}),
    ...parseX86Devices(o.devices),
    virtio: o.drives.map((d) => virtioBlkSlot(d.backing, { onDeviceError: d.onDeviceError })),
    console: o.console,
  });
  return {
    run: (): Promise<MachineExit> => pc.run(),
    stop: (reason) => pc.stop(reason),
    sendInput: (bytes) => pc.sendInput(bytes),
    get instructions() {
      return pc.instructions;
    },
    get idleMs() {
      return pc.idleMs;
    },
  };
}
