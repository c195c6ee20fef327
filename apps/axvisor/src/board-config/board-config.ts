import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { AxError, axErr } from "@axvisor/axerrno";
import { LOG_LEVELS, type LogLevel } from "@axvisor/axvisor-api";
import {
  type ConfigProblem,
  formatProblem,
  formatSize,
  parseSize,
  TomlLocator,
} from "@axvisor/axvmconfig";
import { parse, TomlError } from "smol-toml";
import { platforms } from "../platforms/index.js";

/** The boards AxVisor.ts can emulate to run on (the registered platforms' names). */
export const KNOWN_PLATFORMS: readonly string[] = platforms.names;
export type BoardPlatform = string;

/**
 * The machine the hypervisor runs on (AxVisor's `configs/board/*.toml`). AxVisor picks these
 * at build time; here they size the emulated board that `axvisor run` starts.
 */
export interface BoardConfig {
  readonly platform: BoardPlatform;
  /** The file names the platform (otherwise the VMs' architecture may choose it). */
  readonly platformGiven: boolean;
  /** Physical harts of the board (AxVisor: `smp`). */
  readonly cpuNum: number;
  /** Bytes of board RAM: VM memory and nested page tables come from it. */
  readonly memorySize: number;
  /** Most verbose log level printed (AxVisor: `log`, its AX_LOG). */
  readonly logLevel: LogLevel;
  /** VM configs to start when the command line names none; absolute paths. */
  readonly vmConfigs: readonly string[];
  /** AxVisor build-only fields present in the file, which have no meaning here. */
  readonly ignoredFields: readonly string[];
  /** The file it was read from (absolute), if any. */
  readonly source?: string;
}

export const BOARD_DEFAULTS = {
  platform: "riscv64-qemu-virt",
  cpuNum: 2,
  memorySize: 1024 * 1024 * 1024,
  logLevel: "warn",
} as const satisfies Partial<BoardConfig>;

const MIN_MEMORY = 16 * 1024 * 1024;
const MAX_MEMORY = 4 * 1024 * 1024 * 1024;

/** Fields of AxVisor's board files that only steer its Rust build. */
const AXVISOR_BUILD_FIELDS = ["target", "features", "cargo_args", "to_bin", "env", "max_cpu_num"];
const FIELDS = ["platform", "cpu_num", "smp", "memory", "log", "vm_configs"];

/** Thrown for an invalid board file; carries every problem found (one line each). */
export class BoardConfigError extends AxError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super("InvalidInput", problems.map(formatProblem).join("\n"));
    this.problems = problems;
  }
}

/** The board `axvisor run` uses when no board file is given. */
export function defaultBoardConfig(): BoardConfig {
  return { ...BOARD_DEFAULTS, platformGiven: false, vmConfigs: [], ignoredFields: [] };
}

export interface ParseBoardConfigOptions {
  /** Names the file in messages (default "<board>"). */
  readonly file?: string;
  /** Absolute path of the file: relative vm_configs resolve against its folder. */
  readonly source?: string;
}

const describe = (v: unknown): string =>
  typeof v === "string"
    ? JSON.stringify(v)
    : typeof v === "bigint"
      ? v.toString()
      : typeof v === "object"
        ? Array.isArray(v)
          ? "an array"
          : "a table"
        : String(v);

/**
 * Parses a board file. Every field is optional (see BOARD_DEFAULTS). Throws a
 * BoardConfigError listing every problem with its line.
 */
export function parseBoardConfig(text: string, opts: ParseBoardConfigOptions = {}): BoardConfig {
  const file = opts.file ?? "<board>";
  let doc: Record<string, unknown>;
  try {
    doc = parse(text, { integersAsBigInt: true }) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split("\n")[0] ?? e.message;
      throw new BoardConfigError([
        { file, line: e.line, column: e.column, field: "", message: first },
      ]);
    }
    throw e;
  }
  const locator = new TomlLocator(text);
  const problems: ConfigProblem[] = [];
  const report = (field: string, message: string) =>
    problems.push({ file, line: locator.nearestLine([field]), field, message });

  const ignoredFields: string[] = [];
  for (const key of Object.keys(doc)) {
    if (AXVISOR_BUILD_FIELDS.includes(key)) ignoredFields.push(key);
    else if (!FIELDS.includes(key)) {
      report(
        key,
        `unknown field; a board file has ${FIELDS.filter((f) => f !== "smp").join(", ")}`,
      );
    }
  }

  let platform: BoardPlatform = BOARD_DEFAULTS.platform;
  if (doc.platform !== undefined) {
    const p = doc.platform;
    const known = typeof p === "string" ? platforms.find(p) : undefined;
    if (known !== undefined) {
      platform = known.name;
    } else {
      report(
        "platform",
        `unknown platform ${describe(p)}; known platforms: ${KNOWN_PLATFORMS.join(", ")}`,
      );
    }
  }

  let cpuNum: number = BOARD_DEFAULTS.cpuNum;
  if (doc.cpu_num !== undefined && doc.smp !== undefined) {
    report("smp", "give cpu_num or AxVisor's smp, not both");
  }
  const cpuKey = doc.cpu_num !== undefined ? "cpu_num" : "smp";
  const cpuValue = doc[cpuKey];
  const maxCpus = platforms.get(platform).maxCpus;
  if (cpuValue !== undefined) {
    if (typeof cpuValue === "bigint" && cpuValue >= 1n && cpuValue <= BigInt(maxCpus)) {
      cpuNum = Number(cpuValue);
    } else {
      report(cpuKey, `the ${platform} board has 1..${maxCpus} CPUs, got ${describe(cpuValue)}`);
    }
  }

  let memorySize: number = BOARD_DEFAULTS.memorySize;
  if (doc.memory !== undefined) {
    const m = doc.memory;
    const bytes =
      typeof m === "bigint"
        ? m <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(m)
          : undefined
        : typeof m === "string"
          ? parseSize(m)
          : undefined;
    if (bytes === undefined) {
      report("memory", `expected a size like "1G", "512M" or a byte count, got ${describe(m)}`);
    } else if (bytes < MIN_MEMORY || bytes > MAX_MEMORY || bytes % 4096 !== 0) {
      report(
        "memory",
        `must be a multiple of 4 KiB from ${formatSize(MIN_MEMORY)} to ${formatSize(MAX_MEMORY)}, got ${describe(m)}`,
      );
    } else {
      memorySize = bytes;
    }
  }

  let logLevel: LogLevel = BOARD_DEFAULTS.logLevel;
  if (doc.log !== undefined) {
    const l = doc.log;
    const text = typeof l === "string" ? l.toLowerCase() : undefined;
    const lower = text === "warning" ? "warn" : text;
    if (lower !== undefined && (LOG_LEVELS as readonly string[]).includes(lower)) {
      logLevel = lower as LogLevel;
    } else {
      report("log", `unknown log level ${describe(l)}; use one of ${LOG_LEVELS.join(", ")}`);
    }
  }

  const vmConfigs: string[] = [];
  if (doc.vm_configs !== undefined) {
    const v = doc.vm_configs;
    if (!Array.isArray(v) || !v.every((p) => typeof p === "string" && p.length > 0)) {
      report("vm_configs", `expected an array of file paths, got ${describe(v)}`);
    } else {
      const base = opts.source === undefined ? process.cwd() : dirname(opts.source);
      for (const p of v as string[]) vmConfigs.push(isAbsolute(p) ? p : resolve(base, p));
    }
  }

  if (problems.length > 0) throw new BoardConfigError(problems.sort((a, b) => a.line - b.line));
  return {
    platform,
    platformGiven: doc.platform !== undefined,
    cpuNum,
    memorySize,
    logLevel,
    vmConfigs,
    ignoredFields,
    ...(opts.source !== undefined ? { source: opts.source } : {}),
  };
}

/**
 * The board config in `path`, or the defaults when no path is given (so `axvisor run vm.toml`
 * needs nothing else). Throws an AxError naming the file when it cannot be read, and a
 * BoardConfigError when it is invalid.
 */
export function loadBoardConfig(path?: string): BoardConfig {
  if (path === undefined) return defaultBoardConfig();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw axErr(
      code === "ENOENT" ? "NotFound" : code === "EACCES" ? "PermissionDenied" : "Io",
      `cannot read the board config ${path}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`,
      e,
    );
  }
  return parseBoardConfig(text, { file: path, source: resolve(path) });
}
