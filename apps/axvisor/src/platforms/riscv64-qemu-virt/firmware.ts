import { axErr } from "@axvisor/axerrno";
import { hostFiles } from "../../host/host-files.js";

/** Debian's OpenSBI for QEMU virt (package `opensbi`), what `-bios default` means. */
export const DEFAULT_BIOS = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

/** The firmware file for a `-bios` value, or undefined for `none`. */
export function resolveBios(
  spec: string,
  exists: (path: string) => boolean = (path) => hostFiles().exists(path),
): string | undefined {
  if (spec === "none") return undefined;
  if (spec !== "default") return spec;
  if (!exists(DEFAULT_BIOS)) {
    throw axErr(
      "NotFound",
      `-bios default: ${DEFAULT_BIOS} is not installed; install OpenSBI with ` +
        "'apt-get install opensbi', or pass -bios FILE, or -bios none to run -kernel in M-mode",
    );
  }
  return DEFAULT_BIOS;
}
