#!/usr/bin/env node
import { runCli } from "./cli.js";
import { processIo } from "./io.js";

const status = await runCli(process.argv.slice(2), processIo());
// stdin may still hold the event loop open (a terminal in raw mode); the run is over.
process.exit(status);
