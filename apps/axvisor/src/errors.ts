/** A bad command line: the message says which option and why. Exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * One line for a host-side failure (missing file, corrupt image, emulator fault). Errors of
 * the project (AxError, fs errors) carry a complete message; anything else is an internal
 * error and keeps its type name (TypeError: ...). With LOG=debug the stack follows.
 */
export function formatHostError(e: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (!(e instanceof Error)) return String(e);
  const known = e.name === "Error" || e.name === "AxError" || e.name === "UsageError";
  const hasCode = (e as NodeJS.ErrnoException).code !== undefined;
  const line = known || hasCode ? e.message : `${e.name}: ${e.message}`;
  const debug = (env.LOG ?? "").toLowerCase() === "debug";
  return debug && e.stack !== undefined ? `${line}\n${e.stack}` : line;
}
