import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

export interface MachineInfo {
  readonly cpu_model: string;
  readonly cores: number;
  readonly memory_gb: number;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
  /** 1/5/15-minute load averages when the benchmark started: other work on the machine. */
  readonly loadavg_start: readonly number[];
  loadavg_end?: readonly number[];
  readonly git_commit: string | undefined;
  readonly qemu: string | undefined;
}

export function machineInfo(qemu: string | undefined): MachineInfo {
  const cpus = os.cpus();
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  return {
    cpu_model: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism?.() ?? cpus.length,
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadavg_start: os.loadavg().map((l) => Math.round(l * 100) / 100),
    git_commit: git.status === 0 ? git.stdout.trim() : undefined,
    qemu,
  };
}

export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/**
 * Whether the built CPU reads AXVISOR_JIT at all (its dist mentions the variable). Until a
 * JIT exists it does not, and the interpreter rows measure the same interpreter as the rest.
 */
export function cpuHonoursJitSwitch(): boolean {
  const dist = join(REPO_ROOT, "packages/cpu-riscv64/dist");
  if (!existsSync(dist)) return false;
  const walk = (dir: string): boolean =>
    readdirSync(dir).some((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return walk(p);
      return name.endsWith(".js") && readFileSync(p, "utf8").includes("AXVISOR_JIT");
    });
  return walk(dist);
}
