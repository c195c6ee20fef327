#!/usr/bin/env node
/**
 * The child side of one measurement: `node child.js '<job json>'`. Runs the job and prints
 * its JobResult as one line after RESULT_PREFIX on stdout (nothing else goes to stdout).
 */
import { type Job, type JobResult, RESULT_PREFIX } from "./job.js";
import { runEmuBoot } from "./jobs/emu-boot.js";
import { runEmuParallel } from "./jobs/emu-parallel.js";
import { runEmuWorkload } from "./jobs/emu-workload.js";
import { runVmmJob } from "./jobs/vmm.js";
import { runVmmParallel } from "./jobs/vmm-parallel.js";
import { runVmmX86 } from "./jobs/vmm-x86.js";

async function runJob(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case "emu-workload":
      return runEmuWorkload(job);
    case "emu-boot":
      return runEmuBoot(job);
    case "emu-parallel":
      return runEmuParallel(job);
    case "vmm-parallel":
      return runVmmParallel(job);
    case "vmm-workload":
    case "vmm-boot":
    case "vmm-start":
    case "vmm-idle-rss":
      return runVmmJob(job);
    case "vmm-x86":
      return runVmmX86(job);
    default: {
      const never: never = job;
      return { ok: false, why: `unknown job ${JSON.stringify(never)}` };
    }
  }
}

async function main(): Promise<void> {
  let result: JobResult;
  try {
    const text = process.argv[2];
    if (text === undefined) throw new Error("usage: child.js '<job json>'");
    result = await runJob(JSON.parse(text) as Job);
  } catch (e) {
    result = { ok: false, why: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  // A VM left running (timers, idle waits) must not keep the child alive.
  process.exit(0);
}

await main();
