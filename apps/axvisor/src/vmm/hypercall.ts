import type { AxResult } from "@axvisor/axerrno";
import type { IvcChannels, IvcMapping, IvcVm } from "./ivc.js";

/** AxVisor's hypercall numbers (arceos-hypervisor/axhvc `HyperCallCode`). */
export const HyperCallCode = {
  HypervisorDisable: 0,
  HyperVisorPrepareDisable: 1,
  HyperVisorDebug: 2,
  HIVCPublishChannel: 3,
  HIVCSubscribChannel: 4,
  HIVCUnPublishChannel: 5,
  HIVCUnSubscribChannel: 6,
} as const;

/** What a hypercall may touch of the calling VM: IVC plus its memory for pointer arguments. */
export interface HypercallVm extends IvcVm {
  readGuest(gpa: number, len: number): AxResult<Uint8Array>;
  writeGuest(gpa: number, data: Uint8Array): AxResult<void>;
}

/** The result the guest gets in a0: 0 for success, -1 (as AxVisor) for any failure. */
export interface HypercallResult {
  readonly value: bigint;
  /** Why it failed, for the log (undefined on success). */
  readonly error?: string;
}

const FAILED = -1n;
const SUCCESS: HypercallResult = { value: 0n };
const fail = (error: string): HypercallResult => ({ value: FAILED, error });

function pointer(v: bigint): number | null {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}

function readU64(vm: HypercallVm, at: bigint): bigint | null {
  const p = pointer(at);
  if (p === null) return null;
  const r = vm.readGuest(p, 8);
  if (!r.ok) return null;
  return new DataView(r.value.buffer, r.value.byteOffset, 8).getBigUint64(0, true);
}

function writeU64(vm: HypercallVm, at: bigint, value: bigint): boolean {
  const p = pointer(at);
  if (p === null) return false;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return vm.writeGuest(p, b).ok;
}

/** Writes a mapping back through the guest's `&base_gpa` and `&size` pointers. */
function reportMapping(
  vm: HypercallVm,
  basePtr: bigint,
  sizePtr: bigint,
  m: AxResult<IvcMapping>,
  undo: () => void,
): HypercallResult {
  if (!m.ok) return fail(m.error.message);
  if (!writeU64(vm, basePtr, BigInt(m.value.gpa)) || !writeU64(vm, sizePtr, BigInt(m.value.size))) {
    undo();
    return fail("the result pointers are not guest memory");
  }
  return SUCCESS;
}

/**
 * Executes AxVisor hypercall `nr` for `vm` (RISC-V: a6 = code, a0..a5 = args). The IVC calls
 * take guest-physical pointers for their in/out arguments. Unknown and unsupported codes
 * return -1, as AxVisor's VMM answers the calls it does not implement.
 */
export function executeHypercall(
  vm: HypercallVm,
  ivc: IvcChannels,
  nr: bigint,
  args: readonly bigint[],
): HypercallResult {
  const a = (i: number) => args[i] ?? 0n;
  switch (nr) {
    case BigInt(HyperCallCode.HIVCPublishChannel): {
      const requested = readU64(vm, a(2));
      if (requested === null) return fail("the size pointer is not guest memory");
      if (requested > BigInt(Number.MAX_SAFE_INTEGER))
        return fail(`channel size ${requested} is too large`);
      const key = a(0);
      return reportMapping(vm, a(1), a(2), ivc.publish(vm, key, Number(requested)), () =>
        ivc.unpublish(vm, key),
      );
    }
    case BigInt(HyperCallCode.HIVCSubscribChannel): {
      const publisher = pointer(a(0));
      if (publisher === null) return fail(`no VM ${a(0)}`);
      const key = a(1);
      return reportMapping(vm, a(2), a(3), ivc.subscribe(vm, publisher, key), () =>
        ivc.unsubscribe(vm, publisher, key),
      );
    }
    case BigInt(HyperCallCode.HIVCUnPublishChannel): {
      const r = ivc.unpublish(vm, a(0));
      return r.ok ? SUCCESS : fail(r.error.message);
    }
    case BigInt(HyperCallCode.HIVCUnSubscribChannel): {
      const publisher = pointer(a(0));
      if (publisher === null) return fail(`no VM ${a(0)}`);
      const r = ivc.unsubscribe(vm, publisher, a(1));
      return r.ok ? SUCCESS : fail(r.error.message);
    }
    case BigInt(HyperCallCode.HypervisorDisable):
    case BigInt(HyperCallCode.HyperVisorPrepareDisable):
    case BigInt(HyperCallCode.HyperVisorDebug):
      return fail(`hypercall ${nr} is not supported`);
    default:
      return fail(`unknown hypercall ${nr}`);
  }
}
