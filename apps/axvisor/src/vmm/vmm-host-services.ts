import {
  type HostLog,
  type HostMemory,
  type HostServices,
  type HostTime,
  type HostVmm,
  type TimerCallback,
  TimerQueue,
  type TimerToken,
  tickConverter,
} from "@axvisor/axvisor-api";
import type { TimeSource } from "@axvisor/machine";

/**
 * The host clock (the board's timebase, the same the CPUs' timers read) and one-shot
 * timers. Timers fire when the scheduler calls `fireDue`, between vCPU slices and whenever it
 * wakes from an idle sleep - never only on an external-interrupt exit (AxVisor §11.23).
 */
export class VmmTime implements HostTime {
  readonly #clock: TimeSource;
  readonly #queue = new TimerQueue();
  readonly #conv: ReturnType<typeof tickConverter>;
  readonly #onChange: () => void;

  /**
   * `hz` is the clock's tick rate; `onChange` runs when a timer is added, so a sleeping
   * scheduler can re-plan its sleep.
   */
  constructor(clock: TimeSource, hz: number, onChange: () => void = () => {}) {
    this.#clock = clock;
    this.#conv = tickConverter(hz);
    this.#onChange = onChange;
  }

  currentTicks(): number {
    return this.#clock.now();
  }

  ticksToNanos(ticks: number): number {
    return this.#conv.ticksToNanos(ticks);
  }

  nanosToTicks(nanos: number): number {
    return this.#conv.nanosToTicks(nanos);
  }

  currentTimeNanos(): number {
    return this.#conv.ticksToNanos(this.#clock.now());
  }

  registerTimer(deadlineNanos: number, callback: TimerCallback): TimerToken {
    const t = this.#queue.add(deadlineNanos, callback);
    this.#onChange();
    return t;
  }

  cancelTimer(token: TimerToken): void {
    this.#queue.cancel(token);
  }

  /** Fires every timer that is due; returns how many fired. */
  fireDue(): number {
    return this.#queue.fireDue(this.currentTimeNanos());
  }

  /** Nanoseconds until the next timer (0 if one is due), or null when none is pending. */
  nanosToNextDeadline(): number | null {
    const next = this.#queue.nextDeadline();
    if (next === null) return null;
    return Math.max(0, next - this.currentTimeNanos());
  }

  get pending(): number {
    return this.#queue.size;
  }
}

/** Assembles the `HostServices` object every component of the VMM receives. */
export function vmmHostServices(parts: {
  memory: HostMemory;
  time: VmmTime;
  vmm: HostVmm;
  hostCpuNum: number;
  log: HostLog;
}): HostServices {
  return {
    memory: parts.memory,
    time: parts.time,
    vmm: parts.vmm,
    host: { hostCpuNum: () => parts.hostCpuNum },
    log: parts.log,
  };
}
