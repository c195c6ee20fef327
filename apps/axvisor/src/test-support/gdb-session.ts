import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../cli.js";
import { captureIo } from "./capture-io.js";

/**
 * Drives Debian's gdb-multiarch against the CLI's gdb stub, the way a user does: the CLI runs
 * in this process with `--gdb 0` / `-gdb tcp::0`, announces its port, and gdb runs a batch
 * script against it with the guest's ELF for symbols. Shared by each platform's gdb tests.
 */
export const GDB = "gdb-multiarch";

/** Whether gdb-multiarch runs here; prints why the tests of `what` are skipped when not. */
export function gdbAvailable(what: string): boolean {
  try {
    execFileSync(GDB, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    console.log(`skipping ${what}: ${GDB} is not installed (apt-get install gdb-multiarch)`);
    return false;
  }
}

export interface GdbSessionResult {
  /** gdb's stdout and stderr. */
  readonly gdb: string;
  /** The guest console the CLI printed. */
  readonly console: string;
  /** The CLI's exit status. */
  readonly status: number;
}

/** A scratch directory for configs and gdb scripts; `dispose` removes it. */
export function gdbScratch(prefix: string): { readonly dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs the CLI with `args` (which must ask for a gdb port 0) and gdb-multiarch with
 * `commands` against the announced port, `elf` giving the symbols; resolves when both ended.
 */
export async function gdbSession(
  args: readonly string[],
  commands: readonly string[],
  elf: string,
  dir: string,
): Promise<GdbSessionResult> {
  const c = captureIo();
  const run = runCli(args, c.io);
  let port: string | undefined;
  for (let i = 0; i < 200 && port === undefined; i++) {
    port = /(?:waits|waiting) for gdb on 127\.0\.0\.1:(\d+)/.exec(c.out() + c.err())?.[1];
    if (port === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  if (port === undefined) throw new Error(`no gdb port announced: ${c.out()}${c.err()}`);
  const script = join(dir, `session-${port}.gdb`);
  writeFileSync(
    script,
    [
      "set pagination off",
      "set confirm off",
      `target remote 127.0.0.1:${port}`,
      ...commands,
      "",
    ].join("\n"),
  );
  const gdb = await new Promise<string>((done) => {
    execFile(GDB, ["-nx", "-batch", "-x", script, elf], { timeout: 90_000 }, (_e, out, err) =>
      done(out + err),
    );
  });
  const status = await run;
  return { gdb, console: c.out(), status };
}
