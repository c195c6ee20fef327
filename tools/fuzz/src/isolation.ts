/**
 * Isolation checks between two VMs on one host: which host-physical memory each VM's G-stage
 * table (Sv39x4) reaches, walked over the whole guest-physical space, and whether one VM's
 * memory contains another's secret.
 */
import type { HostBoard } from "@axvisor/app";
import type { AxResult } from "@axvisor/axerrno";
import { hpa } from "@axvisor/memory-addr";

/** A host-physical range [start, end). */
export interface HostRange {
  readonly start: number;
  readonly end: number;
}

const PTE_V = 1n;
const PTE_RWX = 0xen;
const LEVEL_BYTES = [2 ** 12, 2 ** 21, 2 ** 30] as const;

/**
 * Every host-physical range the Sv39x4 G-stage table at `root` maps (leaves at any level),
 * plus the table pages themselves: all the host memory the VM can reach.
 */
export function gstageReach(machine: HostBoard, root: number): HostRange[] {
  const out: HostRange[] = [];
  const walk = (table: number, level: number, entries: number, depth: number) => {
    out.push({ start: table, end: table + entries * 8 });
    if (depth > 3) return;
    const bytes = machine.memory.hostBuffer(hpa(table), entries * 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < entries; i++) {
      const pte = view.getBigUint64(i * 8, true);
      if ((pte & PTE_V) === 0n) continue;
      const pa = Number(((pte >> 10n) & ((1n << 44n) - 1n)) << 12n);
      if ((pte & PTE_RWX) === 0n) {
        if (level > 0) walk(pa, level - 1, 512, depth + 1);
        continue;
      }
      out.push({ start: pa, end: pa + LEVEL_BYTES[level as 0 | 1 | 2] });
    }
  };
  walk(root, 2, 2048, 0);
  return out;
}

/** The first pair of ranges that overlap, or null. */
export function overlap(
  a: readonly HostRange[],
  b: readonly HostRange[],
): [HostRange, HostRange] | null {
  const sa = [...a].sort((x, y) => x.start - y.start);
  const sb = [...b].sort((x, y) => x.start - y.start);
  let i = 0;
  let j = 0;
  while (i < sa.length && j < sb.length) {
    const x = sa[i]!;
    const y = sb[j]!;
    if (x.start < y.end && y.start < x.end) return [x, y];
    if (x.end <= y.end) i++;
    else j++;
  }
  return null;
}

/** What the secret scan needs of a VM. */
export interface GuestMemoryView {
  memoryRegions(): readonly { readonly gpa: number; readonly size: number }[];
  readGuest(at: number, len: number): AxResult<Uint8Array>;
}

/** Guest-physical address in `vm`'s memory where `needle` occurs, or null. */
export function findInGuest(vm: GuestMemoryView, needle: Uint8Array): number | null {
  const first = needle[0];
  if (first === undefined) return null;
  for (const region of vm.memoryRegions()) {
    const chunk = 1 << 16;
    for (let at: number = region.gpa; at < region.gpa + region.size; at += chunk) {
      const r = vm.readGuest(at, Math.min(chunk + needle.length, region.gpa + region.size - at));
      if (!r.ok) continue;
      const bytes = r.value;
      for (
        let k = bytes.indexOf(first);
        k >= 0 && k + needle.length <= bytes.length;
        k = bytes.indexOf(first, k + 1)
      ) {
        let same = true;
        for (let m = 1; m < needle.length && same; m++) same = bytes[k + m] === needle[m];
        if (same) return at + k;
      }
    }
  }
  return null;
}
