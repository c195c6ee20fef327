import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { formatHex } from "@axvisor/memory-addr";
import { parseUintText } from "../integer.js";
import { checkAxVMConfig } from "../parse.js";
import { ARCH_DEFAULTS, ARCHES, type Arch, isArch, vmConfigTemplate } from "../templates.js";
import { toToml } from "../to-toml.js";
import type { ImageLocation, VmType } from "../types.js";
import { summary } from "./check-command.js";
import { CliError, type CliIo } from "./io.js";
import { type Parsed, Prompter } from "./prompter.js";

/** The generate flags after commander has parsed and converted them. */
export interface GenerateOptions {
  arch?: string;
  id?: number;
  name?: string;
  vmType?: VmType;
  cpuNum?: number;
  entryPoint?: number;
  kernelPath?: string;
  kernelLoadAddr?: number;
  imageLocation?: ImageLocation;
  cmdline?: string;
  memory?: number;
  memoryBase?: number;
  output?: string;
}

const parseArch = (s: string): Parsed<Arch> =>
  isArch(s)
    ? { value: s }
    : { error: `unknown architecture "${s}"; expected ${ARCHES.join(", ")}` };

const parseAddr = (s: string): Parsed<number> => {
  const n = parseUintText(s);
  return n === undefined
    ? { error: `not an address: "${s}" (use e.g. 0x8020_0000)` }
    : { value: n };
};

/**
 * `axvmconfig generate`: a commented config for one architecture, validated before it is
 * written. Arch and kernel path are required; on a terminal they are asked for, elsewhere
 * their absence is an error.
 */
export async function generateCommand(
  version: string,
  opts: GenerateOptions,
  io: CliIo,
): Promise<number> {
  const interactive = io.stdin.isTTY === true;
  let prompter: Prompter | undefined;
  const ask = <T>(question: string, parse: (s: string) => Parsed<T>, fallback?: string) => {
    prompter ??= new Prompter(io.stdin, io.stderr);
    return prompter.ask(question, parse, fallback);
  };
  const missing = (flag: string): never => {
    throw new CliError(
      `missing required option ${flag} (stdin is not a terminal, so it cannot be asked for)`,
    );
  };

  let arch: Arch;
  let kernelPath: string;
  let kernelLoadAddr: number | undefined = opts.kernelLoadAddr;
  try {
    if (opts.arch !== undefined) {
      const a = parseArch(opts.arch);
      if ("error" in a) throw new CliError(a.error);
      arch = a.value;
    } else if (interactive) {
      arch = await ask(`Architecture (${ARCHES.join(", ")})`, parseArch, "riscv64");
    } else {
      return missing("-a/--arch");
    }
    if (opts.kernelPath !== undefined) kernelPath = opts.kernelPath;
    else if (interactive) {
      kernelPath = await ask("Kernel image path", (s) =>
        s === "" ? { error: "a path is required" } : { value: s },
      );
    } else {
      return missing("-k/--kernel-path");
    }
    if (kernelLoadAddr === undefined && interactive) {
      kernelLoadAddr = await ask(
        "Kernel load address",
        parseAddr,
        formatHex(ARCH_DEFAULTS[arch].kernelLoadAddr),
      );
    }
  } finally {
    (prompter as Prompter | undefined)?.close();
  }

  const imageLocation = opts.imageLocation ?? "memory";
  const outputPath = opts.output === undefined ? undefined : resolve(io.cwd, opts.output);
  if (imageLocation === "memory") {
    // Paths in a config resolve from its folder; the user typed this one relative to the cwd.
    const onHost = resolve(io.cwd, kernelPath);
    if (!existsSync(onHost))
      io.stderr.write(`warning: kernel image ${kernelPath} does not exist\n`);
    if (outputPath !== undefined && !isAbsolute(kernelPath)) {
      kernelPath = relative(dirname(outputPath), onHost);
    }
  }

  const config = vmConfigTemplate(arch, {
    kernelPath,
    imageLocation,
    ...defined({
      id: opts.id,
      name: opts.name,
      vmType: opts.vmType,
      cpuNum: opts.cpuNum,
      entryPoint: opts.entryPoint,
      kernelLoadAddr,
      cmdline: opts.cmdline,
      memorySize: opts.memory,
      memoryBase: opts.memoryBase,
    }),
  });
  const text = toToml(config, {
    header: [
      `AxVisor VM config for ${arch}, written by axvmconfig ${version}.`,
      "Check it after editing: axvmconfig check <this file>",
    ],
  });

  // The flags can still contradict each other (an entry point outside memory...). The text
  // was never shown, so its line numbers mean nothing to the user: name fields only.
  const check = checkAxVMConfig(text);
  if (!check.ok) {
    for (const p of check.problems) io.stderr.write(`error: ${p.field}: ${p.message}\n`);
    io.stderr.write("error: the options above do not make a valid config; nothing written\n");
    return 1;
  }
  if (outputPath === undefined) {
    io.stdout.write(text);
  } else {
    try {
      await writeFile(outputPath, text);
    } catch (e) {
      throw new CliError(`cannot write ${opts.output}: ${(e as Error).message}`);
    }
    io.stdout.write(`${opts.output}: written (${summary(check.config)})\n`);
  }
  return 0;
}

/** Drops undefined values, which exactOptionalPropertyTypes keeps apart from absent ones. */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
