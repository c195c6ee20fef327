/**
 * The SBI v2.0 implementation the hypervisor offers its guests: BASE, TIME, IPI, RFENCE, HSM
 * (with retentive and non-retentive suspend), SRST, DBCN, SUSP, STA, the legacy v0.1 calls and
 * AxVisor's hypercall extension. Calls that only need
 * the calling vCPU are answered here; the ones that need the VMM (starting or stopping a hart,
 * powering the VM down, hypercalls) become exits. Unknown calls return SBI_ERR_NOT_SUPPORTED —
 * a guest can never make the host fail through SBI (fixes AxVisor §11.7-11.8).
 */
import type { ExitReason, SystemResetType } from "@axvisor/axvcpu";
import { gpa } from "@axvisor/memory-addr";
import type { RiscvVmContext } from "../vm-context.js";
import { PendingFence } from "../vm-context.js";
import {
  BaseFid,
  HsmFid,
  HsmState,
  RfenceFid,
  SBI_IMPL_ID,
  SBI_IMPL_VERSION,
  SBI_SPEC_VERSION,
  SbiEid,
  SbiError,
  SleepType,
  SrstType,
  SuspendType,
} from "./consts.js";
import type { StealTime } from "./steal-time.js";

/** What a call needs from the calling vCPU. */
export interface SbiCaller {
  readonly hartId: number;
  readonly vm: RiscvVmContext;
  /** a0..a7 of the calling hart as unsigned 64-bit values. */
  arg(index: number): bigint;
  setTimer(stimeValue: bigint): void;
  clearSoftwareInterrupt(): void;
  sendSoftwareInterrupt(hartId: number): void;
  /** Applies a fence to the calling hart now. */
  fenceLocal(fence: number): void;
  /** Reads guest-virtual memory with the guest's own translation (legacy hart-mask pointers). */
  readGuestVirtual(gva: bigint, len: number): Uint8Array | null;
  /** The calling vCPU's STA registration and steal-time account. */
  readonly steal: StealTime;
}

/** Where a non-retentive suspend resumes: a0 = hartid, a1 = opaque, VS-mode, MMU off. */
export interface SuspendResume {
  readonly addr: bigint;
  readonly opaque: bigint;
}

export type SbiOutcome =
  /** SBI v0.2+ convention: a0 = error, a1 = value; the guest resumes after the ecall. */
  | { readonly kind: "ret"; readonly error: number; readonly value: bigint }
  /** Legacy convention: a0 = value, a1 untouched. */
  | { readonly kind: "legacy"; readonly value: bigint }
  /**
   * The VMM must act. When `error` is given, a0/a1 are written and the guest resumes after the
   * ecall once the VMM runs it again; otherwise the ecall is left for the VMM to complete.
   */
  | {
      readonly kind: "exit";
      readonly exit: ExitReason;
      readonly error?: number;
      readonly value?: bigint;
    }
  /**
   * HSM suspend (or SUSP system suspend): the hart waits for an interrupt like WFI. Retentive
   * (no `resume`): the call then returns SBI_SUCCESS. Non-retentive: the hart restarts at
   * `resume.addr` instead, as after hart_start.
   */
  | { readonly kind: "suspend"; readonly resume?: SuspendResume };

/** SRST reset types, as the SystemDown exit reports them. */
export type SystemResetKind = SystemResetType;

const ret = (error: number, value = 0n): SbiOutcome => ({ kind: "ret", error, value });
const NOT_SUPPORTED = ret(SbiError.NotSupported);

/** Extensions `probe_extension` reports as available. */
export const SUPPORTED_EXTENSIONS: readonly number[] = [
  SbiEid.Base,
  SbiEid.Time,
  SbiEid.Ipi,
  SbiEid.Rfence,
  SbiEid.Hsm,
  SbiEid.Srst,
  SbiEid.Dbcn,
  SbiEid.Susp,
  SbiEid.Sta,
  SbiEid.AxHypercall,
  SbiEid.LegacySetTimer,
  SbiEid.LegacyConsolePutchar,
  SbiEid.LegacyConsoleGetchar,
  SbiEid.LegacyClearIpi,
  SbiEid.LegacySendIpi,
  SbiEid.LegacyRemoteFenceI,
  SbiEid.LegacyRemoteSfenceVma,
  SbiEid.LegacyRemoteSfenceVmaAsid,
  SbiEid.LegacyShutdown,
];

/** The DBCN transfer limit per call; the guest loops for more, as the spec allows. */
const DBCN_MAX = 4096;

export function dispatchSbi(c: SbiCaller): SbiOutcome {
  const eid = Number(BigInt.asUintN(32, c.arg(7)));
  const fid = Number(BigInt.asUintN(32, c.arg(6)));
  switch (eid) {
    case SbiEid.Base:
      return base(fid, c);
    case SbiEid.Time:
      if (fid !== 0) return NOT_SUPPORTED;
      c.setTimer(c.arg(0));
      return ret(SbiError.Success);
    case SbiEid.Ipi:
      if (fid !== 0) return NOT_SUPPORTED;
      return sendIpi(c, c.arg(0), c.arg(1));
    case SbiEid.Rfence:
      return rfence(fid, c);
    case SbiEid.Hsm:
      return hsm(fid, c);
    case SbiEid.Srst:
      return srst(fid, c);
    case SbiEid.Dbcn:
      return dbcn(fid, c);
    case SbiEid.Susp:
      return systemSuspend(fid, c);
    case SbiEid.Sta:
      if (fid !== 0) return NOT_SUPPORTED;
      return ret(c.steal.setShmem(c.vm.memory, c.arg(0), c.arg(1), c.arg(2)));
    case SbiEid.AxHypercall:
      return {
        kind: "exit",
        exit: {
          kind: "Hypercall",
          nr: BigInt(fid),
          args: [c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.arg(4), c.arg(5)],
        },
      };
    default:
      return legacy(eid, c);
  }
}

function base(fid: number, c: SbiCaller): SbiOutcome {
  switch (fid) {
    case BaseFid.GetSpecVersion:
      return ret(SbiError.Success, BigInt(SBI_SPEC_VERSION));
    case BaseFid.GetImplId:
      return ret(SbiError.Success, BigInt(SBI_IMPL_ID));
    case BaseFid.GetImplVersion:
      return ret(SbiError.Success, BigInt(SBI_IMPL_VERSION));
    case BaseFid.ProbeExtension: {
      const probed = Number(BigInt.asUintN(32, c.arg(0)));
      return ret(SbiError.Success, SUPPORTED_EXTENSIONS.includes(probed) ? 1n : 0n);
    }
    case BaseFid.GetMvendorid:
    case BaseFid.GetMarchid:
    case BaseFid.GetMimpid:
      return ret(SbiError.Success, 0n);
    default:
      return NOT_SUPPORTED;
  }
}

function sendIpi(c: SbiCaller, mask: bigint, maskBase: bigint): SbiOutcome {
  const targets = c.vm.resolveHartMask(mask, maskBase);
  if (!targets) return ret(SbiError.InvalidParam);
  for (const h of targets) c.sendSoftwareInterrupt(h);
  return ret(SbiError.Success);
}

function remoteFence(c: SbiCaller, targets: number[], fence: number): void {
  for (const h of targets) {
    if (h === c.hartId) c.fenceLocal(fence);
    else c.vm.requestFence(h, fence);
  }
}

function rfence(fid: number, c: SbiCaller): SbiOutcome {
  const targets = c.vm.resolveHartMask(c.arg(0), c.arg(1));
  switch (fid) {
    case RfenceFid.RemoteFenceI:
      if (!targets) return ret(SbiError.InvalidParam);
      remoteFence(c, targets, PendingFence.FenceI);
      return ret(SbiError.Success);
    case RfenceFid.RemoteSfenceVma:
    case RfenceFid.RemoteSfenceVmaAsid:
      // Flushing the VM's whole VS-stage (HFENCE.VVMA for its VMID) over-approximates an
      // address or ASID range, which the spec allows.
      if (!targets) return ret(SbiError.InvalidParam);
      remoteFence(c, targets, PendingFence.VvmaAll);
      return ret(SbiError.Success);
    default:
      // The HFENCE variants are for guests that are hypervisors themselves; ours see no H.
      return NOT_SUPPORTED;
  }
}

function hsm(fid: number, c: SbiCaller): SbiOutcome {
  switch (fid) {
    case HsmFid.HartStart: {
      const target = Number(BigInt.asUintN(32, c.arg(0)));
      const state = c.vm.hsmState(target);
      if (state === undefined) return ret(SbiError.InvalidParam);
      if (state !== HsmState.Stopped) return ret(SbiError.AlreadyAvailable);
      const entry = c.arg(1);
      if (entry > BigInt(Number.MAX_SAFE_INTEGER)) return ret(SbiError.InvalidAddress);
      c.vm.setHsmState(target, HsmState.StartPending);
      return {
        kind: "exit",
        exit: {
          kind: "CpuUp",
          targetCpu: BigInt(target),
          entryPoint: gpa(Number(entry)),
          arg: c.arg(2),
        },
        error: SbiError.Success,
        value: 0n,
      };
    }
    case HsmFid.HartStop:
      c.vm.setHsmState(c.hartId, HsmState.Stopped);
      return { kind: "exit", exit: { kind: "CpuDown", state: 0n } };
    case HsmFid.HartGetStatus: {
      const state = c.vm.hsmState(Number(BigInt.asUintN(32, c.arg(0))));
      return state === undefined
        ? ret(SbiError.InvalidParam)
        : ret(SbiError.Success, BigInt(state));
    }
    case HsmFid.HartSuspend: {
      const type = Number(BigInt.asUintN(32, c.arg(0)));
      if (type === SuspendType.DefaultRetentive) return { kind: "suspend" };
      // Reserved (0x1..0x0FFF_FFFF, 0x8000_0001..0x8FFF_FFFF) and platform-specific types
      // (0x1000_0000..0x7FFF_FFFF, 0x9000_0000..0xFFFF_FFFF): this platform defines none.
      if (type !== SuspendType.DefaultNonRetentive) return ret(SbiError.InvalidParam);
      return nonRetentive(c, c.arg(1), c.arg(2));
    }
    default:
      return NOT_SUPPORTED;
  }
}

/** Where a non-retentive suspend may resume: guest memory the hart can fetch from. */
function nonRetentive(c: SbiCaller, addr: bigint, opaque: bigint): SbiOutcome {
  if (addr > BigInt(Number.MAX_SAFE_INTEGER) || (addr & 1n) !== 0n) {
    return ret(SbiError.InvalidAddress);
  }
  if (!c.vm.memory.read(Number(addr), 2).ok) return ret(SbiError.InvalidAddress);
  return { kind: "suspend", resume: { addr, opaque } };
}

/**
 * SUSP `system_suspend(sleep_type, resume_addr, opaque)`: suspend to RAM. Only the calling
 * hart may still be running (every other one STOPPED, else DENIED); it then suspends
 * non-retentively, and the first interrupt for it resumes the system at resume_addr.
 */
function systemSuspend(fid: number, c: SbiCaller): SbiOutcome {
  if (fid !== 0) return NOT_SUPPORTED;
  const sleep = Number(BigInt.asUintN(32, c.arg(0)));
  // 0x1..0x7FFF_FFFF reserved, 0x8000_0000.. platform-specific: none defined here.
  if (sleep !== SleepType.SuspendToRam) return ret(SbiError.InvalidParam);
  for (const h of c.vm.hartIds()) {
    if (h !== c.hartId && c.vm.hsmState(h) !== HsmState.Stopped) return ret(SbiError.Denied);
  }
  return nonRetentive(c, c.arg(1), c.arg(2));
}

function srst(fid: number, c: SbiCaller): SbiOutcome {
  if (fid !== 0) return NOT_SUPPORTED;
  const type = BigInt.asUintN(32, c.arg(0));
  const reason = BigInt.asUintN(32, c.arg(1));
  if (reason > 1n && reason < 0xe000_0000n) return ret(SbiError.InvalidParam);
  let resetType: SystemResetType;
  switch (type) {
    case BigInt(SrstType.Shutdown):
      resetType = "shutdown";
      break;
    case BigInt(SrstType.ColdReboot):
      resetType = "cold-reboot";
      break;
    case BigInt(SrstType.WarmReboot):
      resetType = "warm-reboot";
      break;
    default:
      return ret(SbiError.InvalidParam);
  }
  return { kind: "exit", exit: { kind: "SystemDown", resetType, reason: Number(reason) } };
}

function dbcn(fid: number, c: SbiCaller): SbiOutcome {
  switch (fid) {
    case 0: {
      // console_write(num_bytes, base_lo, base_hi): guest-physical buffer.
      const len = Math.min(Number(BigInt.asUintN(32, c.arg(0))), DBCN_MAX);
      const addr = (c.arg(2) << 32n) | BigInt.asUintN(32, c.arg(1));
      if (addr > BigInt(Number.MAX_SAFE_INTEGER)) return ret(SbiError.InvalidParam);
      const bytes = c.vm.memory.read(Number(addr), len);
      if (!bytes.ok) return ret(SbiError.InvalidParam);
      c.vm.console.write(bytes.value);
      return ret(SbiError.Success, BigInt(len));
    }
    case 1: {
      const len = Math.min(Number(BigInt.asUintN(32, c.arg(0))), DBCN_MAX);
      const addr = (c.arg(2) << 32n) | BigInt.asUintN(32, c.arg(1));
      if (addr > BigInt(Number.MAX_SAFE_INTEGER)) return ret(SbiError.InvalidParam);
      const input = c.vm.console.read(len);
      if (input.length === 0) return ret(SbiError.Success, 0n);
      const w = c.vm.memory.write(Number(addr), input);
      return w.ok ? ret(SbiError.Success, BigInt(input.length)) : ret(SbiError.InvalidParam);
    }
    case 2:
      c.vm.console.write(Uint8Array.of(Number(c.arg(0) & 0xffn)));
      return ret(SbiError.Success);
    default:
      return NOT_SUPPORTED;
  }
}

/** Reads the 64-bit hart mask a legacy call passes by guest-virtual pointer (0 = all harts). */
function legacyMask(c: SbiCaller, pointer: bigint): number[] | null {
  if (pointer === 0n) return c.vm.hartIds();
  const bytes = c.readGuestVirtual(pointer, 8);
  if (!bytes) return null;
  const mask = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return c.vm.resolveHartMask(mask, 0n);
}

function legacy(eid: number, c: SbiCaller): SbiOutcome {
  const legacyRet = (value: bigint): SbiOutcome => ({ kind: "legacy", value });
  const failed = legacyRet(BigInt.asUintN(64, BigInt(SbiError.Failed)));
  switch (eid) {
    case SbiEid.LegacySetTimer:
      c.setTimer(c.arg(0));
      return legacyRet(0n);
    case SbiEid.LegacyConsolePutchar:
      c.vm.console.write(Uint8Array.of(Number(c.arg(0) & 0xffn)));
      return legacyRet(0n);
    case SbiEid.LegacyConsoleGetchar: {
      const input = c.vm.console.read(1);
      return legacyRet(input.length === 0 ? BigInt.asUintN(64, -1n) : BigInt(input[0] ?? 0));
    }
    case SbiEid.LegacyClearIpi:
      c.clearSoftwareInterrupt();
      return legacyRet(0n);
    case SbiEid.LegacySendIpi: {
      const targets = legacyMask(c, c.arg(0));
      if (!targets) return failed;
      for (const h of targets) c.sendSoftwareInterrupt(h);
      return legacyRet(0n);
    }
    case SbiEid.LegacyRemoteFenceI:
    case SbiEid.LegacyRemoteSfenceVma:
    case SbiEid.LegacyRemoteSfenceVmaAsid: {
      const targets = legacyMask(c, c.arg(0));
      if (!targets) return failed;
      remoteFence(
        c,
        targets,
        eid === SbiEid.LegacyRemoteFenceI ? PendingFence.FenceI : PendingFence.VvmaAll,
      );
      return legacyRet(0n);
    }
    case SbiEid.LegacyShutdown:
      return { kind: "exit", exit: { kind: "SystemDown", resetType: "shutdown", reason: 0 } };
    default:
      return NOT_SUPPORTED;
  }
}
