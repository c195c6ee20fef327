import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { addDiskImgCommand } from "./disk-img/disk-img-command.js";
import { runEmu } from "./emu/emu-command.js";
import { emuHelp } from "./emu/emu-options.js";
import { formatHostError } from "./errors.js";
import { EXIT_STATUS_HELP, ExitStatus } from "./exit-status.js";
import { useHostFiles } from "./host/host-files.js";
import { nodeHostFiles } from "./host/node-files.js";
import type { CliIo } from "./io.js";
import { runShell } from "./shell/shell-command.js";
import { runVmm } from "./vmm/run-command.js";
import { vmmHelp } from "./vmm/run-options.js";

// The CLI runs on Node.js: the VMM's files are the file system's.
useHostFiles(nodeHostFiles);

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    return String(pkg.version);
  } catch {
    return "unknown";
  }
}

/**
 * The `axvisor` command line. Returns the exit status instead of exiting, so tests and other
 * tools can run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let status: number = ExitStatus.Success;
  const program = new Command("axvisor")
    .description("AxVisor.ts: a modular hypervisor on emulated hardware")
    .version(version(), "-V, --version")
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .addHelpText("after", `\n${EXIT_STATUS_HELP}\n`);
  const emu = program
    .command("emu")
    .summary("run the bare emulated machine with QEMU-like options (axvisor emu -help)")
    .description("Run the bare emulated machine, like qemu-system-riscv64.")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .passThroughOptions()
    .argument("[options...]", "QEMU-style options; see axvisor emu --help")
    .action(async (args: string[]) => {
      status = await runEmu(args, io);
    });
  // `axvisor help emu` shows the same text as `axvisor emu --help`.
  emu.helpInformation = () => emuHelp();
  for (const [name, summary, run] of [
    ["run", "boot VMs from their config files (axvisor run VM.toml..., --default-guest)", runVmm],
    [
      "shell",
      "the VMM shell: create, start, stop, suspend, resume, restart and delete VMs",
      runShell,
    ],
  ] as const) {
    const cmd = program
      .command(name)
      .summary(summary)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .argument("[args...]", `see axvisor ${name} --help`)
      .action(async (args: string[]) => {
        status = await run(args, io);
      });
    cmd.helpInformation = () => vmmHelp(name);
  }
  addDiskImgCommand(program, io);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? ExitStatus.Success : ExitStatus.HostError;
    }
    io.stderr.write(`axvisor: ${formatHostError(e, io.env)}\n`);
    return ExitStatus.HostError;
  }
  return status;
}
