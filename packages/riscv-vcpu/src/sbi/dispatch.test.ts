import { err, ok } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import { RiscvVmContext } from "../vm-context.js";
import { HsmState, SBI_IMPL_ID, SbiEid, SbiError } from "./consts.js";
import { dispatchSbi, type SbiCaller } from "./dispatch.js";

class FakeCaller implements SbiCaller {
  regs: bigint[] = new Array(8).fill(0n);
  timers: bigint[] = [];
  ipis: number[] = [];
  fences: number[] = [];
  cleared = 0;
  output: number[] = [];
  input: number[] = [];
  ram = new Uint8Array(0x1000); // guest-physical 0x8000_0000..
  readonly vm: RiscvVmContext;

  constructor(readonly hartId = 0) {
    this.vm = new RiscvVmContext(
      1,
      1,
      {
        write: (b) => this.output.push(...b),
        read: (max) => Uint8Array.from(this.input.splice(0, max)),
      },
      {
        read: (gpa, len) =>
          gpa >= 0x8000_0000 && gpa + len <= 0x8000_1000
            ? ok(this.ram.slice(gpa - 0x8000_0000, gpa - 0x8000_0000 + len))
            : err("BadAddress"),
        write: (gpa, data) => {
          if (gpa < 0x8000_0000 || gpa + data.length > 0x8000_1000) return err("BadAddress");
          this.ram.set(data, gpa - 0x8000_0000);
          return ok(undefined);
        },
      },
    );
    this.vm.addHart(0, 0, true);
    this.vm.addHart(1, 1, false);
  }
  arg(i: number) {
    return this.regs[i] ?? 0n;
  }
  setTimer(v: bigint) {
    this.timers.push(v);
  }
  clearSoftwareInterrupt() {
    this.cleared++;
  }
  sendSoftwareInterrupt(h: number) {
    this.ipis.push(h);
  }
  fenceLocal(f: number) {
    this.fences.push(f);
  }
  readGuestVirtual(gva: bigint, len: number) {
    const r = this.vm.memory.read(Number(gva), len);
    return r.ok ? r.value : null;
  }
  call(eid: number, fid: number, ...args: bigint[]) {
    this.regs = [...args, ...new Array(6 - args.length).fill(0n), BigInt(fid), BigInt(eid)];
    const out = dispatchSbi(this);
    const exit = out.kind === "exit" ? out.exit : undefined;
    return { out, reset: exit?.kind === "SystemDown" ? exit.resetType : undefined };
  }
}

const ERR = (e: number) => ({ kind: "ret", error: e, value: 0n });

describe("SBI BASE", () => {
  it("reports v2.0, our implementation id and the extensions we offer", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Base, 0).out).toEqual({ kind: "ret", error: 0, value: 0x0200_0000n });
    expect(c.call(SbiEid.Base, 1).out).toMatchObject({ value: BigInt(SBI_IMPL_ID) });
    for (const eid of [
      SbiEid.Time,
      SbiEid.Ipi,
      SbiEid.Rfence,
      SbiEid.Hsm,
      SbiEid.Srst,
      SbiEid.Dbcn,
    ]) {
      expect(c.call(SbiEid.Base, 3, BigInt(eid)).out).toMatchObject({ error: 0, value: 1n });
    }
    expect(c.call(SbiEid.Base, 3, 0x1234n).out).toMatchObject({ error: 0, value: 0n });
    expect(c.call(SbiEid.Base, 4).out).toMatchObject({ error: 0, value: 0n });
  });

  it("answers unknown extensions and functions with NOT_SUPPORTED", () => {
    const c = new FakeCaller();
    expect(c.call(0x0abc_def0, 0).out).toEqual(ERR(SbiError.NotSupported));
    expect(c.call(SbiEid.Base, 99).out).toEqual(ERR(SbiError.NotSupported));
    expect(c.call(SbiEid.Time, 1).out).toEqual(ERR(SbiError.NotSupported));
  });
});

describe("SBI TIME, IPI and RFENCE", () => {
  it("programs the timer", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Time, 0, 123_456n).out).toEqual(ERR(0));
    expect(c.timers).toEqual([123_456n]);
  });

  it("sends IPIs to the harts of a mask, and refuses harts the VM lacks", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Ipi, 0, 0b11n, 0n).out).toEqual(ERR(0));
    expect(c.ipis).toEqual([0, 1]);
    expect(c.call(SbiEid.Ipi, 0, 0b1n, 1n).out).toEqual(ERR(0));
    expect(c.ipis).toEqual([0, 1, 1]);
    expect(c.call(SbiEid.Ipi, 0, 0b100n, 0n).out).toEqual(ERR(SbiError.InvalidParam));
    expect(c.call(SbiEid.Ipi, 0, 0n, BigInt.asUintN(64, -1n)).out).toEqual(ERR(0));
    expect(c.ipis).toEqual([0, 1, 1, 0, 1]);
  });

  it("fences the caller at once and queues fences for other harts", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Rfence, 1, 0b11n, 0n, 0n, 0x1000n).out).toEqual(ERR(0));
    expect(c.fences).toEqual([2]);
    expect(c.vm.takeFences(1)).toBe(2);
    expect(c.call(SbiEid.Rfence, 0, 0b10n, 0n).out).toEqual(ERR(0));
    expect(c.vm.takeFences(1)).toBe(1);
    expect(c.call(SbiEid.Rfence, 6, 0b1n, 0n).out).toEqual(ERR(SbiError.NotSupported));
  });
});

describe("SBI HSM", () => {
  it("starts a stopped hart through a CpuUp exit, once", () => {
    const c = new FakeCaller();
    const { out } = c.call(SbiEid.Hsm, 0, 1n, 0x8020_0000n, 0xabcn);
    expect(out).toMatchObject({
      kind: "exit",
      error: 0,
      exit: { kind: "CpuUp", targetCpu: 1n, entryPoint: 0x8020_0000, arg: 0xabcn },
    });
    expect(c.vm.hsmState(1)).toBe(HsmState.StartPending);
    expect(c.call(SbiEid.Hsm, 0, 1n, 0x8020_0000n, 0n).out).toEqual(ERR(SbiError.AlreadyAvailable));
    expect(c.call(SbiEid.Hsm, 0, 7n, 0x8020_0000n, 0n).out).toEqual(ERR(SbiError.InvalidParam));
  });

  it("reports hart status and stops the caller", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Hsm, 2, 0n).out).toEqual({ kind: "ret", error: 0, value: 0n });
    expect(c.call(SbiEid.Hsm, 2, 1n).out).toEqual({ kind: "ret", error: 0, value: 1n });
    expect(c.call(SbiEid.Hsm, 2, 5n).out).toEqual(ERR(SbiError.InvalidParam));
    expect(c.call(SbiEid.Hsm, 1).out).toEqual({
      kind: "exit",
      exit: { kind: "CpuDown", state: 0n },
    });
    expect(c.vm.hsmState(0)).toBe(HsmState.Stopped);
  });

  it("suspends retentively like WFI", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Hsm, 3, 0n).out).toEqual({ kind: "suspend" });
    expect(c.call(SbiEid.Hsm, 3, 0x8000_0000n).out).toEqual(ERR(SbiError.NotSupported));
    expect(c.call(SbiEid.Hsm, 3, 5n).out).toEqual(ERR(SbiError.InvalidParam));
  });
});

describe("SBI SRST", () => {
  it("tells shutdown from reboot", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Srst, 0, 0n, 0n)).toEqual({
      out: { kind: "exit", exit: { kind: "SystemDown", resetType: "shutdown", reason: 0 } },
      reset: "shutdown",
    });
    expect(c.call(SbiEid.Srst, 0, 1n, 0n).reset).toBe("cold-reboot");
    expect(c.call(SbiEid.Srst, 0, 2n, 1n).out).toEqual({
      kind: "exit",
      exit: { kind: "SystemDown", resetType: "warm-reboot", reason: 1 },
    });
    expect(c.call(SbiEid.Srst, 0, 0n, 0xe000_0001n).out).toMatchObject({
      exit: { reason: 0xe000_0001 },
    });
    expect(c.call(SbiEid.Srst, 0, 3n, 0n).out).toEqual(ERR(SbiError.InvalidParam));
    expect(c.call(SbiEid.Srst, 0, 0n, 7n).out).toEqual(ERR(SbiError.InvalidParam));
  });
});

describe("SBI DBCN", () => {
  it("writes guest memory to the console and reads input into guest memory", () => {
    const c = new FakeCaller();
    c.ram.set(new TextEncoder().encode("hi!"), 0x100);
    expect(c.call(SbiEid.Dbcn, 0, 3n, 0x8000_0100n, 0n).out).toEqual({
      kind: "ret",
      error: 0,
      value: 3n,
    });
    expect(String.fromCharCode(...c.output)).toBe("hi!");
    expect(c.call(SbiEid.Dbcn, 1, 4n, 0x8000_0200n, 0n).out).toEqual({
      kind: "ret",
      error: 0,
      value: 0n,
    });
    c.input.push(0x41, 0x42);
    expect(c.call(SbiEid.Dbcn, 1, 4n, 0x8000_0200n, 0n).out).toEqual({
      kind: "ret",
      error: 0,
      value: 2n,
    });
    expect([...c.ram.slice(0x200, 0x202)]).toEqual([0x41, 0x42]);
    expect(c.call(SbiEid.Dbcn, 2, 0x5an).out).toEqual(ERR(0));
    expect(c.output.at(-1)).toBe(0x5a);
  });

  it("rejects buffers outside guest memory", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Dbcn, 0, 16n, 0x1000n, 0n).out).toEqual(ERR(SbiError.InvalidParam));
  });
});

describe("legacy SBI v0.1", () => {
  it("implements putchar, getchar, timer, IPIs through mask pointers and shutdown", () => {
    const c = new FakeCaller();
    expect(c.call(0x01, 0, 0x41n).out).toEqual({ kind: "legacy", value: 0n });
    expect(c.output).toEqual([0x41]);
    expect(c.call(0x02, 0).out).toEqual({ kind: "legacy", value: BigInt.asUintN(64, -1n) });
    c.input.push(0x7a);
    expect(c.call(0x02, 0).out).toEqual({ kind: "legacy", value: 0x7an });
    c.call(0x00, 0, 99n);
    expect(c.timers).toEqual([99n]);
    new DataView(c.ram.buffer).setBigUint64(0x300, 0b10n, true);
    expect(c.call(0x04, 0, 0x8000_0300n).out).toEqual({ kind: "legacy", value: 0n });
    expect(c.ipis).toEqual([1]);
    c.call(0x03, 0);
    expect(c.cleared).toBe(1);
    expect(c.call(0x08, 0)).toEqual({
      out: { kind: "exit", exit: { kind: "SystemDown", resetType: "shutdown", reason: 0 } },
      reset: "shutdown",
    });
  });
});

describe("AxVisor hypercalls", () => {
  it("become Hypercall exits with the function id as the number", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.AxHypercall, 3, 1n, 2n, 3n, 4n, 5n, 6n).out).toEqual({
      kind: "exit",
      exit: { kind: "Hypercall", nr: 3n, args: [1n, 2n, 3n, 4n, 5n, 6n] },
    });
  });
});
