import type { HostPhysAddr } from "@axvisor/memory-addr";

/**
 * Where a page table gets its frames and how it reaches them (page_table_multiarch's
 * `PagingHandler`). The method names match `HostMemory` of @axvisor/axvisor-api, so a host's
 * memory service is a paging handler as it is. Frames returned here must be 4 KiB frames of
 * the memory `hostBuffer` reads and writes — the memory the (emulated) MMU walks.
 */
export interface PagingHandler {
  allocFrame(): HostPhysAddr | null;
  allocContiguousFrames(count: number, align: number): HostPhysAddr | null;
  deallocFrame(pa: HostPhysAddr): void;
  deallocContiguousFrames(pa: HostPhysAddr, count: number): void;
  hostBuffer(pa: HostPhysAddr, len: number): Uint8Array;
}
