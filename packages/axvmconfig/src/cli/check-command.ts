import { resolve } from "node:path";
import { formatHex } from "@axvisor/memory-addr";
import { checkAxVMConfigFile } from "../config-file.js";
import { formatProblem } from "../config-problem.js";
import { checkImageFiles } from "../image-check.js";
import { formatSize } from "../integer.js";
import type { AxVMCrateConfig } from "../types.js";
import type { CliIo } from "./io.js";

export interface CheckOptions {
  /** Also check that "memory" image files exist and fit where they are loaded. */
  images?: boolean;
}

/** `axvmconfig check FILE...`: one summary line per valid file, one line per problem. */
export async function checkCommand(
  files: string[],
  options: CheckOptions,
  io: CliIo,
): Promise<number> {
  let failed = false;
  for (const file of files) {
    let result: Awaited<ReturnType<typeof checkAxVMConfigFile>>;
    try {
      result = await checkAxVMConfigFile(resolve(io.cwd, file));
    } catch (e) {
      io.stderr.write(`${file}: cannot read: ${describeReadError(e)}\n`);
      failed = true;
      continue;
    }
    // Messages name the file as the user typed it.
    let problems = result.ok ? [] : result.problems.map((p) => ({ ...p, file }));
    if (result.ok && options.images) {
      problems = await checkImageFiles(result.config, file, result.text);
    }
    if (result.ok && problems.length === 0) {
      io.stdout.write(`${file}: ok (${summary(result.config)})\n`);
    } else {
      for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** `linux-qemu, 2 vCPUs, memory 256 MiB at 0x8000_0000`. */
export function summary(config: AxVMCrateConfig): string {
  const { base, kernel } = config;
  const regions = kernel.memoryRegions;
  const total = regions.reduce((sum, r) => sum + r.size, 0);
  const memory =
    regions.length === 1
      ? `memory ${formatSize(total)} at ${formatHex((regions[0] as { gpa: number }).gpa)}`
      : `memory ${formatSize(total)} in ${regions.length} regions`;
  return `${base.name}, ${base.cpuNum} vCPU${base.cpuNum === 1 ? "" : "s"}, ${memory}`;
}

function describeReadError(e: unknown): string {
  const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
  if (cause?.code === "ENOENT") return "no such file";
  if (cause?.code === "EISDIR") return "is a directory";
  if (cause?.code === "EACCES") return "permission denied";
  return cause?.message ?? String(e);
}
