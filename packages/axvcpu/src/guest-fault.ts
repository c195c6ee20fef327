import type { AxError } from "@axvisor/axerrno";
import type {
  IoReadExit,
  IoWriteExit,
  MmioReadExit,
  MmioWriteExit,
  NestedPageFaultExit,
  SysRegReadExit,
  SysRegWriteExit,
} from "./exit-reason.js";

/** The exits that describe a guest access the VMM may be unable to serve. */
export type AccessExit =
  | MmioReadExit
  | MmioWriteExit
  | SysRegReadExit
  | SysRegWriteExit
  | IoReadExit
  | IoWriteExit
  | NestedPageFaultExit;

/**
 * A guest access that nothing serves: no device at the address, a device that refused the
 * access, or a nested page fault outside any guest memory. On real hardware such an access
 * ends in a bus error the guest sees; it must never take the host down.
 *
 * The backend turns it into its architecture's exception for the access that `exit`
 * reported (RISC-V load/store/instruction access fault or illegal instruction for a CSR,
 * AArch64 synchronous external abort or undefined instruction, x86 #GP), delivered to the
 * guest's own trap handler.
 */
export interface GuestFault {
  /** The exit, as the backend returned it from its latest `run()`. */
  readonly exit: AccessExit;
  /** Why the access failed (kind BadAddress for a hole, or the device's own error). */
  readonly error: AxError;
}
