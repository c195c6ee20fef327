import { err, ok } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import { RiscvVmContext } from "../vm-context.js";
import { HsmState, SBI_IMPL_ID, SbiEid, SbiError } from "./consts.js";
import { dispatchSbi, type SbiCaller } from "./dispatch.js";
import { StealTime } from "./steal-time.js";

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
  readonly steal = new StealTime();

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
    // Only the low 32 bits are suspend_type.
    expect(c.call(SbiEid.Hsm, 3, 0xffff_ffff_0000_0000n).out).toEqual({ kind: "suspend" });
  });

  it("suspends non-retentively to a resume address in guest memory, with the opaque value", () => {
    const c = new FakeCaller();
    expect(c.call(SbiEid.Hsm, 3, 0x8000_0000n, 0x8000_0100n, 0x5151n).out).toEqual({
      kind: "suspend",
      resume: { addr: 0x8000_0100n, opaque: 0x5151n },
    });
    for (const bad of [0x1000n, 0x8000_0101n, 1n << 60n]) {
      expect(c.call(SbiEid.Hsm, 3, 0x8000_0000n, bad, 0n).out).toEqual(
        ERR(SbiError.InvalidAddress),
      );
    }
  });

  it("refuses every reserved and platform-specific suspend_type with INVALID_PARAM", () => {
    const c = new FakeCaller();
    const types = [
      0x1n, // reserved retentive
      0x0fff_ffffn,
      0x1000_0000n, // platform-specific retentive
      0x7fff_ffffn,
      0x8000_0001n, // reserved non-retentive
      0x8fff_ffffn,
      0x9000_0000n, // platform-specific non-retentive
      0xffff_ffffn,
    ];
    for (const t of types) {
      expect(c.call(SbiEid.Hsm, 3, t, 0x8000_0000n).out).toEqual(ERR(SbiError.InvalidParam));
    }
  });
});

describe("SBI SUSP", () => {
  it("suspends the system to RAM only when every other hart is stopped", () => {
    const c = new FakeCaller();
    c.vm.setHsmState(1, HsmState.Started);
    expect(c.call(SbiEid.Susp, 0, 0n, 0x8000_0200n, 7n).out).toEqual(ERR(SbiError.Denied));
    c.vm.setHsmState(1, HsmState.Stopped);
    expect(c.call(SbiEid.Susp, 0, 0n, 0x8000_0200n, 7n).out).toEqual({
      kind: "suspend",
      resume: { addr: 0x8000_0200n, opaque: 7n },
    });
  });

  it("refuses reserved and platform sleep types, bad resume addresses and other functions", () => {
    const c = new FakeCaller();
    for (const t of [1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn]) {
      expect(c.call(SbiEid.Susp, 0, t, 0x8000_0000n).out).toEqual(ERR(SbiError.InvalidParam));
    }
    expect(c.call(SbiEid.Susp, 0, 0n, 0x10n).out).toEqual(ERR(SbiError.InvalidAddress));
    expect(c.call(SbiEid.Susp, 1, 0n).out).toEqual(ERR(SbiError.NotSupported));
    expect(c.call(SbiEid.Base, 3, BigInt(SbiEid.Susp)).out).toEqual({
      kind: "ret",
      error: 0,
      value: 1n,
    });
  });
});

describe("SBI STA", () => {
  const u32 = (c: FakeCaller, off: number) => new DataView(c.ram.buffer).getUint32(off, true);
  const u64 = (c: FakeCaller, off: number) => new DataView(c.ram.buffer).getBigUint64(off, true);

  it("zeroes the 64-byte record on set_shmem and checks flags, alignment and the address", () => {
    const c = new FakeCaller();
    c.ram.fill(0xaa);
    expect(c.call(SbiEid.Sta, 0, 0x8000_0040n, 0n, 0n).out).toEqual(ERR(SbiError.Success));
    expect(c.ram.subarray(0x40, 0x80).every((b) => b === 0)).toBe(true);
    expect(c.ram[0x80]).toBe(0xaa);
    expect(c.call(SbiEid.Sta, 0, 0x8000_0040n, 0n, 1n).out).toEqual(ERR(SbiError.InvalidParam));
    expect(c.call(SbiEid.Sta, 0, 0x8000_0044n, 0n, 0n).out).toEqual(ERR(SbiError.InvalidParam));
    expect(c.call(SbiEid.Sta, 0, 0x4000n, 0n, 0n).out).toEqual(ERR(SbiError.InvalidAddress));
    expect(c.call(SbiEid.Sta, 0, 0x8000_0040n, 1n, 0n).out).toEqual(ERR(SbiError.InvalidAddress));
    expect(c.call(SbiEid.Sta, 1, 0n).out).toEqual(ERR(SbiError.NotSupported));
  });

  it("publishes steal time with the sequence protocol, and stops after set_shmem(-1, -1)", () => {
    const c = new FakeCaller();
    c.call(SbiEid.Sta, 0, 0x8000_0100n, 0n, 0n);
    c.steal.publish(c.vm.memory);
    expect(u32(c, 0x100)).toBe(0); // nothing stolen yet: no update
    c.steal.add(1500);
    c.steal.add(2500);
    c.steal.publish(c.vm.memory);
    expect(u32(c, 0x100)).toBe(2); // odd during the update, even after
    expect(u64(c, 0x108)).toBe(4000n);
    expect(c.ram[0x110]).toBe(0); // preempted: zero while the vCPU runs
    c.steal.add(1000);
    c.steal.publish(c.vm.memory);
    expect(u32(c, 0x100)).toBe(4);
    expect(u64(c, 0x108)).toBe(5000n);
    const ones = (1n << 64n) - 1n;
    expect(c.call(SbiEid.Sta, 0, ones, ones, 0n).out).toEqual(ERR(SbiError.Success));
    c.steal.add(1000);
    c.steal.publish(c.vm.memory);
    expect(u64(c, 0x108)).toBe(5000n);
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
