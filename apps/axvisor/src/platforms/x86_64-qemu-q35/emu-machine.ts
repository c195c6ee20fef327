import { axErr } from "@axvisor/axerrno";
import { virtioBlkSlot } from "@axvisor/device-virtio-mmio";
import type { MachineExit } from "@axvisor/machine";
import { PcMachine, type PcRawLoad } from "@axvisor/platform-x86_64-qemu-q35";
import { splitQemuKeyValues } from "../../emu/drive-spec.js";
import { hostFiles } from "../../host/host-files.js";
import type {
  EmuDebugTarget,
  EmuMachine,
  EmuMachineOptions,
} from "../../platform/host-platform.js";
import { x86BoardDebugTarget } from "./x86-board-debug.js";

/** `-device` values in C syntax, as QEMU reads them. */
function parseNumber(value: string, max: number): number {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n <= max ? n : Number.NaN;
}

/** `-device loader,file=FILE,addr=ADDR[,force-raw=on]`: a raw file copied into RAM at ADDR. */
function parseLoader(text: string, props: readonly [string, string][]): PcRawLoad {
  let file: string | undefined;
  let addr: number | undefined;
  let forceRaw = false;
  for (const [key, value] of props) {
    if (key === "file" && value !== "") file = value;
    else if (key === "addr" && !Number.isNaN(parseNumber(value, 0xffff_ffff)))
      addr = parseNumber(value, 0xffff_ffff);
    else if (key === "force-raw" && (value === "on" || value === "off")) forceRaw = value === "on";
    else {
      throw axErr(
        "InvalidInput",
        `-device ${text}: bad property '${key}=${value}' (loader takes file=FILE,addr=ADDR[,force-raw=on])`,
      );
    }
  }
  if (file === undefined || addr === undefined) {
    throw axErr("InvalidInput", `-device ${text}: loader needs file=FILE and addr=ADDR`);
  }
  let data: Uint8Array;
  try {
    data = hostFiles().readFile(file);
  } catch (e) {
    throw axErr("NotFound", `-device loader: cannot read '${file}': ${(e as Error).message}`);
  }
  const elf = data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;
  if (elf && !forceRaw) {
    throw axErr(
      "InvalidInput",
      `-device loader: '${file}' is an ELF file; only raw images are loaded (add force-raw=on to copy it as it is)`,
    );
  }
  return { name: file, addr, data };
}

/** `-device isa-debug-exit[,iobase=N][,iosize=N]` and `-device loader,...` as QEMU takes them. */
export function parseX86Devices(devices: readonly string[]): {
  debugExit?: { iobase?: number; iosize?: number };
  loaders?: PcRawLoad[];
} {
  let debugExit: { iobase?: number; iosize?: number } | undefined;
  const loaders: PcRawLoad[] = [];
  for (const text of devices) {
    const [driver, ...props] = splitQemuKeyValues(text);
    if (driver?.[0] === "loader" && driver[1] === "") {
      loaders.push(parseLoader(text, props));
      continue;
    }
    if (driver?.[0] !== "isa-debug-exit" || driver[1] !== "") {
      throw axErr(
        "InvalidInput",
        `-device ${text}: x86_64-qemu-q35 has no such device (it offers isa-debug-exit and loader; disks: -drive)`,
      );
    }
    const d: { iobase?: number; iosize?: number } = {};
    for (const [key, value] of props) {
      const n = parseNumber(value, 0xffff);
      if ((key !== "iobase" && key !== "iosize") || Number.isNaN(n)) {
        throw axErr(
          "InvalidInput",
          `-device isa-debug-exit: bad property '${key}=${value}' (iobase, iosize: port numbers)`,
        );
      }
      d[key] = n;
    }
    debugExit = d;
  }
  return {
    ...(debugExit !== undefined ? { debugExit } : {}),
    ...(loaders.length > 0 ? { loaders } : {}),
  };
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
    attachDebugger: (): EmuDebugTarget => x86BoardDebugTarget(pc),
  };
}
