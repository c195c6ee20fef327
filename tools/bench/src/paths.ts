import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tools/bench/src or dist -> ../../..). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const DEMO_GUEST = resolve(REPO_ROOT, "guests/riscv64/demo/demo.elf");

export function vmConfigPath(name: string): string {
  return resolve(REPO_ROOT, "configs/vms", name);
}

/** Files a VM config refers to, resolved from the config's folder as the VMM resolves them. */
export interface ConfigImages {
  readonly kernel: string | undefined;
  readonly ramdisk: string | undefined;
}

/**
 * Reads kernel_path and ramdisk_path from a VM config. Only to check the files exist and to
 * hand the same files to QEMU; the VMM itself parses the config properly.
 */
export function configImages(configPath: string): ConfigImages {
  const text = readFileSync(configPath, "utf8");
  const get = (key: string) => {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, "m").exec(text);
    return m?.[1] === undefined ? undefined : resolve(dirname(configPath), m[1]);
  };
  return { kernel: get("kernel_path"), ramdisk: get("ramdisk_path") };
}

/** Why a Linux config cannot run here (missing config or images), or undefined. */
export function linuxConfigProblem(configPath: string): string | undefined {
  if (!existsSync(configPath)) return `no VM config ${configPath}`;
  const { kernel, ramdisk } = configImages(configPath);
  if (kernel === undefined) return `${configPath} names no kernel_path`;
  for (const f of [kernel, ramdisk]) {
    if (f !== undefined && !existsSync(f))
      return `guest image ${f} is not there (no shared/guests on this machine)`;
  }
  return undefined;
}
