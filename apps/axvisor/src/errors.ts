import { AxError } from "@axvisor/axerrno";

/** A bad command line: the message says which option and why. Exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * One line for a host-side failure (missing file, corrupt image, emulator fault). With
 * LOG=debug the stack follows, for developers.
 */
export function formatHostError(e: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const debug = (env.LOG ?? "").toLowerCase() === "debug";
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    let line = e.message;
    // Node's fs errors already name the path ("ENOENT: no such file or directory, open 'x'").
    if (e instanceof AxError || e instanceof UsageError || code !== undefined) line = e.message;
    else if (e.name !== "Error" && e.name !== "AxError") line = `${e.name}: ${e.message}`;
    return debug && e.stack !== undefined ? `${line}\n${e.stack}` : line;
  }
  return String(e);
}
