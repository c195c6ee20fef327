import type { HostPhysAddr } from "@axvisor/memory-addr";

/**
 * The services a hypervisor component needs from the host it runs on — AxVisor's
 * `axvisor_api` modules (memory, time, vmm, host) plus logging. AxVisor binds them at link
 * time as free functions; here the app builds one `HostServices` object and hands it to every
 * component's constructor, so two hypervisors (or a test and the real thing) can coexist in
 * one process.
 */

/** Host-physical frame management and access to host-physical memory. */
export interface HostMemory {
  /** One zeroed 4 KiB frame, or null when memory is exhausted. */
  allocFrame(): HostPhysAddr | null;
  /**
   * `count` physically contiguous zeroed 4 KiB frames whose first address is a multiple of
   * `align` bytes (a power of two), or null when no such run is free.
   */
  allocContiguousFrames(count: number, align: number): HostPhysAddr | null;
  deallocFrame(pa: HostPhysAddr): void;
  deallocContiguousFrames(pa: HostPhysAddr, count: number): void;
  /**
   * A view (not a copy) of `len` bytes of host-physical memory at `pa`: writes through it
   * change memory. Throws AxError BadAddress when the span is not entirely in RAM. This is
   * AxVisor's `phys_to_virt`, minus the raw pointer.
   */
  hostBuffer(pa: HostPhysAddr, len: number): Uint8Array;
}

/** Identifies a registered timer so it can be cancelled. Opaque to the component. */
declare const timerTokenBrand: unique symbol;
export type TimerToken = number & { readonly [timerTokenBrand]: "TimerToken" };

export type TimerCallback = (nowNanos: number) => void;

/** The host clock and one-shot timers. Times are plain numbers (nanoseconds or ticks). */
export interface HostTime {
  currentTicks(): number;
  ticksToNanos(ticks: number): number;
  nanosToTicks(nanos: number): number;
  currentTimeNanos(): number;
  /** Calls `callback` once, at or after `deadlineNanos` (host time). */
  registerTimer(deadlineNanos: number, callback: TimerCallback): TimerToken;
  /** Cancels a pending timer; cancelling a fired or already cancelled timer does nothing. */
  cancelTimer(token: TimerToken): void;
}

/** What components ask about the running VMM, and how they deliver interrupts to vCPUs. */
export interface HostVmm {
  currentVmId(): number;
  currentVcpuId(): number;
  vcpuNum(vmId: number): number;
  /** Bit i set when vCPU i of the VM is running or runnable. */
  activeVcpus(vmId: number): bigint;
  injectInterrupt(vmId: number, vcpuId: number, vector: number): void;
  /** Injects `vector` into every vCPU whose bit is set in `vcpuMask`. */
  injectInterruptToCpus(vmId: number, vcpuMask: bigint, vector: number): void;
  notifyVcpuTimerExpired(vmId: number, vcpuId: number): void;
}

export interface HostInfo {
  hostCpuNum(): number;
}

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

export const LOG_LEVELS: readonly LogLevel[] = ["error", "warn", "info", "debug", "trace"];

export interface HostLog {
  /** `target` names the component (e.g. "axaddrspace"), like Rust's log targets. */
  log(level: LogLevel, target: string, message: string): void;
}

export interface HostServices {
  readonly memory: HostMemory;
  readonly time: HostTime;
  readonly vmm: HostVmm;
  readonly host: HostInfo;
  readonly log: HostLog;
}
