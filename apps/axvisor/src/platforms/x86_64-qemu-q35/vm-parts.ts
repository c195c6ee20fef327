import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { ArchBackend } from "@axvisor/axvm";
import {
  type AxVMCrateConfig,
  type EmulatedDeviceConfig,
  type PassThroughDeviceConfig,
  resolveConfigPath,
} from "@axvisor/axvmconfig";
import { bootGdt } from "@axvisor/platform-x86_64-qemu-q35";
import { createX86ArchBackend, X86VmContext } from "@axvisor/x86-vcpu";
import { X86_APIC, X86VmInterrupts } from "@axvisor/x86-vlapic";
import { hostFiles, type OpenedDisk } from "../../host/host-files.js";
import type { VmArchParts, VmBuildContext } from "../../platform/host-platform.js";
import type { X86HostBoard } from "./host-board.js";
import { buildVmLinuxBootInfo, VM_LINUX_BOOT } from "./linux-boot-info.js";
import { x86DebugArch } from "./x86-debug.js";
import { X86VmDevices } from "./x86-devices.js";

/** COM1 of a PC: ports 0x3F8-0x3FF, ISA IRQ 4. */
export const COM1 = { port: 0x3f8, irq: 4 } as const;

/** Each vCPU's local APIC id, in vCPU order: `phys_cpu_ids`, else 0..cpu_num-1 (AxVisor). */
export function guestApicIds(config: AxVMCrateConfig): readonly number[] {
  return config.base.physCpuIds ?? Array.from({ length: config.base.cpuNum }, (_, i) => i);
}

const inApicWindow = (d: PassThroughDeviceConfig): boolean =>
  [X86_APIC.lapicBase, X86_APIC.ioapicBase].some(
    (w) => d.length > 0 && d.baseGpa < w + X86_APIC.windowSize && w < d.baseGpa + d.length,
  );

/**
 * The config as the VM is built from it: every x86 VM has a PC's interrupt controllers and
 * COM1 (rows 0x01 and 0x02 are added unless the config names them). The host's local APIC
 * and IOAPIC cannot be shared between VMs (AxVisor's configs pass them through): such rows
 * are replaced by the virtual ones, with a notice.
 */
export function withPcDevices(
  config: AxVMCrateConfig,
  notice: (message: string) => void,
): AxVMCrateConfig {
  const devices = config.devices;
  const dropped = devices.passthroughDevices.filter(inApicWindow);
  if (dropped.length > 0) {
    notice(
      `${dropped.map((d) => `"${d.name}"`).join(", ")} ` +
        "emulated instead of passed through (the host's APICs serve every VM)",
    );
  }
  const emu: EmulatedDeviceConfig[] = [];
  if (!devices.emuDevices.some((d) => d.emuType === EmulatedDeviceType.InterruptController)) {
    emu.push({
      name: "x86 APICs and 8259",
      baseGpa: X86_APIC.lapicBase,
      length: X86_APIC.windowSize,
      irqId: 0,
      emuType: EmulatedDeviceType.InterruptController,
      cfgList: [],
    });
  }
  if (!devices.emuDevices.some((d) => d.emuType === EmulatedDeviceType.Console)) {
    emu.push({
      name: "com1",
      baseGpa: COM1.port,
      length: 8,
      irqId: COM1.irq,
      emuType: EmulatedDeviceType.Console,
      cfgList: [],
    });
  }
  return {
    ...config,
    devices: {
      ...devices,
      emuDevices: [...emu, ...devices.emuDevices],
      passthroughDevices: devices.passthroughDevices.filter((d) => !inApicWindow(d)),
      interruptMode: devices.interruptMode === "passthrough" ? "emu" : devices.interruptMode,
    },
  };
}

/** The x86_64 half of one VM: VPIDs, x86-vcpu with a vLAPIC per vCPU, vIOAPIC/v8259, COM1, virtio. */
export function buildX86Vm(host: X86HostBoard, ctx: VmBuildContext): VmArchParts {
  const config = withPcDevices(ctx.config, (m) => ctx.notice(m));
  const vmId = config.base.id;
  const apicIds = guestApicIds(config);
  if (apicIds.length !== config.base.cpuNum) {
    throw axErr(
      "InvalidInput",
      `VM ${vmId} "${config.base.name}": phys_cpu_ids names ${apicIds.length} CPUs for cpu_num ${config.base.cpuNum}`,
    );
  }
  const interrupts = new X86VmInterrupts({
    vmId,
    apicIds,
    host: ctx.host,
    tscHz: host.timebaseHz,
    wake: (vcpu) => ctx.host.vmm.notifyVcpuTimerExpired(vmId, vcpu),
  });
  const opened: OpenedDisk[] = [];
  const devices = new X86VmDevices({
    console: ctx.console,
    interrupts,
    deviceError: (dev, m) => ctx.deviceError(dev, m),
    // Guest time: the host clock plus the offset a snapshot restore leaves (the vCPUs' TSC).
    time: { now: () => ctx.host.time.currentTicks() + interrupts.clock.ticks },
    timeHz: host.timebaseHz,
    powerOff: () => ctx.powerOff(),
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
  const context = new X86VmContext(vmId);
  const backend = createX86ArchBackend({
    cpus: host.cpus,
    vpids: host.vpids,
    vm: context,
    vcpuCount: config.base.cpuNum,
    sliceInstructions: ctx.sliceInstructions,
    tscHz: host.timebaseHz,
    interrupts: (vcpuId) => interrupts.lapic(vcpuId),
    // Linux's 32-bit boot protocol wants __BOOT_CS/__BOOT_DS in a loaded GDT (see bootInfo).
    bootGdt: { base: VM_LINUX_BOOT.gdt, limit: bootGdt().length - 1 },
  });
  let released = false;
  return {
    config,
    // The VMM hands the backend to AxVM as a whole, which pairs its config types itself.
    backend: backend as unknown as ArchBackend,
    deviceFactories: devices.factories(),
    vmid: backend.vpidList[0] ?? 0,
    debug: x86DebugArch,
    attachMemory(memory) {
      context.memory = {
        read: (at, len) => memory.read(at, len),
        write: (at, data) => memory.write(at, data),
      };
    },
    // A bzImage kernel gets boot_params (RSI at its 32-bit entry), its command line, the
    // boot GDT and the ACPI tables; other kernels (our BIOS + NimbOS) get nothing.
    bootInfo(placed) {
      if (placed.kernelSetup === undefined) return undefined;
      return buildVmLinuxBootInfo({
        config,
        placed,
        apicIds,
        ioapicId: interrupts.ioapic.id,
      });
    },
    bootInfoGpa: VM_LINUX_BOOT.zeroPage,
    forwardHostIrq(irq) {
      return interrupts.forwardHostIrq(irq);
    },
    snapshot: {
      quiesce: () => devices.flush(),
      // The vIOAPIC and COM1 save themselves as devices; the vLAPICs (with the guest clock) and
      // the 8259 pair are VM-wide.
      save: (time) => interrupts.saveState(time),
      load: (state, time) => interrupts.loadState(state, time),
    },
    release() {
      if (released) return;
      released = true;
      interrupts.dispose();
      backend.release();
      for (const d of opened.splice(0)) d.close?.();
    },
  };
}
