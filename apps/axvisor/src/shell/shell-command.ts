import { VMStatus } from "@axvisor/axvm";
import { serveGdb } from "@axvisor/gdbstub/node";
import { formatHostError, UsageError } from "../errors.js";
import { ExitStatus } from "../exit-status.js";
import type { CliIo } from "../io.js";
import { restoreSnapshotFile, saveSnapshotFile } from "../snapshot/index.js";
import { openSession } from "../vmm/run-command.js";
import { parseVmmArgs, type VmmCommandOptions, vmmHelp } from "../vmm/run-options.js";
import { VmmTerminal } from "../vmm/vmm-terminal.js";

/**
 * `axvisor shell [VM.toml...]`: the VMM with its shell on the terminal. Config files given on
 * the command line are created (Loaded); `vm start` boots them. The VMs keep running while
 * the shell waits for input. Ends with `exit [CODE]`, Ctrl-A x, or - when standard input is a
 * script that runs out - once no VM is running any more.
 */
export async function runShell(argv: readonly string[], io: CliIo): Promise<number> {
  let opts: VmmCommandOptions;
  try {
    opts = parseVmmArgs(argv, "shell");
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`axvisor shell: ${e.message}\n`);
      return ExitStatus.HostError;
    }
    throw e;
  }
  if (opts.help) {
    io.stdout.write(vmmHelp("shell"));
    return ExitStatus.Success;
  }
  let resolveEnd: (code: number) => void = () => {};
  const ended = new Promise<number>((r) => {
    resolveEnd = r;
  });
  let inputEnded = false;
  const session = await openSession(opts, io, "shell", {
    onVmEnd: () => queueMicrotask(() => finishIfIdle()),
  }).catch((e: unknown) => {
    io.stderr.write(`axvisor shell: ${formatHostError(e, io.env)}\n`);
    return undefined;
  });
  if (session === undefined) return ExitStatus.HostError;
  const { vmm, mux } = session;
  const finish = (code: number) => {
    vmm.quit();
    resolveEnd(code);
  };
  const idle = () =>
    vmm.vms.every((v) => v.status !== VMStatus.Running && v.status !== VMStatus.Suspended);
  const terminal = new VmmTerminal({
    io,
    vmm,
    mux,
    shellOnly: true,
    serveGdb,
    snapshots: { save: saveSnapshotFile, restore: restoreSnapshotFile },
    onQuit: () => finish(ExitStatus.Success),
    onExit: (code) => finish(code),
    onInputEnd: () => {
      inputEnded = true;
      finishIfIdle();
    },
  });
  /** After a script ran out: leave once its last command is done and no VM runs. */
  function finishIfIdle(): void {
    if (!inputEnded) return;
    void terminal.runLine("").then(() => {
      if (idle()) finish(ExitStatus.Success);
    });
  }
  terminal.start();
  const loop = vmm.run().catch((e: unknown) => {
    mux.line(`axvisor shell: VMM failure: ${formatHostError(e, io.env)}`);
    finish(ExitStatus.HostError);
  });
  const code = await ended;
  vmm.shutdown();
  await loop;
  terminal.stop();
  return code;
}
