import type { Readable, Writable } from "node:stream";

/** What the CLI talks to; tests pass in-memory streams, the bin passes the process's. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  /** Relative paths on the command line start here. */
  cwd: string;
}

/** A usage or input error: printed as one `error: ...` line, exit status 1. */
export class CliError extends Error {}
