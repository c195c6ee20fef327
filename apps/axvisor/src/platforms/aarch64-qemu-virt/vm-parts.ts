import { ArmVmContext, createArmArchBackend } from "@axvisor/arm-vcpu";
import { GICV_MAPPING } from "@axvisor/arm-vgic";
import { StateReader } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { ArchBackend } from "@axvisor/axvm";
import { type AxVMCrateConfig, resolveConfigPath } from "@axvisor/axvmconfig";
import { ARM_VIRT } from "@axvisor/platform-aarch64-qemu-virt";
import { hostFiles, type OpenedDisk } from "../../host/host-files.js";
import type { PlacedVm, VmArchParts, VmBuildContext } from "../../platform/host-platform.js";
import { armDebugArch } from "./arm-debug.js";
import { ArmVmDevices } from "./arm-devices.js";
import { vgicVersionOf } from "./gic-version.js";
import { buildArmGuestFdt } from "./guest-fdt.js";
import type { ArmHostBoard } from "./host-board.js";

/** Each vCPU's MPIDR, in vCPU order: `phys_cpu_ids`, else 0..cpu_num-1 (AxVisor). */
export function guestMpidrs(config: AxVMCrateConfig): readonly number[] {
  return config.base.physCpuIds ?? Array.from({ length: config.base.cpuNum }, (_, i) => i);
}

/** The aarch64 half of one VM: a VMID, arm-vcpu with the vGIC (v2 or v3), PL011/virtio, the guest DT. */
export function buildArmVm(host: ArmHostBoard, ctx: VmBuildContext): VmArchParts {
  const config = ctx.config;
  if (config.devices.interruptMode === "passthrough") {
    throw axErr(
      "Unsupported",
      `VM ${config.base.id} "${config.base.name}": interrupt_mode "passthrough" is not implemented on aarch64 yet; use "emu"`,
    );
  }
  const mpidrs = guestMpidrs(config);
  // Board SPIs passed through to this VM (irq_id of a passthrough row: the SPI number).
  const forwarded = new Set(
    config.devices.passthroughDevices.filter((d) => d.irqId > 0).map((d) => d.irqId),
  );
  const gicVersion = vgicVersionOf(config);
  const gich = host.gich;
  if (gicVersion !== host.gicVersion || (gicVersion === 2 && gich === undefined)) {
    throw axErr(
      "Unsupported",
      `VM ${config.base.id} "${config.base.name}" asks for a vGICv${gicVersion}, but the host GIC is a GICv${host.gicVersion} (it follows the VMs given when the VMM starts)`,
    );
  }
  const opened: OpenedDisk[] = [];
  const devices = new ArmVmDevices({
    console: ctx.console,
    mpidrs,
    setInterruptLevel: (vcpu, intid, level) => ctx.setInterruptLevel(vcpu, intid, level),
    wakeVcpu: (vcpu) => ctx.wakeVcpu(vcpu),
    completed: (intid, hardware) => {
      // A HW list register deactivated the board's SPI when the guest did: nothing to do.
      if (!hardware && forwarded.has(intid - 32)) ctx.onHostComplete(intid - 32);
    },
    gic: gicVersion === 2 && gich !== undefined ? { version: 2, gich } : { version: 3 },
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
  // Forwarded board SPIs keep their INTID in the guest, listed with the HW bit: the guest's
  // EOI deactivates the board's interrupt as on silicon (the host never completes them).
  for (const irq of forwarded) devices.vgic.forwardHardware(32 + irq, 32 + irq);
  // The board's PL011 passed through: its output and the VM's typed input are this VM's.
  const uartPassed = config.devices.passthroughDevices.some(
    (d) => d.baseHpa === ARM_VIRT.uart.base && d.length > 0,
  );
  if (uartPassed) {
    host.passUart((bytes) => ctx.console.write(bytes));
    ctx.console.attachUart(host.board.uart);
  }
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
    // A vGICv2's CPU interface is the board's GICV frame, mapped by stage 2 at the GICC.
    config: gicVersion === 2 ? withGicvWindow(config) : config,
    // The VMM hands the backend to AxVM as a whole, which pairs its config types itself.
    backend: backend as unknown as ArchBackend,
    deviceFactories: devices.factories(),
    vmid,
    debug: armDebugArch,
    attachMemory(memory) {
      context.memory = memory;
    },
    bootInfo(placed: PlacedVm) {
      return buildArmGuestFdt(config, mpidrs, placed, gicVersion);
    },
    forwardHostIrq(irq) {
      if (!forwarded.has(irq)) return false;
      // SPIs go to vCPU 0 (the guest's default routing), which wakes to take it.
      devices.vgic.cpu(0).inject(32 + irq);
      ctx.wakeVcpu(0);
      return true;
    },
    snapshot: {
      quiesce: () => {
        for (const d of opened) d.flush();
        ctx.disk?.flush();
      },
      save: () => ({ psci: context.saveState(), vgic: devices.vgic.saveState() }),
      load: (state) => {
        const r = new StateReader(state, "aarch64 VM state");
        const psci = r.nested("psci");
        const vgic = r.nested("vgic");
        devices.vgic.loadState(vgic);
        context.loadState(psci);
      },
    },
    release() {
      if (released) return;
      released = true;
      host.vmids.release(vmid);
      if (uartPassed) host.passUart(undefined);
      for (const d of opened.splice(0)) d.close?.();
    },
  };
}

/** The config with the host GICV frame passed through at the guest's GICC address. */
function withGicvWindow(config: AxVMCrateConfig): AxVMCrateConfig {
  const gicv = {
    name: "gicv",
    baseGpa: GICV_MAPPING.guestGicc,
    baseHpa: GICV_MAPPING.hostGicv,
    length: GICV_MAPPING.size,
    irqId: 0,
  };
  return {
    ...config,
    devices: {
      ...config.devices,
      passthroughDevices: [...config.devices.passthroughDevices, gicv],
    },
  };
}
