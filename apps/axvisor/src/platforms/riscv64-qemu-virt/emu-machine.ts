import { axErr } from "@axvisor/axerrno";
import type { HartExtensions } from "@axvisor/cpu-riscv64";
import { VirtMachine, virtioBlkSlot } from "@axvisor/platform-riscv64-qemu-virt";
import { splitQemuKeyValues } from "../../emu/drive-spec.js";
import type {
  EmuDebugTarget,
  EmuMachine,
  EmuMachineOptions,
} from "../../platform/host-platform.js";
import { riscvBoardDebugTarget } from "./board-debug.js";

/** The virt board with `axvisor emu -s`: the harts under GDB. */
class DebuggableVirtMachine extends VirtMachine implements EmuMachine {
  attachDebugger(): EmuDebugTarget {
    return riscvBoardDebugTarget(this);
  }
}

const ON_OFF: Readonly<Record<string, boolean>> = {
  on: true,
  off: false,
  true: true,
  false: false,
  yes: true,
  no: false,
};

/** `-cpu rv64[,h=on|off][,sstc=on|off]` (QEMU's property syntax); both extensions on by default. */
export function parseRiscvCpu(value: string | undefined): HartExtensions {
  const cpu = { h: true, sstc: true };
  if (value === undefined) return cpu;
  const [model, ...props] = splitQemuKeyValues(value);
  if (model === undefined || !["rv64", "max", "any"].includes(model[0]) || model[1] !== "") {
    throw axErr("InvalidInput", `-cpu: unknown model '${model?.[0] ?? ""}' (supported: rv64)`);
  }
  for (const [key, v] of props) {
    const on = ON_OFF[v];
    if ((key !== "h" && key !== "sstc") || on === undefined) {
      throw axErr(
        "InvalidInput",
        `-cpu: unsupported property '${key}=${v}' (supported: h, sstc = on/off)`,
      );
    }
    cpu[key] = on;
  }
  return cpu;
}

/** The QEMU riscv64 virt board for `axvisor emu -M riscv64-qemu-virt`. */
export function createRiscvEmuMachine(o: EmuMachineOptions): EmuMachine {
  if (o.machineProps.size > 0) {
    throw axErr(
      "InvalidInput",
      `-M: riscv64-qemu-virt has no machine properties ('${[...o.machineProps.keys()].join(",")}')`,
    );
  }
  const [device] = o.devices;
  if (device !== undefined) {
    throw axErr(
      "InvalidInput",
      `-device ${device}: riscv64-qemu-virt has no such device (disks: -drive file=...)`,
    );
  }
  return new DebuggableVirtMachine({
    harts: o.cpus,
    extensions: parseRiscvCpu(o.cpu),
    ramSize: o.memory,
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
}
