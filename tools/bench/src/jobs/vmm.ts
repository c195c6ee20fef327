import type { Job, JobResult } from "../job.js";

type VmmJob = Extract<Job, { kind: "vmm-workload" | "vmm-boot" | "vmm-start" | "vmm-idle-rss" }>;

/** Guests under the hypervisor. */
export async function runVmmJob(job: VmmJob): Promise<JobResult> {
  return {
    ok: false,
    why: `the hypervisor has no VM API yet (apps/axvisor/src/vmm), cannot run ${job.kind}`,
  };
}
