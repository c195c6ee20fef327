import { axErr } from "@axvisor/axerrno";
import { virtioBlkSlot } from "@axvisor/device-virtio-mmio";
import type { MachineExit } from "@axvisor/machine";
import { ArmVirtMachine } from "@axvisor/platform-aarch64-qemu-virt";
import { splitQemuKeyValues } from "../../emu/drive-spec.js";
import type {
  EmuDebugTarget,
  EmuMachine,
  EmuMachineOptions,
} from "../../platform/host-platform.js";
import { armBoardDebugTarget } from "./arm-board-debug.js";

const ON_OFF: Readonly<Record<string, boolean>> = {
  on: true,
  off: false,
  true: true,
  false: false,
};

/** QEMU virt's `-machine` properties we model: virtualization=on|off, gic-version=2|3. */
export function parseArmMachineProps(props: ReadonlyMap<string, string>): {
  virtualization: boolean;
  gicVersion: 2 | 3;
} {
  let virtualization = false;
  let gicVersion: 2 | 3 = 2;
  for (const [key, value] of props) {
    if (key === "virtualization" && ON_OFF[value] !== undefined) {
      virtualization = ON_OFF[value];
    } else if (key === "gic-version" && (value === "2" || value === "3")) {
      gicVersion = value === "2" ? 2 : 3;
    } else {
      throw axErr(
        "InvalidInput",
        `-M: aarch64-qemu-virt: unsupported property '${key}=${value}' (virtualization=on|off, gic-version=2|3)`,
      );
    }
  }
  return { virtualization, gicVersion };
}

/** `-cpu cortex-a57` (QEMU virt's usual choice) or `max` (adds LSE and the v8.1 atomics). */
export function parseArmCpu(text: string | undefined): "cortex-a57" | "max" {
  if (text === undefined) return "cortex-a57";
  const [model, ...props] = splitQemuKeyValues(text);
  const name = model?.[0];
  if ((name !== "cortex-a57" && name !== "max") || props.length > 0) {
    throw axErr("InvalidInput", `-cpu: unsupported '${text}' (aarch64: cortex-a57 or max)`);
  }
  return name;
}

/** The QEMU aarch64 virt board for `axvisor emu -M aarch64-qemu-virt`. */
export function createArmEmuMachine(o: EmuMachineOptions): EmuMachine {
  const [device] = o.devices;
  if (device !== undefined) {
    throw axErr(
      "InvalidInput",
      `-device ${device}: aarch64-qemu-virt has no such device (disks: -drive file=...)`,
    );
  }
  const board = new ArmVirtMachine({
    cpus: o.cpus,
    ramSize: o.memory,
    ...parseArmMachineProps(o.machineProps),
    cpuModel: parseArmCpu(o.cpu),
    images: {
      ...(o.firmware !== undefined ? { firmware: o.firmware } : {}),
      ...(o.kernel !== undefined ? { kernel: o.kernel } : {}),
      ...(o.initrd !== undefined ? { initrd: o.initrd } : {}),
    },
    ...(o.append !== undefined ? { bootargs: o.append } : {}),
    ...(o.dtb !== undefined ? { dtb: o.dtb.data } : {}),
    ...(o.clock !== undefined ? { clock: o.clock } : {}),
    virtio: o.drives.map((d) => virtioBlkSlot(d.backing, { onDeviceError: d.onDeviceError })),
    console: o.console,
  });
  return {
    run: (): Promise<MachineExit> => board.run(),
    stop: (reason) => board.stop(reason),
    sendInput: (bytes) => board.sendInput(bytes),
    get instructions() {
      return board.instructions;
    },
    get idleMs() {
      return board.idleMs;
    },
    attachDebugger: (): EmuDebugTarget => armBoardDebugTarget(board),
  };
}
