#!/usr/bin/env node
import { runBench } from "./cli.js";

process.exitCode = await runBench(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
