import { type BaseSysRegDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import { type SysRegAddrRange, sysRegAddrRange } from "@axvisor/memory-addr";

/** IA32_BIOS_SIGN_ID: the loaded microcode update's revision (bits 63:32). */
export const MSR_BIOS_SIGN_ID = 0x8b;

/**
 * IA32_BIOS_SIGN_ID for a VM: no microcode update is loaded, so the revision reads 0; writes
 * are accepted and dropped (the architected way to read the revision is to write 0, run
 * CPUID leaf 1, then read). Linux does exactly that early in boot and would report the #GP
 * of a missing MSR otherwise.
 */
export class MicrocodeRevisionMsr implements BaseSysRegDeviceOps {
  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): SysRegAddrRange {
    return sysRegAddrRange(MSR_BIOS_SIGN_ID, MSR_BIOS_SIGN_ID);
  }

  handleRead(): bigint {
    return 0n;
  }

  handleWrite(): void {}
}
