import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import { MappingFlags } from "@axvisor/memory-addr";
import { ARM_VIRT, buildArmVirtDeviceTree } from "@axvisor/platform-aarch64-qemu-virt";
import { GUEST_FDT_SLACK } from "../../images/guest-fdt-slack.js";
import type { PlacedVm } from "../../platform/host-platform.js";

/** GIC binding: SPI specifier, level-high / edge-rising flags. */
const GIC_SPI = 0;
const EDGE_RISING = 1;

/**
 * The device tree an aarch64 guest boots with: QEMU virt's layout (the board's own generator)
 * without EL2 (`psci` method "hvc", answered by the vCPU; no GICH/GICV), the VM's CPUs by
 * MPIDR with `enable-method = "psci"`, the GICv3 or GICv2 (GICD + GICC), the generic timer,
 * the PL011, the VM's memory, /chosen with bootargs, initrd and stdout-path, and one
 * virtio-mmio node per virtio row. The board's RTC is not the guest's and is left out; its
 * flash only when the config passes both banks through.
 */
export function buildArmGuestFdt(
  config: AxVMCrateConfig,
  mpidrs: readonly number[],
  placed: PlacedVm,
  gicVersion: 2 | 3 = 3,
): Uint8Array {
  // Passthrough (device) regions are no RAM; the root's interrupt-parent (the GIC) is inherited.
  const regions = placed.memory.filter(
    (m) => ((m.flags ?? 0) & MappingFlags.DEVICE) === 0 && m.size > 0,
  );
  const ram = regions[0];
  if (ram === undefined) throw axErr("InvalidInput", "the VM has no memory region");
  if (ram.gpa !== ARM_VIRT.ram.base) {
    throw axErr(
      "InvalidInput",
      `aarch64 guests get QEMU virt's layout: RAM must start at 0x${ARM_VIRT.ram.base.toString(16)}, not 0x${ram.gpa.toString(16)}`,
    );
  }
  // QEMU virt's flash banks passed through from the board (U-Boot keeps its environment there).
  const flash = config.devices.passthroughDevices.some(
    (d) =>
      d.baseGpa === ARM_VIRT.flash.base &&
      d.baseHpa === ARM_VIRT.flash.base &&
      d.length === ARM_VIRT.flash.size,
  );
  const dt = buildArmVirtDeviceTree({
    cpuAffinities: mpidrs,
    flash,
    ramSize: ram.size,
    gicVersion,
    virtualization: false,
    virtioSlots: 0,
    ...(config.kernel.cmdline !== undefined ? { bootargs: config.kernel.cmdline } : {}),
    ...(placed.initrd !== undefined ? { initrd: placed.initrd } : {}),
  });
  const root = dt.root;
  root.removeNode(`pl031@${ARM_VIRT.rtc.base.toString(16)}`);
  const memory = root.child(`memory@${ARM_VIRT.ram.base.toString(16)}`);
  if (memory !== undefined && regions.length > 1) {
    memory.setReg(...regions.map((m) => ({ address: m.gpa, size: m.size })));
  }
  for (const row of config.devices.emuDevices) {
    if (row.emuType === EmulatedDeviceType.Console) {
      if (row.baseGpa !== ARM_VIRT.uart.base || row.irqId !== 1) {
        throw axErr(
          "InvalidInput",
          `${row.name}: the guest's PL011 is at 0x${ARM_VIRT.uart.base.toString(16)} with SPI 1 (QEMU virt)`,
        );
      }
      continue;
    }
    if (
      row.emuType !== EmulatedDeviceType.VirtioBlk &&
      row.emuType !== EmulatedDeviceType.VirtioConsole
    ) {
      continue;
    }
    const node = root.addNode(`virtio_mmio@${row.baseGpa.toString(16)}`);
    node.setEmpty("dma-coherent");
    node.setU32("interrupts", GIC_SPI, row.irqId, EDGE_RISING);
    node.setReg({ address: row.baseGpa, size: row.length });
    node.setString("compatible", "virtio,mmio");
  }
  return dt.toBlob({ padding: GUEST_FDT_SLACK });
}
