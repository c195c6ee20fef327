import { AxError, axErr } from "@axvisor/axerrno";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { AccessWidth, gpa, hpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { CurrentVCpu } from "./current-vcpu.js";
import type { ExitReason } from "./exit-reason.js";
import {
  ScriptedArchVCpu,
  ScriptedVCpuFactory,
  type ScriptStep,
} from "./testing/scripted-arch-vcpu.js";
import { VCpu } from "./vcpu.js";
import { VCpuState } from "./vcpu-state.js";

const ENTRY = gpa(0x8020_0000);
const ROOT = hpa(0x8100_0000);

function makeVCpu(script: readonly ScriptStep[] = []) {
  const arch = new ScriptedArchVCpu<{ hartId: number }, string>(script);
  const vcpu = new VCpu(2, 1, arch);
  return { arch, vcpu };
}

type Op = "setup" | "bind" | "run" | "unbind" | "block" | "unblock";
const OPS: readonly Op[] = ["setup", "bind", "run", "unbind", "block", "unblock"];

function apply(vcpu: VCpu<{ hartId: number }, string>, op: Op, cpu: CurrentVCpu): void {
  const ops: Record<Op, () => unknown> = {
    setup: () => vcpu.setup(ENTRY, ROOT, "cfg"),
    bind: () => vcpu.bind(cpu),
    run: () => vcpu.run(),
    unbind: () => vcpu.unbind(),
    block: () => vcpu.block(),
    unblock: () => vcpu.unblock(),
  };
  ops[op]();
}

/** Drives a fresh vCPU into `state` through legal operations only. */
function vcpuIn(state: VCpuState) {
  const { arch, vcpu } = makeVCpu();
  const cpu = new CurrentVCpu(0);
  const paths: Record<VCpuState, Op[]> = {
    [VCpuState.Created]: [],
    [VCpuState.Free]: ["setup"],
    [VCpuState.Ready]: ["setup", "bind"],
    [VCpuState.Blocked]: ["setup", "block"],
    [VCpuState.Invalid]: ["bind"],
    [VCpuState.Running]: [],
  };
  for (const op of paths[state]) {
    try {
      apply(vcpu, op, cpu);
    } catch {
      // The path into Invalid is an illegal operation on purpose.
    }
  }
  expect(vcpu.state).toBe(state);
  return { arch, vcpu, cpu };
}

describe("VCpu legal lifecycle", () => {
  it("starts Created, is the BSP only as vCPU 0, and remembers its affinity", () => {
    const { vcpu } = makeVCpu();
    expect(vcpu.state).toBe(VCpuState.Created);
    expect(vcpu.isBsp()).toBe(false);
    const bsp = new VCpu(1, 0, new ScriptedArchVCpu(), { physCpuSet: 0b101n, favorPhysCpu: 2 });
    expect(bsp.isBsp()).toBe(true);
    expect(bsp.physCpuSet).toBe(0b101n);
    expect(bsp.favorPhysCpu).toBe(2);
    expect(vcpu.physCpuSet).toBeNull();
  });

  it("setup programs entry, nested root and backend setup in that order: Created -> Free", () => {
    const { arch, vcpu } = makeVCpu();
    vcpu.setup(ENTRY, ROOT, "cfg");
    expect(vcpu.state).toBe(VCpuState.Free);
    expect(arch.calls).toEqual([
      { op: "setEntry", entry: ENTRY },
      { op: "setEptRoot", root: ROOT },
      { op: "setup", config: "cfg" },
    ]);
  });

  it("bind, run, unbind walk Free -> Ready -> Running -> Ready -> Free", () => {
    const seen: { state: VCpuState; current: unknown }[] = [];
    const cpu = new CurrentVCpu(3);
    const { arch, vcpu } = makeVCpu();
    arch.push((a) => {
      seen.push({ state: vcpu.state, current: cpu.current });
      expect(a.bound).toBe(true);
      return { kind: "Halt" };
    });
    vcpu.setup(ENTRY, ROOT, "cfg");
    vcpu.bind(cpu);
    expect(vcpu.state).toBe(VCpuState.Ready);
    expect(vcpu.boundCpu).toBe(cpu);
    expect(cpu.current).toBeNull();

    const exit = vcpu.run();
    expect(exit).toEqual({ kind: "Halt" });
    expect(seen).toEqual([{ state: VCpuState.Running, current: vcpu }]);
    expect(vcpu.state).toBe(VCpuState.Ready);
    expect(cpu.current).toBeNull();

    vcpu.unbind();
    expect(vcpu.state).toBe(VCpuState.Free);
    expect(vcpu.boundCpu).toBeNull();
    expect(arch.calls.map((c) => c.op)).toEqual([
      "setEntry",
      "setEptRoot",
      "setup",
      "bind",
      "run",
      "unbind",
    ]);
  });

  it("can be bound again after unbind, on another CPU", () => {
    const { vcpu } = vcpuIn(VCpuState.Free);
    const a = new CurrentVCpu(0);
    const b = new CurrentVCpu(1);
    vcpu.bind(a);
    vcpu.run();
    vcpu.unbind();
    vcpu.bind(b);
    expect(vcpu.boundCpu).toBe(b);
    expect(vcpu.run()).toEqual({ kind: "Nothing" });
  });

  it("block and unblock return to the state the vCPU was blocked from", () => {
    const { vcpu, cpu } = vcpuIn(VCpuState.Free);
    vcpu.block();
    expect(vcpu.state).toBe(VCpuState.Blocked);
    expect(vcpu.isBlocked()).toBe(true);
    vcpu.unblock();
    expect(vcpu.state).toBe(VCpuState.Free);

    vcpu.bind(cpu);
    vcpu.block();
    expect(vcpu.state).toBe(VCpuState.Blocked);
    vcpu.unblock();
    expect(vcpu.state).toBe(VCpuState.Ready);
    expect(vcpu.run()).toEqual({ kind: "Nothing" });
  });

  it("passes register, interrupt and return-value calls straight to the backend", () => {
    const { arch, vcpu } = vcpuIn(VCpuState.Free);
    vcpu.setGpr(10, 0xdead_beefn);
    vcpu.injectInterrupt(5);
    vcpu.setReturnValue(-1n);
    vcpu.setEntry(gpa(0x9000_0000));
    expect(vcpu.getGpr(10)).toBe(0xdead_beefn);
    expect(arch.calls.slice(3)).toEqual([
      { op: "setGpr", index: 10, value: 0xdead_beefn },
      { op: "injectInterrupt", vector: 5 },
      { op: "setReturnValue", value: -1n },
      { op: "setEntry", entry: gpa(0x9000_0000) },
    ]);
    expect(vcpu.state).toBe(VCpuState.Free);
  });

  it("builds its backend through a factory with the VM, vCPU, config and host", () => {
    const host = createTestHost();
    const factory = new ScriptedVCpuFactory<{ hartId: number }, void>();
    const vcpu = VCpu.create(factory.create, 4, 2, { hartId: 2 }, host, { physCpuSet: 1n });
    expect(vcpu.vmId).toBe(4);
    expect(vcpu.vcpuId).toBe(2);
    expect(vcpu.arch).toBe(factory.latest(2, 4));
    expect(vcpu.arch.createConfig).toEqual({ hartId: 2 });
    expect(factory.created[0]!.host).toBe(host);
  });
});

describe("VCpu illegal transitions", () => {
  const LEGAL: Partial<Record<VCpuState, readonly Op[]>> = {
    [VCpuState.Created]: ["setup"],
    [VCpuState.Free]: ["bind", "block"],
    [VCpuState.Ready]: ["run", "unbind", "block"],
    [VCpuState.Blocked]: ["unblock"],
    [VCpuState.Invalid]: [],
  };
  const STATES = [
    VCpuState.Created,
    VCpuState.Free,
    VCpuState.Ready,
    VCpuState.Blocked,
    VCpuState.Invalid,
  ];

  for (const state of STATES) {
    for (const op of OPS) {
      if (LEGAL[state]!.includes(op)) continue;
      it(`${op} in ${VCpuState[state]} -> Invalid with BadState`, () => {
        const { arch, vcpu, cpu } = vcpuIn(state);
        const before = arch.calls.length;
        let thrown: unknown;
        try {
          apply(vcpu, op, cpu);
        } catch (e) {
          thrown = e;
        }
        expect(AxError.is(thrown, "BadState")).toBe(true);
        expect((thrown as Error).message).toContain("VM 2 vCPU 1");
        expect((thrown as Error).message).toContain(`cannot ${op} in state ${VCpuState[state]}`);
        expect(vcpu.state).toBe(VCpuState.Invalid);
        // The backend never saw the refused operation.
        expect(arch.calls.length).toBe(before);
      });
    }
  }

  it("refuses every operation while Running (a backend calling back into its vCPU)", () => {
    for (const op of OPS) {
      const { arch, vcpu, cpu } = vcpuIn(VCpuState.Ready);
      let inner: unknown;
      arch.push(() => {
        try {
          apply(vcpu, op, cpu);
        } catch (e) {
          inner = e;
        }
        return { kind: "Nothing" };
      });
      expect(() => vcpu.run(), op).toThrow(AxError);
      expect(AxError.is(inner, "BadState"), op).toBe(true);
      expect((inner as Error).message).toContain("in state Running");
      expect(vcpu.state).toBe(VCpuState.Invalid);
    }
  });

  it("a throwing backend call puts the vCPU into Invalid and names the operation", () => {
    for (const op of ["setup", "bind", "run", "unbind"] as const) {
      const start =
        op === "setup" ? VCpuState.Created : op === "bind" ? VCpuState.Free : VCpuState.Ready;
      const { arch, vcpu, cpu } = vcpuIn(start);
      const cause = axErr("Io", "world switch exploded");
      arch.failOn(op, cause);
      let thrown: unknown;
      try {
        apply(vcpu, op, cpu);
      } catch (e) {
        thrown = e;
      }
      expect(AxError.is(thrown, "BadState"), op).toBe(true);
      const msg = (thrown as Error).message;
      expect(msg).toMatch(
        new RegExp(`^VM 2 vCPU 1: ${op} failed in state \\w+: world switch exploded$`),
      );
      expect((thrown as Error).cause).toBe(cause);
      expect(vcpu.state).toBe(VCpuState.Invalid);
      expect(cpu.current).toBeNull();
    }
  });

  it("setup failing in setEptRoot does not reach the backend setup", () => {
    const { arch, vcpu } = makeVCpu();
    arch.failOn("setEptRoot", new Error("bad root"));
    expect(() => vcpu.setup(ENTRY, ROOT, "cfg")).toThrow(/setup failed in state Created: bad root/);
    expect(arch.callsOf("setup")).toHaveLength(0);
  });
});

describe("per-CPU current vCPU", () => {
  it("refuses to start a second vCPU on a CPU that is busy with one", () => {
    const cpu = new CurrentVCpu(0);
    const a = vcpuIn(VCpuState.Ready);
    const other = new VCpu(2, 7, new ScriptedArchVCpu());
    other.setup(ENTRY, ROOT, undefined);
    let inner: unknown;
    // a runs on its own CPU object; inside its run, `other` tries to bind on a.cpu.
    a.arch.push(() => {
      try {
        other.bind(a.cpu);
      } catch (e) {
        inner = e;
      }
      return { kind: "Nothing" };
    });
    expect(a.vcpu.run()).toEqual({ kind: "Nothing" });
    expect(AxError.is(inner, "BadState")).toBe(true);
    expect((inner as Error).message).toContain(
      "physical CPU 0 is already working on VM 2 vCPU 1; cannot also start VM 2 vCPU 7",
    );
    expect(other.state).toBe(VCpuState.Invalid);
    expect(cpu.current).toBeNull();
  });

  it("is cleared even when the guarded call throws", () => {
    const cpu = new CurrentVCpu(1);
    const who = { vmId: 1, vcpuId: 0 };
    expect(() =>
      cpu.with(who, () => {
        expect(cpu.current).toBe(who);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(cpu.current).toBeNull();
    expect(() => new CurrentVCpu(-1)).toThrow(/non-negative/);
  });
});

describe("optional backend features", () => {
  const fault = {
    exit: {
      kind: "MmioRead",
      addr: gpa(0x1000),
      width: AccessWidth.Dword,
      reg: 1,
      regWidth: AccessWidth.Qword,
      signExtend: false,
    } satisfies ExitReason,
    error: axErr("BadAddress", "nothing at GPA:0x1000"),
  };

  it("injectFault reaches a backend that has the hook", () => {
    const { arch, vcpu } = vcpuIn(VCpuState.Free);
    expect(vcpu.injectFault(fault)).toBe(true);
    expect(arch.callsOf("injectFault")).toEqual([{ op: "injectFault", fault }]);
  });

  it("injectFault reports false and getGpr throws Unsupported for a minimal backend", () => {
    const arch = new ScriptedArchVCpu([], { injectFaults: false });
    const minimal = {
      setEntry: arch.setEntry.bind(arch),
      setEptRoot: arch.setEptRoot.bind(arch),
      setup: arch.setup.bind(arch),
      run: arch.run.bind(arch),
      bind: arch.bind.bind(arch),
      unbind: arch.unbind.bind(arch),
      setGpr: arch.setGpr.bind(arch),
      setStartArgs: arch.setStartArgs.bind(arch),
      injectInterrupt: arch.injectInterrupt.bind(arch),
      setInterruptLevel: arch.setInterruptLevel.bind(arch),
      setReturnValue: arch.setReturnValue.bind(arch),
      dispose: arch.dispose.bind(arch),
    };
    const vcpu = new VCpu(1, 0, minimal);
    expect(vcpu.injectFault(fault)).toBe(false);
    expect(() => vcpu.getGpr(1)).toThrow(/VM 1 vCPU 0: the backend cannot read registers/);
  });
});
