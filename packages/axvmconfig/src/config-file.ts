import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { axErr } from "@axvisor/axerrno";
import { type CheckResult, checkAxVMConfig, parseAxVMConfig } from "./parse.js";
import type { AxVMCrateConfig } from "./types.js";

async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw axErr(
      code === "ENOENT" ? "NotFound" : code === "EACCES" ? "PermissionDenied" : "Io",
      `${path}: cannot read: ${(e as Error).message}`,
      e,
    );
  }
}

/**
 * Reads, parses and validates a config file; `source` is set to its absolute path. Throws an
 * `AxVMConfigError` (with every problem) for an invalid file, an `AxError` when unreadable.
 */
export async function loadAxVMConfig(path: string): Promise<AxVMCrateConfig> {
  const text = await readConfigText(path);
  return parseAxVMConfig(text, { file: path, source: resolve(path) });
}

/** `checkAxVMConfig` for a file; only an unreadable file throws. */
export async function checkAxVMConfigFile(path: string): Promise<CheckResult & { text: string }> {
  const text = await readConfigText(path);
  return { ...checkAxVMConfig(text, { file: path, source: resolve(path) }), text };
}
