import { axErr } from "@axvisor/axerrno";
import { type HostPhysAddr, hpa } from "@axvisor/memory-addr";
import type { FrameStats } from "../frame-allocator.js";
import type {
  HostInfo,
  HostLog,
  HostServices,
  HostTime,
  HostVmm,
  LogLevel,
  TimerCallback,
  TimerToken,
} from "../host-services.js";
import { RamHostMemory } from "../ram-host-memory.js";
import { tickConverter } from "../tick-converter.js";
import { TimerQueue } from "../timer-queue.js";
import { FaultInjectingMemory } from "./fault-injecting-memory.js";

export interface TestHostOptions {
  /** Host-physical address of RAM (default 0x8000_0000). */
  readonly ramBase?: number;
  /** RAM size in bytes (default 16 MiB). */
  readonly ramSize?: number;
  /** RamHostMemory's `poolIsZero`, as the VMM's boards set it (default false). */
  readonly poolIsZero?: boolean;
  /** Tick rate of `currentTicks` (default 10 MHz, the QEMU virt timebase). */
  readonly timerHz?: number;
  /** Starting clock value in nanoseconds (default 0). */
  readonly startNanos?: number;
  readonly hostCpuNum?: number;
  /** vCPU count per VM id (default: VM 1 with one vCPU). */
  readonly vms?: Readonly<Record<number, number>>;
  readonly currentVmId?: number;
  readonly currentVcpuId?: number;
}

export type InjectionRecord =
  | {
      readonly kind: "vcpu";
      readonly vmId: number;
      readonly vcpuId: number;
      readonly vector: number;
    }
  | {
      readonly kind: "cpus";
      readonly vmId: number;
      readonly vcpuMask: bigint;
      readonly vector: number;
    };

export interface LogRecord {
  readonly level: LogLevel;
  readonly target: string;
  readonly message: string;
}

/**
 * A complete `HostServices` for tests: real RAM and frame allocation (with fault injection),
 * a manual clock whose `advance` fires timers, and records of every interrupt injection,
 * timer-expiry notification and log line.
 */
export interface TestHost extends HostServices {
  readonly memory: FaultInjectingMemory;
  /** The RAM-backed memory underneath the fault injector. */
  readonly ramMemory: RamHostMemory;
  readonly ram: Uint8Array;
  readonly ramBase: HostPhysAddr;
  readonly injections: InjectionRecord[];
  readonly timerExpirations: { readonly vmId: number; readonly vcpuId: number }[];
  readonly logs: LogRecord[];
  /** Pending timers. */
  readonly timers: TimerQueue;

  /**
   * Moves the clock forward by `ns`, firing due timers in deadline order; each callback sees
   * the clock at its own deadline. Returns how many timers fired.
   */
  advance(ns: number): number;
  /** Frames currently allocated from RAM (total - free). */
  frameStats(): FrameStats;
  failNextAllocations(n: number): void;
  failAllocationsAfter(n: number): void;
  clearAllocationFaults(): void;
  setCurrent(vmId: number, vcpuId: number): void;
  setVcpuNum(vmId: number, count: number): void;
  /** Overrides `activeVcpus` for a VM (default: all of its vCPUs). */
  setActiveVcpus(vmId: number, mask: bigint): void;
}

export function createTestHost(opts: TestHostOptions = {}): TestHost {
  const ramBase = hpa(opts.ramBase ?? 0x8000_0000);
  const ram = new Uint8Array(opts.ramSize ?? 16 * 1024 * 1024);
  const ramMemory = new RamHostMemory({ ram, ramBase, poolIsZero: opts.poolIsZero ?? false });
  const memory = new FaultInjectingMemory(ramMemory);

  const injections: InjectionRecord[] = [];
  const timerExpirations: { vmId: number; vcpuId: number }[] = [];
  const logs: LogRecord[] = [];
  const timers = new TimerQueue();
  const ticks = tickConverter(opts.timerHz ?? 10_000_000);
  let now = opts.startNanos ?? 0;

  const vcpuCounts = new Map<number, number>(
    Object.entries(opts.vms ?? { 1: 1 }).map(([id, n]) => [Number(id), n]),
  );
  const activeMasks = new Map<number, bigint>();
  let currentVm = opts.currentVmId ?? 1;
  let currentVcpu = opts.currentVcpuId ?? 0;

  const vcpuNum = (vmId: number): number => {
    const n = vcpuCounts.get(vmId);
    if (n === undefined) throw axErr("NotFound", `test host: no VM ${vmId}`);
    return n;
  };
  const checkVcpu = (vmId: number, vcpuId: number): void => {
    if (!Number.isInteger(vcpuId) || vcpuId < 0 || vcpuId >= vcpuNum(vmId)) {
      throw axErr("NotFound", `test host: VM ${vmId} has no vCPU ${vcpuId}`);
    }
  };

  const time: HostTime = {
    currentTicks: () => ticks.nanosToTicks(now),
    ticksToNanos: (t) => ticks.ticksToNanos(t),
    nanosToTicks: (ns) => ticks.nanosToTicks(ns),
    currentTimeNanos: () => now,
    registerTimer: (deadline: number, cb: TimerCallback): TimerToken => timers.add(deadline, cb),
    cancelTimer: (token) => {
      timers.cancel(token);
    },
  };

  const vmm: HostVmm = {
    currentVmId: () => currentVm,
    currentVcpuId: () => currentVcpu,
    vcpuNum,
    activeVcpus: (vmId) => activeMasks.get(vmId) ?? (1n << BigInt(vcpuNum(vmId))) - 1n,
    injectInterrupt: (vmId, vcpuId, vector) => {
      checkVcpu(vmId, vcpuId);
      injections.push({ kind: "vcpu", vmId, vcpuId, vector });
    },
    injectInterruptToCpus: (vmId, vcpuMask, vector) => {
      if (vcpuMask >> BigInt(vcpuNum(vmId)) !== 0n) {
        throw axErr(
          "NotFound",
          `test host: mask 0x${vcpuMask.toString(16)} names vCPUs VM ${vmId} lacks`,
        );
      }
      injections.push({ kind: "cpus", vmId, vcpuMask, vector });
    },
    notifyVcpuTimerExpired: (vmId, vcpuId) => {
      checkVcpu(vmId, vcpuId);
      timerExpirations.push({ vmId, vcpuId });
    },
  };

  const host: HostInfo = { hostCpuNum: () => opts.hostCpuNum ?? 1 };
  const log: HostLog = { log: (level, target, message) => logs.push({ level, target, message }) };

  return {
    memory,
    time,
    vmm,
    host,
    log,
    ramMemory,
    ram,
    ramBase,
    injections,
    timerExpirations,
    logs,
    timers,
    advance(ns: number): number {
      if (!(ns >= 0)) throw new RangeError(`test clock cannot go backwards (advance ${ns})`);
      const target = now + ns;
      let fired = 0;
      let roundsAtSameInstant = 0;
      for (let next = timers.nextDeadline(); next !== null && next <= target; ) {
        roundsAtSameInstant = next <= now ? roundsAtSameInstant + 1 : 0;
        // A callback that keeps re-arming itself in the past would otherwise hang the test.
        if (roundsAtSameInstant > 10_000) {
          throw new Error(`test host: timers keep re-arming at ${now} ns without time passing`);
        }
        now = Math.max(now, next);
        fired += timers.fireDue(now);
        next = timers.nextDeadline();
      }
      now = target;
      return fired;
    },
    frameStats: () => ramMemory.stats(),
    failNextAllocations: (n) => memory.failNextAllocations(n),
    failAllocationsAfter: (n) => memory.failAllocationsAfter(n),
    clearAllocationFaults: () => memory.clearFaults(),
    setCurrent(vmId, vcpuId) {
      currentVm = vmId;
      currentVcpu = vcpuId;
    },
    setVcpuNum(vmId, count) {
      vcpuCounts.set(vmId, count);
    },
    setActiveVcpus(vmId, mask) {
      activeMasks.set(vmId, mask);
    },
  };
}
