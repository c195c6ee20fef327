import type { GuestPhysAddr, HostPhysAddr, MappingFlags } from "@axvisor/memory-addr";

interface AreaCommon {
  readonly start: GuestPhysAddr;
  /** One past the last byte. */
  readonly end: GuestPhysAddr;
  readonly flags: MappingFlags;
}

/** GPA -> HPA at a fixed offset (guest RAM carved out of host memory, or MMIO passthrough). */
export interface LinearArea extends AreaCommon {
  readonly backend: "linear";
  /** Host-physical address of `start`. */
  readonly hpa: HostPhysAddr;
}

/** Frames allocated by the address space, freed when the area is unmapped. */
export interface AllocArea extends AreaCommon {
  readonly backend: "alloc";
  /** false: frames are allocated on the first access (nested page fault) to each page. */
  readonly populate: boolean;
}

/** One mapped region of a guest address space (AxVisor's MemoryArea with its Backend). */
export type MemoryArea = LinearArea | AllocArea;

/** The same area restricted to [start, end), keeping its backend's GPA -> HPA relation. */
export function sliceArea(a: MemoryArea, start: number, end: number): MemoryArea {
  const s = start as GuestPhysAddr;
  const e = end as GuestPhysAddr;
  if (a.backend === "linear") {
    return { ...a, start: s, end: e, hpa: (a.hpa + (start - a.start)) as HostPhysAddr };
  }
  return { ...a, start: s, end: e };
}
