import { axErr } from "@axvisor/axerrno";
import type { LogLevel } from "@axvisor/axvisor-api";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { loadBoardConfig } from "../board-config/index.js";
import { UsageError } from "../errors.js";
import { defaultGuestOf } from "../platform/host-of.js";
import type { HostPlatform } from "../platform/host-platform.js";
import { platforms } from "../platforms/index.js";
import { type OpenedSnapshot, readSnapshotFile } from "../snapshot/index.js";
import { guestArchOf } from "./guest-arch.js";
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
  readonly platform: HostPlatform;
  readonly harts: number;
  readonly memory: number;
  readonly logLevel: LogLevel;
  readonly vms: readonly VmToCreate[];
  /** The snapshot `--restore` names, read and checked. */
  readonly restore?: OpenedSnapshot;
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
 * The host platform: `--platform`, else the board file's `platform`, else the one of the
 * architecture the VMs' kernels are built for (so an aarch64 config runs on the aarch64
 * board by itself), else the default board's.
 */
function choosePlatform(
  opts: VmmCommandOptions,
  boardPlatform: string,
  boardGiven: boolean,
  vms: readonly VmToCreate[],
): HostPlatform {
  if (opts.platform !== undefined) {
    const p = platforms.find(opts.platform);
    if (p === undefined) {
      throw new UsageError(
        `unknown platform '${opts.platform}'; known platforms: ${platforms.names.join(", ")}`,
      );
    }
    return p;
  }
  if (boardGiven) return platforms.get(boardPlatform);
  const found = new Map<string, string>();
  for (const v of vms) {
    const arch = guestArchOf(v.config);
    if (arch !== undefined && !found.has(arch)) found.set(arch, v.config.base.name);
  }
  if (found.size > 1) {
    const list = [...found].map(([a, n]) => `"${n}" is ${a}`).join(", ");
    throw axErr(
      "InvalidInput",
      `the VMs need different architectures (${list}); one host runs one`,
    );
  }
  const [only] = found;
  if (only === undefined) return platforms.get(boardPlatform);
  const [arch, name] = only;
  const p = platforms.forArch(arch as HostPlatform["arch"]);
  if (p === undefined) {
    throw axErr(
      "Unsupported",
      `VM "${name}" is an ${arch} guest, but this axvisor has no ${arch} platform (it has ${platforms.all.map((q) => `${q.name} (${q.arch})`).join(", ")})`,
    );
  }
  return p;
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
  const vms: VmToCreate[] = [];
  const restore = opts.restore === undefined ? undefined : readSnapshotFile(opts.restore, null);
  if (opts.defaultGuest && restore !== undefined) {
    throw new UsageError("--default-guest and --restore each name the VM to run; give one");
  }
  if (opts.defaultGuest) {
    if (opts.configs.length > 0) {
      throw new UsageError(
        "--default-guest runs the built-in demo alone; give it or config files, not both",
      );
    }
    const p = platforms.get(opts.platform ?? board.platform);
    vms.push(defaultGuestOf(p));
  } else {
    const paths = opts.configs.length > 0 || restore !== undefined ? opts.configs : board.vmConfigs;
    if (paths.length === 0 && command === "run" && restore === undefined) {
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
  const all = [...vms.map((v) => v.config), ...(restore !== undefined ? [restore.config] : [])];
  const memory = opts.memory ?? Math.max(board.memorySize, memoryToFit(all));
  const platform =
    restore !== undefined && opts.platform === undefined && !board.platformGiven
      ? platformOfSnapshot(restore)
      : choosePlatform(opts, board.platform, board.platformGiven, vms);
  const harts = opts.cpus ?? Math.min(board.cpuNum, platform.maxCpus);
  if (harts > platform.maxCpus) {
    throw new UsageError(
      `--cpus: the ${platform.name} board has 1..${platform.maxCpus} CPUs, not ${harts}`,
    );
  }
  return { platform, harts, memory, logLevel, vms, ...(restore !== undefined ? { restore } : {}) };
}

/** The platform a snapshot was taken on, which `run --restore` builds unless told otherwise. */
function platformOfSnapshot(snap: OpenedSnapshot): HostPlatform {
  const p = platforms.find(snap.platform) ?? platforms.forArch(snap.arch);
  if (p === undefined) {
    throw axErr(
      "Unsupported",
      `snapshot ${snap.file} was taken on ${snap.platform}, which this axvisor does not have`,
    );
  }
  return p;
}
