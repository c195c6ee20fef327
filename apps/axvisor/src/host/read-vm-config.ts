import { axErr } from "@axvisor/axerrno";
import { type AxVMCrateConfig, parseAxVMConfig, resolveConfigPath } from "@axvisor/axvmconfig";
import { hostFiles } from "./host-files.js";

/**
 * Reads, parses and validates a VM config file from the host's files (the shell's
 * `vm create PATH`): an `AxVMConfigError` with every problem for an invalid file, an `AxError`
 * when it cannot be read.
 */
export async function readVmConfig(path: string): Promise<AxVMCrateConfig> {
  const source = resolveConfigPath({}, path);
  let bytes: Uint8Array;
  try {
    bytes = hostFiles().readFile(source);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw axErr(
      code === "ENOENT" ? "NotFound" : code === "EACCES" ? "PermissionDenied" : "Io",
      `${path}: cannot read: ${(e as Error).message}`,
      e,
    );
  }
  return parseAxVMConfig(new TextDecoder().decode(bytes), { file: path, source });
}
