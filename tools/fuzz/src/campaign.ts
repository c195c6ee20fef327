/**
 * Fuzz cases and campaigns: case i of seed S is always the same program, run under the
 * hypervisor (beside the canary) and on the bare machine; a failing case is minimised by
 * replacing stretches of its code with NOPs for as long as the same kind of finding remains.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { a64Program, assembleA64, runBareA64 } from "./aarch64.js";
import { runBare } from "./bare-run.js";
import type { Finding } from "./finding.js";
import {
  assemble,
  type FuzzProgram,
  mutatedImage,
  programWords,
  randomProgram,
  withNops,
} from "./generate.js";
import { runUnderHypervisor } from "./hypervisor-run.js";
import { Rng } from "./rng.js";
import { assembleX86, runBareX86, x86Program } from "./x86.js";

export type FuzzTargets = "both" | "guest" | "bare";

/** The guest architecture: riscv64 (both targets); aarch64 and x86_64 on the bare board only, so far. */
export type FuzzArch = "riscv64" | "aarch64" | "x86_64";

export interface CaseOptions {
  readonly budget?: number;
  readonly targets?: FuzzTargets;
  readonly arch?: FuzzArch;
}

export interface CaseResult {
  readonly index: number;
  readonly program: FuzzProgram;
  readonly findings: Finding[];
  /** One line: how each target ended, for logs and determinism checks. */
  readonly summary: string;
}

/** The project's own guest images, mutated as a second source of cases. */
const IMAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../guests/riscv64");
const IMAGES = ["sbi-test", "fault-test", "demo", "ivc-test"]
  .map((name) => ({ name, path: resolve(IMAGE_DIR, name, `${name}.bin`) }))
  .filter((i) => existsSync(i.path))
  .map((i) => ({ name: i.name, bytes: new Uint8Array(readFileSync(i.path)) }));

/**
 * Case `index` of a campaign with `seed`: a random program, or (riscv64, one case in four) a
 * mutated image.
 */
export function programFor(seed: number, index: number, arch: FuzzArch = "riscv64"): FuzzProgram {
  const rng = Rng.forCase(seed, index);
  if (arch === "aarch64") return a64Program(rng);
  if (arch === "x86_64") return x86Program(rng);
  if (IMAGES.length > 0 && rng.below(4) === 0) {
    const img = rng.pick(IMAGES);
    return mutatedImage(rng, img.name, img.bytes);
  }
  return randomProgram(rng);
}

/** The canary's secret for a case (different in every case, so no program can know it). */
function secretFor(seed: number, index: number): Uint8Array {
  return Rng.forCase(seed ^ 0x5ec7_e700, index).bytes(64);
}

export async function runProgram(
  program: FuzzProgram,
  secret: Uint8Array,
  options: CaseOptions = {},
): Promise<{ findings: Finding[]; summary: string }> {
  const targets = options.targets ?? "both";
  const findings: Finding[] = [];
  const parts: string[] = [];
  if (options.arch === "aarch64") {
    const r = await runBareA64(assembleA64(program), options.budget);
    findings.push(...r.findings.map((f) => ({ ...f, detail: `bare aarch64 board: ${f.detail}` })));
    return { findings, summary: `bare ${r.end} after ${r.instructions} insns` };
  }
  if (options.arch === "x86_64") {
    const r = await runBareX86(assembleX86(program), options.budget);
    findings.push(...r.findings.map((f) => ({ ...f, detail: `bare x86_64 board: ${f.detail}` })));
    return { findings, summary: `bare ${r.end} after ${r.instructions} insns` };
  }
  if (targets !== "bare") {
    const r = await runUnderHypervisor(assemble(program, "guest"), {
      secret,
      ...(options.budget !== undefined ? { budget: options.budget } : {}),
    });
    findings.push(...r.findings);
    parts.push(
      `guest ${r.end?.kind ?? "none"} after ${r.instructions} insns, canary ${r.canaryCount}`,
    );
  }
  if (targets !== "guest") {
    const r = await runBare(assemble(program, "bare"), options.budget);
    findings.push(...r.findings.map((f) => ({ ...f, detail: `bare machine: ${f.detail}` })));
    parts.push(`bare ${r.end} after ${r.instructions} insns`);
  }
  return { findings, summary: parts.join("; ") };
}

export async function runCase(
  seed: number,
  index: number,
  options: CaseOptions = {},
): Promise<CaseResult> {
  const program = programFor(seed, index, options.arch);
  const r = await runProgram(program, secretFor(seed, index), options);
  return { index, program, ...r };
}

/**
 * The smallest variant of a failing case found by NOP-ing out halves, quarters, ... of its
 * words while a finding of the same kind remains (at most `maxRuns` reruns).
 */
export async function minimise(
  seed: number,
  failing: CaseResult,
  options: CaseOptions = {},
  maxRuns = 400,
): Promise<{ program: FuzzProgram; findings: Finding[]; runs: number }> {
  const kind = failing.findings[0]?.kind;
  const secret = secretFor(seed, failing.index);
  let best = failing.program;
  let bestFindings = failing.findings;
  let runs = 0;
  const n = programWords(best);
  for (let chunk = Math.max(1, n >> 1); chunk >= 1 && runs < maxRuns; chunk >>= 1) {
    for (let from = 0; from < n && runs < maxRuns; from += chunk) {
      const candidate = withNops(best, from, Math.min(n, from + chunk));
      runs++;
      const r = await runProgram(candidate, secret, options);
      const same = r.findings.filter((f) => f.kind === kind);
      if (same.length > 0) {
        best = candidate;
        bestFindings = same;
      }
    }
  }
  return { program: best, findings: bestFindings, runs };
}

/** NOP words of each architecture: riscv64 `addi x0, x0, 0`, A64 NOP, four x86 NOPs. */
const NOP_WORDS = new Set([0x13, 0xd503201f, 0x90909090]);

/** Words of a program that are not NOPs, as `index: hex` lines (the reproducer to read). */
export function describeProgram(program: FuzzProgram): string[] {
  if (program.kind === "image") {
    const view = new DataView(
      program.bytes.buffer,
      program.bytes.byteOffset,
      program.bytes.byteLength,
    );
    const lines = [`mutated ${program.name}.bin, ${program.bytes.length} bytes`];
    return lines.concat(
      `(non-NOP words are the whole image; see the saved JSON)`,
      `first word 0x${view.getUint32(0, true).toString(16)}`,
    );
  }
  const lines = [`random program, ${program.body.length} body words; live words:`];
  program.body.forEach((w, i) => {
    if (!NOP_WORDS.has(w)) lines.push(`  body[${i}] = 0x${w.toString(16).padStart(8, "0")}`);
  });
  lines.push(
    `registers: ${program.regs.map((r) => `0x${BigInt.asUintN(64, r).toString(16)}`).join(" ")}`,
  );
  return lines;
}
