#!/usr/bin/env node
import { runCli } from "./cli.js";
import { processIo } from "./io.js";

// A reader that went away (`axvisor emu ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    process.exit(e.code === "EPIPE" ? 0 : 2);
  });
}

const status = await runCli(process.argv.slice(2), processIo());
// stdin may still hold the event loop open (a terminal in raw mode); the run is over.
process.exit(status);
