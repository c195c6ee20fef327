import { fdtError, fdtUsage } from "./errors.js";
import type { MemoryReservation } from "./format.js";
import { FdtNode } from "./node.js";
import { parseFdt } from "./reader.js";
import { type SerializeOptions, serializeFdt } from "./writer.js";

/**
 * A whole device tree: the root node, the memory reservation block and the boot CPU, plus
 * phandle bookkeeping. Build one from scratch or parse a blob, edit it, and write it out.
 */
export class DeviceTree {
  readonly root: FdtNode;
  readonly reservations: MemoryReservation[] = [];
  bootCpuId = 0;

  constructor(root: FdtNode = new FdtNode("")) {
    if (root.parent !== null || root.name !== "") throw fdtUsage("the root node must be unnamed");
    this.root = root;
  }

  static parse(blob: Uint8Array): DeviceTree {
    const parsed = parseFdt(blob);
    const tree = new DeviceTree(parsed.root);
    tree.reservations.push(...parsed.reservations);
    tree.bootCpuId = parsed.bootCpuId;
    return tree;
  }

  /** Adds a `/memreserve/` entry. */
  reserve(address: number, size: number): this {
    if (!Number.isSafeInteger(address) || !Number.isSafeInteger(size) || address < 0 || size <= 0) {
      throw fdtUsage(`bad memory reservation ${address}+${size}`);
    }
    this.reservations.push({ address, size });
    return this;
  }

  /**
   * Resolves an absolute path (`/soc/serial@10000000`, `/cpus/cpu@0`) or an alias name
   * (`serial0`, or `serial0/child`) listed in `/aliases`.
   */
  getNode(path: string): FdtNode | undefined {
    if (path.startsWith("/")) return this.root.getNode(path);
    const slash = path.indexOf("/");
    const alias = slash < 0 ? path : path.slice(0, slash);
    const target = this.root.child("aliases")?.property(alias)?.string();
    if (target === undefined || !target.startsWith("/")) return undefined;
    const base = this.root.getNode(target);
    return slash < 0 ? base : base?.getNode(path.slice(slash + 1));
  }

  /** Like getNode, with an error naming the missing path. */
  requireNode(path: string): FdtNode {
    const n = this.getNode(path);
    if (n === undefined) throw fdtError(`no node ${path}`);
    return n;
  }

  /** Every node whose `compatible` lists `compat`, in tree order. */
  findCompatible(compat: string): FdtNode[] {
    return [...this.root.walk()].filter((n) => n.isCompatible(compat));
  }

  /** The node whose `phandle` (or legacy `linux,phandle`) is `ph`. */
  nodeByPhandle(ph: number): FdtNode | undefined {
    for (const n of this.root.walk()) {
      const p = n.property("phandle") ?? n.property("linux,phandle");
      if (p !== undefined && p.value.length === 4 && p.u32() === ph) return n;
    }
    return undefined;
  }

  /**
   * The node's phandle, allocating the next free one (1, 2, ...) the first time, so nodes can
   * refer to each other (`interrupt-parent = <phandle>`).
   */
  phandleOf(node: FdtNode): number {
    const existing = node.property("phandle");
    if (existing !== undefined) return existing.u32();
    let max = 0;
    for (const n of this.root.walk()) {
      const p = n.property("phandle");
      if (p !== undefined && p.value.length === 4) max = Math.max(max, p.u32());
    }
    const ph = max + 1;
    node.setU32("phandle", ph);
    return ph;
  }

  /** The blob (version 17). */
  toBlob(options: Omit<SerializeOptions, "reservations" | "bootCpuId"> = {}): Uint8Array {
    return serializeFdt(this.root, {
      ...options,
      reservations: this.reservations,
      bootCpuId: this.bootCpuId,
    });
  }
}
