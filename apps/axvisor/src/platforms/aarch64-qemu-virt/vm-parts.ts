import { ArmVmContext, createArmArchBackend } from "@axvisor/arm-vcpu";
import { axErr } from "@axvisor/axerrno";
import type { ArchBackend } from "@axvisor/axvm";
import { type AxVMCrateConfig, resolveConfigPath } from "@axvisor/axvmconfig";
import { hostFiles, type OpenedDisk } from "../../host/host-files.js";
import type { PlacedVm, VmArchParts, VmBuildContext } from "../../platform/host-platform.js";
import { ArmVmDevices } from "./arm-devices.js";
import { buildArmGuestFdt } from "./guest-fdt.js";
import type { ArmHostBoard } from "./host-board.js";

/** Each vCPU's MPIDR, in vCPU order: `phys_cpu_ids`, else 0..cpu_num-1 (AxVisor). */
export function guestMpidrs(config: AxVMCrateConfig): readonly number[] {
  return config.base.physCpuIds ?? Array.from({ length: config.base.cpuNum }, (_, i) => i);
}

/** The aarch64 half of one VM: a VMID, arm-vcpu with the vGICv3, PL011/virtio, the guest DT. */
export function buildArmVm(host: ArmHostBoard, ctx: VmBuildContext): VmArchParts {
  const config = ctx.config;
  if (config.devices.interruptMode === "passthrough") {
    throw axErr(
      "Unsupported",
      `VM ${config.base.id} "${config.base.name}": interrupt_mode "passthrough" is not implemented on aarch64 yet; use "emu"`,
    );
  }
  const mpidrs = guestMpidrs(config);
  const opened: OpenedDisk[] = [];
  const devices = new ArmVmDevices({
    console: ctx.console,
    mpidrs,
    setInterruptLevel: (vcpu, intid, level) => ctx.setInterruptLevel(vcpu, intid, level),
    deviceError: (dev, m) => ctx.deviceError(dev, m),
    openDisk: () => {
      if (ctx.disk !== undefined) return ctx.disk;
      const p = config.kernel.diskPath;
      if (p === undefined)
        throw axErr("InvalidInput", "virtio-blk needs a disk: set [kernel].disk_path");
      const backing = hostFiles().openDisk(resolveConfigPath(config, p), { readOnly: true });
      opened.push(backing);
      ctx.notice(`disk ${p} attached read-only`);
      return backing;
    },
  });
  const vmid = host.vmids.allocate();
  const context = new ArmVmContext(config.base.id, vmid);
  const backend = createArmArchBackend({
    cpus: host.cpus,
    vm: context,
    sliceInstructions: ctx.sliceInstructions,
    interrupts: (vcpuId) => devices.vgic.cpu(vcpuId),
  });
  let released = false;
  return {
    config,
    // The VMM hands the backend to AxVM as a whole, which pairs its config types itself.
    backend: backend as unknown as ArchBackend,
    deviceFactories: devices.factories(),
    vmid,
    attachMemory(memory) {
      context.memory = memory;
    },
    bootInfo(placed: PlacedVm) {
      return buildArmGuestFdt(config, mpidrs, placed);
    },
    forwardHostIrq() {
      return false;
    },
    release() {
      if (released) return;
      released = true;
      host.vmids.release(vmid);
      for (const d of opened.splice(0)) d.close?.();
    },
  };
}
