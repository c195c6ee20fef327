#!/usr/bin/env node
// Runs the whole vitest suite (with the CPU's JIT on, the default), then the guest-level tests
// again with the JIT off (AXVISOR_JIT=0): the self-checking CPU programs and every guest boot
// must pass both ways. Ends with the plain `N passed, N failed` line that CI reads.
// Extra arguments go to the first vitest run (e.g. `pnpm test --project page-table`) and skip
// the second pass.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "axvisor-test-"));

/** Runs vitest once; returns its exit status and counts. */
function vitest(name, args, env) {
  const report = join(dir, `${name}.json`);
  const run = spawnSync(
    process.execPath,
    [
      "node_modules/vitest/vitest.mjs",
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...args,
    ],
    { stdio: "inherit", env: { ...process.env, ...env } },
  );
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  try {
    const json = JSON.parse(readFileSync(report, "utf8"));
    counts.passed = json.numPassedTests ?? 0;
    counts.failed = json.numFailedTests ?? 0;
    counts.skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
    // A test file that failed without a failing test inside could not be loaded or run at all.
    for (const file of json.testResults ?? []) {
      const failedTests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
      for (const t of failedTests) {
        const why = String(t.failureMessages?.[0] ?? "").split("\n")[0];
        counts.failures.push(`${name}: ${file.name} > ${t.fullName}: ${why}`);
      }
      if (file.status === "failed" && failedTests.length === 0) {
        counts.failed += 1;
        counts.failures.push(`${name}: ${file.name}: ${String(file.message ?? "").split("\n")[0]}`);
      }
    }
  } catch {
    counts.failed += 1; // no report: vitest itself failed to start
    counts.failures.push(`${name}: vitest wrote no report`);
  }
  const status = run.status ?? 1;
  if (status !== 0 && counts.failed === 0) {
    counts.failed = 1;
    counts.failures.push(
      `${name}: vitest exited with status ${status} but reported no failed test`,
    );
  }
  return counts;
}

const extra = process.argv.slice(2);
const runs = [vitest("all", extra, {})];
if (extra.length === 0) {
  console.log(
    "\n=== second pass: the CPU programs and guest boots with the JIT off (AXVISOR_JIT=0) ===\n",
  );
  runs.push(
    vitest(
      "jit-off",
      ["--project", "cpu-riscv64", "--project", "cpu-aarch64", "--project", "app"],
      { AXVISOR_JIT: "0" },
    ),
  );
}
rmSync(dir, { recursive: true, force: true });

// The failures again, last, so that a log cut to its tail still names them.
const failures = runs.flatMap((r) => r.failures);
if (failures.length > 0) {
  console.log("\nFailed:");
  for (const f of failures) console.log(`  ${f}`);
}
const total = runs.reduce(
  (a, r) => ({
    passed: a.passed + r.passed,
    failed: a.failed + r.failed,
    skipped: a.skipped + r.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed === 0 ? 0 : 1);
