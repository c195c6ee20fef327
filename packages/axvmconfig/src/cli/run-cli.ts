import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { parseSize, parseUintText } from "../integer.js";
import { ARCHES } from "../templates.js";
import { VmType } from "../types.js";
import { checkCommand } from "./check-command.js";
import { type GenerateOptions, generateCommand } from "./generate-command.js";
import { CliError, type CliIo } from "./io.js";

/** Same relative position from src/cli/ and dist/cli/. */
const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

const uint =
  (what: string) =>
  (text: string): number => {
    const n = parseUintText(text);
    if (n === undefined) throw new InvalidArgumentError(`not ${what} (decimal, 0x hex, 0o or 0b)`);
    return n;
  };

const size = (text: string): number => {
  const n = parseSize(text);
  if (n === undefined || n === 0) {
    throw new InvalidArgumentError("not a size (e.g. 256M, 1G, 0x1000_0000)");
  }
  return n;
};

const vmType = (text: string): VmType => {
  const byName: Record<string, VmType> = { hostvm: 0, host: 0, rtos: 1, linux: 2 };
  const n = byName[text.toLowerCase()] ?? parseUintText(text);
  if (n === undefined || !(n in VmType)) {
    throw new InvalidArgumentError("expected 0 (HostVM), 1 (RTOS) or 2 (Linux)");
  }
  return n;
};

/**
 * The whole `axvmconfig` command line, in-process: parses `argv` (without node and script),
 * talks only to `io`, and returns the exit status instead of exiting.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = new Command("axvmconfig")
    .description("Check and generate AxVisor VM configuration files (TOML).")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  program
    .command("check")
    .description("validate config files; prints one line per file, or one per problem")
    .argument("<files...>", "VM config files")
    .option("--images", 'also check that "memory" image files exist and fit where they load')
    .action(async (files: string[], o: { images?: boolean }) => {
      status = await checkCommand(files, { images: o.images === true }, io);
    });

  program
    .command("generate")
    .description(
      "write a commented config for an architecture; asks for missing values on a terminal",
    )
    .addOption(new Option("-a, --arch <arch>", "guest architecture").choices(ARCHES))
    .option("-i, --id <id>", "VM id (default 1)", uint("an integer"))
    .option("-n, --name <name>", "VM name (default GuestVM-<arch>)")
    .option("-t, --vm-type <type>", "0 HostVM, 1 RTOS (default), 2 Linux", vmType)
    .option("-c, --cpu-num <n>", "number of vCPUs (default 1)", uint("an integer"))
    .option(
      "-e, --entry-point <addr>",
      "entry address (default: the kernel load address, or the BIOS's on x86_64)",
      uint("an address"),
    )
    .option("-k, --kernel-path <path>", "kernel image (required)")
    .option(
      "-l, --kernel-load-addr <addr>",
      "kernel load address (default per arch, e.g. 0x8020_0000 on riscv64)",
      uint("an address"),
    )
    .addOption(
      new Option("--image-location <where>", "where image paths point (default memory)").choices([
        "memory",
        "fs",
      ]),
    )
    .option("--cmdline <text>", "kernel command line")
    .option("-m, --memory <size>", "guest RAM size, e.g. 256M (default per arch)", size)
    .option("--memory-base <addr>", "guest RAM start (default per arch)", uint("an address"))
    .option("-O, --output <file>", "write to this file instead of stdout")
    .action(async (o: GenerateOptions) => {
      status = await generateCommand(VERSION, o, io);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // message already printed
    if (e instanceof CliError) {
      io.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
