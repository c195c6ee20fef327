#!/usr/bin/env node
// Runs the whole vitest suite and ends with the plain `N passed, N failed` line that CI reads.
// Extra arguments go to vitest (for example a project filter: `pnpm test --project page-table`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "axvisor-test-"));
const report = join(dir, "report.json");
const vitest = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed = json.numPassedTests ?? 0;
  failed = json.numFailedTests ?? 0;
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  // A test file that failed without a failing test inside could not be loaded or run at all.
  for (const file of json.testResults ?? []) {
    const failedInside = (file.assertionResults ?? []).some((t) => t.status === "failed");
    if (file.status === "failed" && !failedInside) failed += 1;
  }
} catch {
  failed += 1; // no report: vitest itself failed to start
}
rmSync(dir, { recursive: true, force: true });

const status = vitest.status ?? 1;
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
