import type { FdtNode } from "@axvisor/fdt";
import {
  buildVirtDeviceTree,
  VIRT_MMU_TYPE,
  virtIsaString,
} from "@axvisor/platform-riscv64-qemu-virt";
import type { GuestDeviceNode, GuestFdtValue } from "./guest-device-node.js";

/** A device of the board the hypervisor runs on, as a passthrough guest would see it. */
export type BoardDevice =
  | {
      readonly kind: "plic";
      readonly path: string;
      readonly base: number;
      readonly size: number;
      readonly ndev: number;
    }
  | { readonly kind: "clint"; readonly path: string; readonly base: number; readonly size: number }
  | { readonly kind: "leaf"; readonly path: string; readonly node: GuestDeviceNode };

/** Properties the guest tree writes itself (addresses, interrupt wiring, phandles). */
const REWRITTEN = new Set([
  "reg",
  "compatible",
  "interrupts",
  "interrupt-parent",
  "interrupts-extended",
  "phandle",
  "#address-cells",
  "#interrupt-cells",
  "interrupt-controller",
  "riscv,ndev",
]);

let cache: readonly BoardDevice[] | undefined;

/**
 * The devices of the riscv64 QEMU virt board, read from the board's own device tree
 * (`buildVirtDeviceTree` of @axvisor/platform-riscv64-qemu-virt), so a passed-through device is
 * described exactly as the board describes it to a bare-metal kernel.
 */
export function virtBoardDevices(): readonly BoardDevice[] {
  if (cache !== undefined) return cache;
  const dt = buildVirtDeviceTree({
    harts: 1,
    ramSize: 1 << 20,
    isa: virtIsaString(),
    mmuType: VIRT_MMU_TYPE,
  });
  const soc = dt.requireNode("/soc");
  const out: BoardDevice[] = [];
  for (const n of soc.children) {
    const reg = n.reg()[0];
    if (reg === undefined) continue;
    if (n.isCompatible("riscv,plic0")) {
      out.push({
        kind: "plic",
        path: n.path,
        base: reg.address,
        size: reg.size,
        ndev: n.require("riscv,ndev").u32(),
      });
    } else if (n.isCompatible("riscv,clint0")) {
      out.push({ kind: "clint", path: n.path, base: reg.address, size: reg.size });
    } else {
      out.push({ kind: "leaf", path: n.path, node: leafNode(n, reg.address, reg.size) });
    }
  }
  out.sort((a, b) => baseOf(a) - baseOf(b));
  cache = out;
  return out;
}

export const baseOf = (d: BoardDevice): number => (d.kind === "leaf" ? d.node.base : d.base);
export const sizeOf = (d: BoardDevice): number => (d.kind === "leaf" ? d.node.size : d.size);

function leafNode(n: FdtNode, base: number, size: number): GuestDeviceNode {
  const properties: Record<string, GuestFdtValue> = {};
  for (const p of n.properties) {
    if (!REWRITTEN.has(p.name)) properties[p.name] = p.value.length === 0 ? true : p.value;
  }
  const irq = n.property("interrupts")?.u32();
  return {
    name: n.baseName,
    compatible: n.compatible,
    base,
    size,
    ...(irq !== undefined ? { irq } : {}),
    ...(n.isCompatible("ns16550a") ? { stdout: true } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}

/** The board device a passthrough row names by its device-tree path ("/soc/serial@10000000"). */
export function boardDeviceByPath(path: string): BoardDevice | undefined {
  const want = path.replace(/\/+$/, "");
  return virtBoardDevices().find((d) => d.path === want);
}
