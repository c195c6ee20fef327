import { axErr } from "@axvisor/axerrno";
import type { LogLevel } from "@axvisor/axvisor-api";
import { type AxVMCrateConfig, loadAxVMConfig } from "@axvisor/axvmconfig";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { KNOWN_PLATFORMS, loadBoardConfig } from "../board-config/index.js";
import { UsageError } from "../errors.js";
import { defaultGuestConfig, defaultGuestDisk } from "./default-guest.js";
import type { VmmCommandOptions } from "./run-options.js";
import { allocatedBytes } from "./vmm.js";
import { parseLogLevel } from "./vmm-log.js";

/** One VM to create: its config and, for the built-in demo, its in-memory disk. */
export interface VmToCreate {
  readonly config: AxVMCrateConfig;
  readonly disk?: BlockBacking;
}

/** Everything needed to build the host and its VMs, resolved from options and board config. */
export interface HostPlan {
  readonly platform: string;
  readonly harts: number;
  readonly memory: number;
  readonly logLevel: LogLevel;
  readonly vms: readonly VmToCreate[];
}

const MiB = 1024 * 1024;

/**
 * Host RAM for a set of VMs: their memory plus room for nested page tables, the two 2 MiB
 * blocks the host keeps for itself, and slack, in whole 16 MiB.
 */
export function memoryToFit(configs: readonly AxVMCrateConfig[]): number {
  const vms = configs.reduce((n, c) => n + allocatedBytes(c), 0);
  const need = vms + Math.ceil(vms / 32) + 2 * PAGE_SIZE_2M + 16 * MiB;
  return Math.ceil(need / (16 * MiB)) * 16 * MiB;
}

/**
 * Resolves what to run: the board config (`--board`, else the built-in defaults), the platform,
 * harts, memory (at least what the VMs need unless `--memory` says otherwise), the log level
 * (`--log`, then `LOG=`, then the board's) and the VM configs (the command line's, else the
 * board's vm_configs). Throws UsageError or AxError with a one-line reason.
 */
export async function planHost(
  opts: VmmCommandOptions,
  env: NodeJS.ProcessEnv,
  command: "run" | "shell",
): Promise<HostPlan> {
  const board = loadBoardConfig(opts.board);
  const platform = opts.platform ?? board.platform;
  if (!(KNOWN_PLATFORMS as readonly string[]).includes(platform)) {
    throw new UsageError(
      `unknown platform '${platform}'; known platforms: ${KNOWN_PLATFORMS.join(", ")}`,
    );
  }
  const vms: VmToCreate[] = [];
  if (opts.defaultGuest) {
    if (opts.configs.length > 0) {
      throw new UsageError(
        "--default-guest runs the built-in demo alone; give it or config files, not both",
      );
    }
    vms.push({ config: defaultGuestConfig(), disk: defaultGuestDisk() });
  } else {
    const paths = opts.configs.length > 0 ? opts.configs : board.vmConfigs;
    if (paths.length === 0 && command === "run") {
      throw new UsageError(
        "nothing to run: give VM config files or --default-guest (see axvisor run --help)",
      );
    }
    const seen = new Map<number, string>();
    for (const path of paths) {
      const config = await loadAxVMConfig(path);
      const other = seen.get(config.base.id);
      if (other !== undefined) {
        throw axErr(
          "InvalidInput",
          `${path}: VM id ${config.base.id} is already used by ${other}; ids must be unique`,
        );
      }
      seen.set(config.base.id, path);
      vms.push({ config });
    }
  }
  const envLog = env.LOG;
  const logLevel =
    opts.log ??
    (envLog !== undefined && envLog !== "" ? parseLogLevel(envLog, "LOG") : board.logLevel);
  const memory = opts.memory ?? Math.max(board.memorySize, memoryToFit(vms.map((v) => v.config)));
  return { platform, harts: opts.cpus ?? board.cpuNum, memory, logLevel, vms };
}
