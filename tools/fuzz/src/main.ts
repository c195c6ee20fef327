#!/usr/bin/env node
import { runFuzzCli } from "./cli.js";

process.exitCode = await runFuzzCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
});
// Timers of the last VMM must not keep the process alive.
process.exit(process.exitCode);
