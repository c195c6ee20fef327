/** Command-line options of `pnpm fuzz`. */
import type { FuzzArch, FuzzTargets } from "./campaign.js";

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  /** Run only this case of the seed (to reproduce a finding). */
  readonly only?: number;
  readonly budget: number;
  readonly targets: FuzzTargets;
  readonly arch: FuzzArch;
  /** Where findings are saved as JSON. */
  readonly out: string;
  readonly minimise: boolean;
  /** Let the hart compile hot code (results then depend on what it compiled before). */
  readonly jit: boolean;
  /** Worker threads the cases are spread over (1: all in this thread). */
  readonly jobs: number;
  readonly help: boolean;
}

export const FUZZ_HELP = `usage: pnpm fuzz [options]

Runs random and mutated guest code under the hypervisor (beside a canary VM) and on the bare
machine, and checks that the host never throws or hangs, that every run ends with a defined
status, that the canary keeps running with its memory intact, and that the fuzzed VM can reach
nothing of the canary's. Exit status 0: every case clean; 1: a finding (printed with its seed
and a minimal reproducer, and saved as JSON); 2: bad options.

options:
  --cases N        cases to run (default 1000)
  --seed S         campaign seed, 0..2^32-1 (default 1); case i of seed S is always the same
  --case I         run only case I of the seed (reproduce a finding)
  --budget N       instructions per case (default 100000)
  --targets T      both (default), guest (hypervisor only) or bare (bare machine only)
  --arch A         riscv64 (default), aarch64 (random A64 code on the bare virt board at EL2)
                   or x86_64 (random x86 code on the bare q35 board, 32-bit protected mode);
                   aarch64 and x86_64 are not yet fuzzed under the hypervisor
  --out DIR        where findings are saved (default: fuzz-findings)
  --jobs N         run the cases in N worker threads (default 1); every case is the same
                   program with the same outcome whichever worker runs it
  --no-minimise    report findings without minimising them
  --jit            run with the CPU's JIT on (default off: compiled code ends slices at block
                   boundaries, so a case would not replay exactly)
  -h, --help       this text
`;

export class FuzzUsageError extends Error {}

export function parseFuzzArgs(argv: readonly string[]): FuzzOptions {
  let cases = 1000;
  let seed = 1;
  let only: number | undefined;
  let budget = 100_000;
  let targets: FuzzTargets = "both";
  let arch: FuzzArch = "riscv64";
  let out = "fuzz-findings";
  let minimise = true;
  let jit = false;
  let jobs = 1;
  let help = false;
  const int = (name: string, v: string | undefined, max: number): number => {
    const n = Number(v);
    if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(n) || n > max) {
      throw new FuzzUsageError(`${name} needs a whole number up to ${max}, not ${v ?? "nothing"}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case "--cases":
        cases = int(a, argv[++i], 1e9);
        break;
      case "--seed":
        seed = int(a, argv[++i], 0xffff_ffff);
        break;
      case "--case":
        only = int(a, argv[++i], 1e9);
        break;
      case "--budget":
        budget = int(a, argv[++i], 1e9);
        if (budget < 1000) throw new FuzzUsageError("--budget must be at least 1000 instructions");
        break;
      case "--targets": {
        const t = argv[++i];
        if (t !== "both" && t !== "guest" && t !== "bare") {
          throw new FuzzUsageError(`--targets is both, guest or bare, not ${t ?? "nothing"}`);
        }
        targets = t;
        break;
      }
      case "--arch": {
        const t = argv[++i];
        if (t !== "riscv64" && t !== "aarch64" && t !== "x86_64") {
          throw new FuzzUsageError(`--arch is riscv64, aarch64 or x86_64, not ${t ?? "nothing"}`);
        }
        arch = t;
        break;
      }
      case "--out": {
        const d = argv[++i];
        if (d === undefined) throw new FuzzUsageError("--out needs a directory");
        out = d;
        break;
      }
      case "--jobs":
        jobs = int(a, argv[++i], 64);
        if (jobs < 1) throw new FuzzUsageError("--jobs must be at least 1");
        break;
      case "--no-minimise":
        minimise = false;
        break;
      case "--jit":
        jit = true;
        break;
      case "-h":
      case "--help":
        help = true;
        break;
      default:
        throw new FuzzUsageError(`unknown option ${a}`);
    }
  }
  if (arch !== "riscv64" && targets === "guest") {
    throw new FuzzUsageError(
      `--arch ${arch} runs on the bare board only (not yet under the hypervisor): use --targets bare`,
    );
  }
  if (arch !== "riscv64") targets = "bare";
  return {
    cases,
    seed,
    ...(only !== undefined ? { only } : {}),
    budget,
    targets,
    arch,
    out,
    minimise,
    jit,
    jobs,
    help,
  };
}
