import type { HartExtensions } from "@axvisor/cpu-riscv64";

/**
 * The `riscv,isa` string for the emulated hart: QEMU 7.2 says
 * `rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc`; the hart has no bit
 * manipulation (Zba/Zbb/Zbc/Zbs), and H and Sstc follow its configuration.
 */
export function virtIsaString(ext: HartExtensions = {}): string {
  const h = ext.h ?? true;
  const sstc = ext.sstc ?? true;
  return `rv64imafdc${h ? "h" : ""}_zicsr_zifencei_zihintpause${sstc ? "_sstc" : ""}`;
}

/** The hart translates Sv39 and Sv48; the device tree names the largest. */
export const VIRT_MMU_TYPE = "riscv,sv48";
