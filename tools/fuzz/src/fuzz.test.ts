/**
 * The fixed CI batch of `pnpm fuzz` (a few hundred cases, well under a minute) and the
 * properties the campaign relies on: cases are reproducible from their seed, the checks catch
 * what they are meant to catch.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { programFor, runCase } from "./campaign.js";
import { runFuzzCli } from "./cli.js";
import { assemble } from "./generate.js";
import { runUnderHypervisor } from "./hypervisor-run.js";
import { overlap } from "./isolation.js";

// As `pnpm fuzz` does by default: interpreted, so every case replays exactly.
process.env.AXVISOR_JIT = "0";

const CI_SEED = 20261207;
const CI_CASES = Number(process.env.FUZZ_CI_CASES ?? 200);

describe("pnpm fuzz", () => {
  it(`runs ${CI_CASES} cases of seed ${CI_SEED} under the hypervisor and on the bare machine with no finding`, async () => {
    const out: string[] = [];
    const status = await runFuzzCli(
      [
        "--cases",
        String(CI_CASES),
        "--seed",
        String(CI_SEED),
        "--budget",
        "20000",
        "--no-minimise",
        "--out",
        "/tmp/axvisor-fuzz-ci",
      ],
      { out: (s) => out.push(s), err: (s) => out.push(s) },
    );
    const text = out.join("");
    console.log(text.split("\n").slice(-2).join("\n"));
    expect(text).toMatch(/0 host failures, 0 hangs, 0 isolation breaches, 0 canary disturbances/);
    expect(status).toBe(0);
  });

  it("is deterministic: the same seed and case give the same program and the same run", async () => {
    const a = await runCase(7, 3, { budget: 30_000 });
    const b = await runCase(7, 3, { budget: 30_000 });
    expect(assemble(a.program, "guest")).toEqual(assemble(b.program, "guest"));
    expect(a.summary).toBe(b.summary);
    expect(assemble(programFor(7, 4), "guest")).not.toEqual(assemble(a.program, "guest"));
  });

  // The worker threads run the built package (a worker cannot load the TypeScript source).
  const built = existsSync(new URL("../dist/fuzz-worker.js", import.meta.url));
  if (!built) console.log("skipping the --jobs test: tools/fuzz is not built (pnpm build)");
  it.skipIf(!built)(
    "spreads cases over worker threads with the same outcome as one thread",
    async () => {
      const run = async (jobs: number) => {
        const out: string[] = [];
        const status = await runFuzzCli(
          ["--cases", "6", "--seed", "5", "--budget", "20000", "--jobs", String(jobs)],
          { out: (s) => out.push(s), err: (s) => out.push(s) },
        );
        const last = out.join("").trim().split("\n").at(-1) ?? "";
        return { status, last: last.replace(/ in [\d.]+ s:/, ":") };
      };
      const one = await run(1);
      const two = await run(2);
      expect(two).toEqual(one);
      expect(two.last).toBe(
        "pnpm fuzz: 6 cases (seed 5): 0 host failures, 0 hangs, 0 isolation breaches, 0 canary disturbances",
      );
    },
    60_000,
  );

  it("reports a canary whose secret is copied into the fuzzed VM as an isolation breach", async () => {
    const secret = new Uint8Array(64).fill(0x5a);
    // A guest that holds the same bytes in its own memory: the scan must see them.
    const image = new Uint8Array(0x1000);
    image.set([0x6f, 0x00, 0x00, 0x00]); // j .
    image.set(secret, 0x800);
    const r = await runUnderHypervisor(image, { secret, budget: 20_000 });
    expect(r.findings.map((f) => f.kind)).toContain("isolation");
    expect(r.canaryCount).toBeGreaterThan(0);
  });

  it("finds overlapping host ranges", () => {
    expect(overlap([{ start: 0, end: 10 }], [{ start: 10, end: 20 }])).toBeNull();
    expect(overlap([{ start: 0, end: 11 }], [{ start: 10, end: 20 }])).not.toBeNull();
  });

  it("rejects bad options with one line and status 2", async () => {
    const err: string[] = [];
    const status = await runFuzzCli(["--cases", "many"], {
      out: () => {},
      err: (s) => err.push(s),
    });
    expect(status).toBe(2);
    expect(err.join("")).toBe(
      "pnpm fuzz: --cases needs a whole number up to 1000000000, not many\n",
    );
  });
});
