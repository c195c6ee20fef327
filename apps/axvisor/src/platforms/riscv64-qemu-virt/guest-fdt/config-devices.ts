import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { planPassthrough } from "@axvisor/axvm";
import type { AxVMCrateConfig, EmulatedDeviceConfig } from "@axvisor/axvmconfig";
import { VIRT_PLIC_NDEV, VIRT_UART_CLOCK_HZ } from "@axvisor/platform-riscv64-qemu-virt";
import {
  type BoardDevice,
  baseOf,
  boardDeviceByPath,
  sizeOf,
  virtBoardDevices,
} from "./board-devices.js";
import type { GuestDeviceNode, GuestDeviceSet } from "./guest-device-node.js";

/** The 16550 the Console device type emulates, at QEMU virt's input clock. */
function uartNode(d: EmulatedDeviceConfig): GuestDeviceNode {
  return {
    name: "serial",
    compatible: ["ns16550a"],
    base: d.baseGpa,
    size: d.length,
    ...(d.irqId > 0 ? { irq: d.irqId } : {}),
    stdout: true,
    properties: { "clock-frequency": VIRT_UART_CLOCK_HZ },
  };
}

function virtioNode(d: EmulatedDeviceConfig): GuestDeviceNode {
  return {
    name: "virtio_mmio",
    compatible: ["virtio,mmio"],
    base: d.baseGpa,
    size: d.length,
    ...(d.irqId > 0 ? { irq: d.irqId } : {}),
  };
}

function addBoardDevice(set: GuestDeviceSet, d: BoardDevice, guestBase: number): void {
  switch (d.kind) {
    case "plic":
      // The guest drives the board's PLIC itself; QEMU's layout gives it two contexts per hart.
      set.plic ??= { base: guestBase, size: d.size, ndev: d.ndev };
      return;
    case "clint":
      set.clint ??= { base: guestBase, size: d.size };
      return;
    case "leaf":
      set.nodes.push({ ...d.node, base: guestBase });
      return;
    default: {
      const never: never = d;
      throw new Error(`unknown board device ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The devices a VM config gives its guest, as device-tree material:
 *
 * - emulated devices by type: Console (0x02) is an ns16550a, VirtioBlk/Net/Console
 *   (0xe1-0xe3) a virtio-mmio transport, PPPTGlobal (0x30) the PLIC with cfg_list[0]
 *   contexts. Types with no device-tree form on RISC-V (the GIC parts, IVC channels, dummy)
 *   get no node;
 * - passthrough windows (`passthrough_devices` with a length, `passthrough_addresses`): every
 *   device of the riscv64 QEMU virt board that lies wholly inside a window, moved to the
 *   window's guest address (GPA = HPA - base_hpa + base_gpa). A window that holds no known
 *   board device gets no node: there is nothing true to say about it;
 * - name-only passthrough rows: the board device at that device-tree path, at its own address
 *   (`/` passes every board device).
 *
 * Emulated devices come first; a later device at the same guest address is dropped.
 */
export function guestDevicesFromConfig(config: AxVMCrateConfig): GuestDeviceSet {
  const set: GuestDeviceSet = { nodes: [] };
  for (const d of config.devices.emuDevices) {
    switch (d.emuType) {
      case EmulatedDeviceType.Console:
        set.nodes.push(uartNode(d));
        break;
      case EmulatedDeviceType.VirtioBlk:
      case EmulatedDeviceType.VirtioNet:
      case EmulatedDeviceType.VirtioConsole:
        set.nodes.push(virtioNode(d));
        break;
      case EmulatedDeviceType.PPPTGlobal:
        set.plic ??= {
          base: d.baseGpa,
          size: d.length,
          contexts: d.cfgList[0] ?? 0,
          ndev: VIRT_PLIC_NDEV,
        };
        break;
      default:
        break;
    }
  }

  const plan = planPassthrough(config.devices);
  const board = virtBoardDevices();
  for (const w of plan.windows) {
    for (const d of board) {
      const base = baseOf(d);
      if (base >= w.hpa && base + sizeOf(d) <= w.hpa + w.size) {
        addBoardDevice(set, d, base - w.hpa + w.gpa);
      }
    }
  }
  for (const path of plan.byNodePath) {
    if (path === "/") {
      for (const d of board) addBoardDevice(set, d, baseOf(d));
      continue;
    }
    const d = boardDeviceByPath(path);
    if (d !== undefined) addBoardDevice(set, d, baseOf(d));
  }

  const seen = new Set<number>();
  if (set.plic !== undefined) seen.add(set.plic.base);
  if (set.clint !== undefined) seen.add(set.clint.base);
  set.nodes = set.nodes.filter((n) => {
    if (seen.has(n.base)) return false;
    seen.add(n.base);
    return true;
  });
  return set;
}
