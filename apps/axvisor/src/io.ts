import type { ConsoleInput, ConsoleOutput } from "./console/host-console.js";

/** Everything the CLI touches of the process, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: ConsoleOutput;
  readonly stderr: ConsoleOutput;
  /** Absent in tests and when input is not wanted. */
  readonly stdin?: ConsoleInput;
  readonly env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
