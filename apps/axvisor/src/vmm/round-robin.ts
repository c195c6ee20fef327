import { VMStatus } from "@axvisor/axvm";
import type { VcpuSlot, VmInstance } from "./vm-instance.js";

/**
 * The scheduling policy: each round gives every host CPU one slice of a runnable vCPU, round
 * robin over the vCPUs of all running VMs, preferring the CPU a vCPU ran on last and honouring
 * `phys_cpu_sets` (AxVisor §11.19-23).
 */
export class RoundRobin {
  #next = 0;

  /**
   * Runs one round through `runSlice`; null when no vCPU could run, else the runnable vCPUs
   * that got no host CPU this round (they waited: steal time). A slice may stop, halt or
   * restart VMs, so each candidate is checked again just before it runs.
   */
  round(
    vms: Iterable<VmInstance>,
    cpuCount: number,
    runSlice: (vm: VmInstance, slot: VcpuSlot, cpu: number) => void,
  ): { readonly waited: readonly (readonly [VmInstance, VcpuSlot])[] } | null {
    const runnable: [VmInstance, VcpuSlot][] = [];
    for (const vm of vms) {
      if (vm.status !== VMStatus.Running) continue;
      const debug = vm.debug;
      for (const s of vm.slots) {
        if (s.state === "runnable" && (debug === undefined || debug.mayRun(s.vcpuId))) {
          runnable.push([vm, s]);
        }
      }
    }
    if (runnable.length === 0) return null;
    const busy = new Array<boolean>(cpuCount).fill(false);
    const start = this.#next++ % runnable.length;
    let used = 0;
    const ran = new Set<VcpuSlot>();
    for (let k = 0; k < runnable.length && used < cpuCount; k++) {
      const [vm, slot] = runnable[(start + k) % runnable.length]!;
      if (
        vm.status !== VMStatus.Running ||
        slot.state !== "runnable" ||
        vm.slots[slot.vcpuId] !== slot ||
        (vm.debug !== undefined && !vm.debug.mayRun(slot.vcpuId))
      ) {
        continue;
      }
      const cpu = pickCpu(slot, busy);
      if (cpu < 0) continue;
      busy[cpu] = true;
      used++;
      ran.add(slot);
      runSlice(vm, slot, cpu);
    }
    if (ran.size === runnable.length) return { waited: [] };
    return { waited: runnable.filter(([vm, s]) => !ran.has(s) && vm.status === VMStatus.Running) };
  }
}

/** The host CPU a vCPU runs on this round: where it ran last if free, else the first free one. */
function pickCpu(slot: VcpuSlot, busy: readonly boolean[]): number {
  const ok = (c: number) =>
    !busy[c] && (slot.allowed === null || ((slot.allowed >> BigInt(c)) & 1n) !== 0n);
  if (slot.lastHart >= 0 && ok(slot.lastHart)) return slot.lastHart;
  for (let c = 0; c < busy.length; c++) if (ok(c)) return c;
  return -1;
}
