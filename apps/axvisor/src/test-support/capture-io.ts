import type { CliIo } from "../io.js";

/**
 * A `CliIo` that records what the CLI writes to stdout and stderr, for tests; `env` is the
 * environment the CLI sees (none of the test process's).
 */
export function captureIo(env: NodeJS.ProcessEnv = {}): {
  io: CliIo;
  out: () => string;
  err: () => string;
} {
  const out: string[] = [];
  const err: string[] = [];
  const dec = new TextDecoder();
  return {
    io: {
      stdout: { write: (d) => out.push(typeof d === "string" ? d : dec.decode(d)) },
      stderr: { write: (d) => err.push(typeof d === "string" ? d : dec.decode(d)) },
      env,
    },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}
