import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { ArchBackend } from "@axvisor/axvm";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import { createRiscvArchBackend, RiscvVmContext } from "@axvisor/riscv-vcpu";
import type { PlacedVm, VmArchParts, VmBuildContext } from "../../platform/host-platform.js";
import { buildGuestFdt } from "./guest-fdt/index.js";
import type { RiscvHostBoard } from "./host-board.js";
import { riscvDebugArch } from "./riscv-debug.js";
import { orderForConstruction, RiscvVmDevices } from "./riscv-devices.js";

/** The supervisor external interrupt (VSEIP as the guest sees it: scause 9). */
const S_EXTERNAL = 9;

/** The hart id of each vCPU, in vCPU order: `phys_cpu_ids`, else 0..cpu_num-1. */
export function guestHartIds(config: AxVMCrateConfig): readonly number[] {
  return config.base.physCpuIds ?? Array.from({ length: config.base.cpuNum }, (_, i) => i);
}

/**
 * A PLIC drives two contexts per hart (M and S, QEMU's wiring, which the guest device tree
 * describes); with fewer, a secondary hart never sees its external interrupts and Linux hangs
 * bringing it up, so such a config is refused here with the numbers.
 */
function checkPlicContexts(config: AxVMCrateConfig): void {
  const { id, name, cpuNum } = config.base;
  for (const row of config.devices.emuDevices) {
    if (row.emuType !== EmulatedDeviceType.PPPTGlobal) continue;
    const contexts = row.cfgList[0];
    if (contexts !== undefined && contexts < 2 * cpuNum) {
      throw axErr(
        "InvalidInput",
        `VM ${id} "${name}": the PLIC "${row.name}" has cfg_list = [${contexts}] contexts, but ${cpuNum} vCPU(s) need ${2 * cpuNum} (two per vCPU: M and S mode)`,
      );
    }
  }
}

/** The RISC-V half of one VM: vPLIC and devices, a VMID, the SBI backend, the guest DT. */
export function buildRiscvVm(host: RiscvHostBoard, ctx: VmBuildContext): VmArchParts {
  const config = ctx.config;
  checkPlicContexts(config);
  const devices = new RiscvVmDevices({
    console: ctx.console,
    setGuestExternal: (vcpu, level) => ctx.setInterruptLevel(vcpu, S_EXTERNAL, level),
    onHostComplete: (irq) => ctx.onHostComplete(irq),
    notice: (m) => ctx.notice(m),
    deviceError: (dev, m) => ctx.deviceError(dev, m),
    ...(ctx.disk !== undefined ? { disk: ctx.disk } : {}),
  });
  const vmid = host.vmids.allocate();
  const context = new RiscvVmContext(config.base.id, vmid, ctx.console);
  const sstc = host.guestSstc;
  const backend = createRiscvArchBackend({
    cpus: host.cpus,
    vm: context,
    sliceInstructions: ctx.sliceInstructions,
    guestSstc: sstc,
    // The single scheduler loop runs every vCPU on one thread: a vCPU spinning on a lock (Linux
    // executes PAUSE in cpu_relax()) waits for a holder that only runs once it yields.
    pauseEndsSlice: config.base.cpuNum > 1,
  });
  let released = false;
  return {
    config: orderForConstruction(config),
    // The VMM hands the backend to AxVM as a whole, which pairs its config types itself.
    backend: backend as unknown as ArchBackend,
    deviceFactories: devices.factories(),
    vmid,
    debug: riscvDebugArch,
    attachMemory(memory) {
      context.memory = memory;
    },
    bootInfo(placed: PlacedVm) {
      return buildGuestFdt(config, {
        hartIds: guestHartIds(config),
        ...(sstc ? { sstc: true } : {}),
        memory: placed.memory,
        ...(placed.initrd !== undefined ? { initrd: placed.initrd } : {}),
      });
    },
    forwardHostIrq(irq) {
      const vplic = devices.vplic;
      if (vplic === undefined) return false;
      vplic.forwardHostIrq(irq);
      return true;
    },
    snapshot: {
      quiesce: () => devices.flush(),
      save: () => context.saveState(),
      load: (state) => context.loadState(state),
    },
    release() {
      if (released) return;
      released = true;
      host.vmids.release(vmid);
      devices.close();
    },
  };
}
