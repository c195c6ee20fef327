import { AxError } from "@axvisor/axerrno";
import { type ExitReason, VCpuState } from "@axvisor/axvcpu";
import { AccessWidth, gpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import type { AxVM } from "./ax-vm.js";
import { type Harness, makeVm, runningVm } from "./test-support/harness.js";
import { VMStatus } from "./vm-status.js";

const REGS = 0x0c00_0000;
const HYPERCALL: ExitReason = { kind: "Hypercall", nr: 1n, args: [0n, 0n, 0n, 0n, 0n, 0n] };
const write = (offset: number, data: bigint): ExitReason => ({
  kind: "MmioWrite",
  addr: gpa(REGS + offset),
  width: AccessWidth.Dword,
  data,
});

type Op = "markLoaded" | "boot" | "suspend" | "resume" | "shutdown" | "restart";
const OPS: readonly Op[] = ["markLoaded", "boot", "suspend", "resume", "shutdown", "restart"];

/** The lifecycle, written out from AxVisor's VMStatus semantics plus working restart. */
const LEGAL: Record<string, Partial<Record<Op, VMStatus>>> = {
  Loading: { markLoaded: VMStatus.Loaded, shutdown: VMStatus.Stopped },
  Loaded: { boot: VMStatus.Running, shutdown: VMStatus.Stopped },
  Running: { suspend: VMStatus.Suspended, shutdown: VMStatus.Stopped, restart: VMStatus.Running },
  Suspended: { resume: VMStatus.Running, shutdown: VMStatus.Stopped, restart: VMStatus.Running },
  Stopped: { restart: VMStatus.Running },
};
/** The status each operation names as its target in an error. */
const TARGET: Record<Op, VMStatus> = {
  markLoaded: VMStatus.Loaded,
  boot: VMStatus.Running,
  suspend: VMStatus.Suspended,
  resume: VMStatus.Running,
  shutdown: VMStatus.Stopping,
  restart: VMStatus.Running,
};

const apply = (vm: AxVM<unknown, unknown>, op: Op): void => {
  vm[op]();
};

function vmIn(status: VMStatus): Harness {
  const h = makeVm();
  const steps: Record<string, Op[]> = {
    Loading: [],
    Loaded: ["markLoaded"],
    Running: ["markLoaded", "boot"],
    Suspended: ["markLoaded", "boot", "suspend"],
    Stopped: ["markLoaded", "boot", "shutdown"],
  };
  for (const op of steps[status]!) apply(h.vm as AxVM<unknown, unknown>, op);
  expect(h.vm.status).toBe(status);
  return h;
}

describe("VM lifecycle transitions", () => {
  for (const status of Object.keys(LEGAL) as VMStatus[]) {
    for (const op of OPS) {
      const to = LEGAL[status]![op];
      if (to !== undefined) {
        it(`${op} from ${status} -> ${to}`, () => {
          const { vm } = vmIn(status);
          apply(vm as AxVM<unknown, unknown>, op);
          expect(vm.status).toBe(to);
        });
      } else {
        it(`${op} from ${status} is refused, naming both statuses`, () => {
          const { vm } = vmIn(status);
          let thrown: unknown;
          try {
            apply(vm as AxVM<unknown, unknown>, op);
          } catch (e) {
            thrown = e;
          }
          expect(AxError.is(thrown, "BadState")).toBe(true);
          expect((thrown as Error).message).toMatch(
            new RegExp(
              `^VM 1 "test-vm": cannot ${op} from ${status} to ${TARGET[op]} \\(allowed from `,
            ),
          );
          expect(vm.status).toBe(status);
        });
      }
    }
  }

  it("passes through Stopping while a vCPU is running and reaches Stopped when it leaves", () => {
    const seen: { status: VMStatus; errors: string[] }[] = [];
    const h = runningVm({ script: (id) => (id === 0 ? [write(0, 1n), HYPERCALL] : []) });
    const vm = h.vm as AxVM<unknown, unknown>;
    h.devices[0]!.onWrite = () => {
      vm.shutdown();
      const errors: string[] = [];
      for (const op of OPS) {
        try {
          apply(vm, op);
          errors.push(`${op}: allowed`);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      seen.push({ status: vm.status, errors });
    };
    // The device's shutdown ends the run at once: the VMM gets a scheduling point.
    expect(vm.runVcpu(0)).toEqual({ kind: "Nothing" });
    expect(seen[0]!.status).toBe(VMStatus.Stopping);
    expect(seen[0]!.errors.map((m) => m.replace(/ \(allowed from .*\)$/, ""))).toEqual(
      OPS.map((op) => `VM 1 "test-vm": cannot ${op} from Stopping to ${TARGET[op]}`),
    );
    expect(vm.status).toBe(VMStatus.Stopped);
    expect(vm.vcpu(0).state).toBe(VCpuState.Free);
    expect(() => vm.runVcpu(0)).toThrow('VM 1 "test-vm" is Stopped: cannot run vCPU 0');
  });

  it("refuses to run vCPUs of a VM that is not running", () => {
    for (const status of [
      VMStatus.Loading,
      VMStatus.Loaded,
      VMStatus.Suspended,
      VMStatus.Stopped,
    ]) {
      const { vm } = vmIn(status);
      expect(() => vm.runVcpu(0)).toThrow(`VM 1 "test-vm" is ${status}: cannot run vCPU 0`);
    }
  });

  it("refuses to restart from inside a running vCPU", () => {
    const h = runningVm({ script: (id) => (id === 0 ? [write(0, 1n), HYPERCALL] : []) });
    let inner: unknown;
    h.devices[0]!.onWrite = () => {
      try {
        h.vm.restart();
      } catch (e) {
        inner = e;
      }
    };
    expect(h.vm.runVcpu(0)).toEqual(HYPERCALL);
    expect((inner as Error).message).toBe(
      'VM 1 "test-vm": cannot restart while vCPU(s) 0 are running',
    );
    expect(h.vm.status).toBe(VMStatus.Running);
  });
});

describe("suspend and resume", () => {
  it("keeps memory, devices and vCPU progress, and resume continues where the guest was", () => {
    const h = runningVm({
      script: (id) =>
        id === 0 ? [write(0, 0x1234n), HYPERCALL, write(4, 0x5678n), { kind: "Halt" }] : [],
    });
    const { vm, factory, devices } = h;
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    expect(vm.writeGuest(0x8000_3000, new Uint8Array([0xaa, 0xbb])).ok).toBe(true);
    const backend = factory.latest(0);

    vm.suspend();
    expect(vm.status).toBe(VMStatus.Suspended);
    expect(vm.vcpus.map((v) => v.state)).toEqual([VCpuState.Blocked, VCpuState.Blocked]);
    expect(() => vm.runVcpu(0)).toThrow(/is Suspended: cannot run vCPU 0/);

    vm.resume();
    expect(vm.vcpus.map((v) => v.state)).toEqual([VCpuState.Free, VCpuState.Free]);
    // Same backend, same script position: the guest continues.
    expect(factory.latest(0)).toBe(backend);
    expect(vm.runVcpu(0)).toEqual({ kind: "Halt" });
    expect(devices[0]!.accesses).toEqual(["w4@0=1234", "w4@4=5678"]);
    expect([...devices[0]!.bytes.subarray(0, 8)]).toEqual([0x34, 0x12, 0, 0, 0x78, 0x56, 0, 0]);
    const mem = vm.readGuest(0x8000_3000, 2);
    expect(mem.ok && [...mem.value]).toEqual([0xaa, 0xbb]);
    expect(devices[0]!.resets).toBe(0);
  });

  it("suspends from inside a device access: the run returns and the vCPU is parked", () => {
    const h = runningVm({ script: (id) => (id === 0 ? [write(0, 1n), HYPERCALL] : []) });
    h.devices[0]!.onWrite = () => h.vm.suspend();
    expect(h.vm.runVcpu(0)).toEqual({ kind: "Nothing" });
    expect(h.vm.status).toBe(VMStatus.Suspended);
    expect(h.vm.vcpu(0).state).toBe(VCpuState.Blocked);
    h.vm.resume();
    expect(h.vm.runVcpu(0)).toEqual(HYPERCALL);
  });

  it("keeps a halted vCPU parked across resume until its interrupt arrives", () => {
    const h = runningVm({ script: () => [{ kind: "Halt" }, HYPERCALL] });
    const { vm } = h;
    expect(vm.runVcpu(1)).toEqual({ kind: "Halt" });
    vm.haltVcpu(1);
    vm.suspend();
    vm.resume();
    expect(vm.vcpu(1).state).toBe(VCpuState.Blocked);
    expect(vm.vcpu(0).state).toBe(VCpuState.Free);

    // An interrupt while suspended wakes it, but only once the VM resumes.
    vm.suspend();
    vm.injectInterruptToVcpu(1, 3);
    expect(vm.vcpu(1).state).toBe(VCpuState.Blocked);
    vm.resume();
    expect(vm.vcpu(1).state).toBe(VCpuState.Free);
    expect(vm.runVcpu(1)).toEqual(HYPERCALL);
  });
});

describe("restart", () => {
  it("really re-initialises memory and devices and recreates the vCPUs", () => {
    const h = runningVm({
      script: (id, generation) =>
        id === 0 ? (generation === 0 ? [write(0, 0xbeefn), HYPERCALL] : [{ kind: "Halt" }]) : [],
    });
    const { vm, factory, devices, host } = h;
    const framesAtCreate = host.frameStats().used;
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    expect(vm.writeGuest(0x8000_1000, new Uint8Array([0xef, 0xbe, 0xad, 0xde])).ok).toBe(true);
    expect(vm.writeGuest(0x8010_0000, new Uint8Array(0x4000).fill(7)).ok).toBe(true);
    expect(host.frameStats().used).toBeGreaterThan(framesAtCreate);
    vm.haltVcpu(1);
    const framesBeforeRestart = host.frameStats().used;
    const oldBackends = [factory.latest(0), factory.latest(1)];

    const during: VMStatus[] = [];
    vm.restart((v) => {
      during.push(v.status);
      v.writeGuest(0x8020_0000, new Uint8Array([0x13, 0, 0, 0]));
    });
    expect(during).toEqual([VMStatus.Loading]);
    expect(vm.status).toBe(VMStatus.Running);

    // The frames of the old memory went back to the host: the old 2 MiB block is gone and
    // the reload's image block (and its table) took exactly as many frames as it held.
    expect(vm.addrSpace.translate(0x8010_0000)).toBeNull();
    expect(framesBeforeRestart).toBe(framesAtCreate + 512 + 1);
    expect(host.frameStats().used).toBe(framesBeforeRestart);

    // Memory: what was written before reads as zero; the reload callback's image is there.
    const old = vm.readGuest(0x8000_1000, 4);
    expect(old.ok && [...old.value]).toEqual([0, 0, 0, 0]);
    const image = vm.readGuest(0x8020_0000, 4);
    expect(image.ok && [...image.value]).toEqual([0x13, 0, 0, 0]);
    // Devices: reset to power-on state.
    expect(devices[0]!.resets).toBe(1);
    expect([...devices[0]!.bytes.subarray(0, 4)]).toEqual([0, 0, 0, 0]);

    // vCPUs: new backends, set up against the new page table, none halted.
    expect(factory.created).toHaveLength(4);
    for (const [i, v] of vm.vcpus.entries()) {
      const backend = factory.latest(i);
      expect(oldBackends).not.toContain(backend);
      expect(v.arch).toBe(backend);
      expect(v.state).toBe(VCpuState.Free);
      expect(backend.entry).toBe(0x8020_0000);
      expect(backend.eptRoot).toBe(vm.eptRoot());
    }
    expect(vm.isHalted(1)).toBe(false);
    expect(vm.runVcpu(0)).toEqual({ kind: "Halt" });
  });

  it("leaks no host frames over restarts and destroy", () => {
    const { vm, host } = runningVm();
    const framesAtCreate = host.frameStats().used;
    for (let i = 0; i < 3; i++) {
      vm.writeGuest(0x8000_0000 + i * 0x10_0000, new Uint8Array(0x3000).fill(i + 1));
      vm.restart();
      expect(host.frameStats().used).toBe(framesAtCreate);
    }
    vm.shutdown();
    vm.restart();
    expect(vm.status).toBe(VMStatus.Running);
    vm.shutdown();
    vm.destroy();
    expect(host.frameStats().used).toBe(0);
  });

  it("destroy is only for a stopped VM", () => {
    const { vm } = runningVm();
    expect(() => vm.destroy()).toThrow(
      'VM 1 "test-vm": cannot destroy while Running (shut it down first)',
    );
  });
});
