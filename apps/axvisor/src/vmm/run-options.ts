import type { LogLevel } from "@axvisor/axvisor-api";
import { type SendAfter, unescapeText } from "../console/expect-engine.js";
import { parseMemorySize } from "../emu/size.js";
import { UsageError } from "../errors.js";
import { EXIT_STATUS_HELP } from "../exit-status.js";
import { parseLogLevel } from "./vmm-log.js";

/** What `axvisor run` and `axvisor shell` were asked to do. */
export interface VmmCommandOptions {
  readonly help: boolean;
  /** VM config files, as given. */
  readonly configs: readonly string[];
  readonly defaultGuest: boolean;
  readonly expect?: RegExp;
  readonly sendAfter: readonly SendAfter[];
  readonly timeoutSeconds?: number;
  /** FAT32 disk image for configs with image_location = "fs". */
  readonly disk?: string;
  readonly cpus?: number;
  readonly memory?: number;
  readonly log?: LogLevel;
  readonly board?: string;
  readonly platform?: string;
  /** Serve GDB on 127.0.0.1:PORT, the VM stopped at its first instruction until GDB resumes it. */
  readonly gdbPort?: number;
  /** The VM GDB debugs (default: the first). */
  readonly gdbVm?: number;
  /** Print per-VM and per-vCPU statistics when the run ends. */
  readonly stats?: boolean;
  /** A snapshot file whose VM runs again where it was saved. */
  readonly restore?: string;
  /** Restore even when the VM's disk file changed since the snapshot. */
  readonly forceDisk?: boolean;
  /** Host threads for the vCPUs: 1 = the single scheduler loop (default), N = N workers. */
  readonly threads?: number;
}

interface OptionSpec {
  readonly name: string;
  readonly args: readonly string[];
  readonly help: string;
  /** Only for `run` (the shell has no expect script). */
  readonly runOnly?: boolean;
}

const OPTIONS: readonly OptionSpec[] = [
  {
    name: "default-guest",
    args: [],
    help: "boot the built-in demo guest (what `pnpm start` runs)",
    runOnly: true,
  },
  {
    name: "expect",
    args: ["REGEX"],
    help: "exit 0 as soon as the console shows REGEX",
    runOnly: true,
  },
  {
    name: "send-after",
    args: ["REGEX", "TEXT"],
    help: "type TEXT (\\n, \\r, \\t, \\e, \\xHH escapes) once REGEX has appeared; repeatable, in order",
    runOnly: true,
  },
  {
    name: "timeout",
    args: ["SECONDS"],
    help: "give up after SECONDS (exit status 3)",
    runOnly: true,
  },
  {
    name: "disk",
    args: ["IMG"],
    help: 'FAT32 disk image the images of image_location = "fs" configs come from',
  },
  {
    name: "cpus",
    args: ["N"],
    help: "harts of the host board, 1..8 (default: the board config's, 2)",
  },
  {
    name: "memory",
    args: ["SIZE"],
    help: "host RAM: 512M, 1G (default: the board config's, at least what the VMs need)",
  },
  {
    name: "log",
    args: ["LEVEL"],
    help: "error, warn, info, debug, trace (default: LOG=, else the board config's, warn)",
  },
  {
    name: "board",
    args: ["FILE"],
    help: "board config (platform, cpu_num, memory, log, vm_configs)",
  },
  {
    name: "platform",
    args: ["NAME"],
    help: "host platform to emulate: riscv64-qemu-virt, aarch64-qemu-virt or x86_64-qemu-q35 (default: from the board config or the VMs' images, else riscv64-qemu-virt)",
  },
  {
    name: "gdb",
    args: ["PORT"],
    help: "serve gdb on 127.0.0.1:PORT; the VM waits at its first instruction for gdb",
    runOnly: true,
  },
  { name: "gdb-vm", args: ["ID"], help: "the VM --gdb debugs (default: the first)", runOnly: true },
  {
    name: "stats",
    args: [],
    help: "print per-VM and per-vCPU statistics at exit",
    runOnly: true,
  },
  {
    name: "restore",
    args: ["FILE"],
    help: "run the VM saved in FILE (vm snapshot) from where it stopped",
    runOnly: true,
  },
  {
    name: "force-disk",
    args: [],
    help: "with --restore: use the VM's disk even if it changed since the snapshot",
    runOnly: true,
  },
  {
    name: "threads",
    args: ["N"],
    help: "run the VM's vCPUs on N worker threads, one per host CPU (riscv64, one VM; default 1: one scheduler loop)",
    runOnly: true,
  },
  { name: "help", args: [], help: "show this help" },
];

function regex(text: string, option: string): RegExp {
  try {
    return new RegExp(text);
  } catch (e) {
    throw new UsageError(`${option}: bad regular expression '${text}': ${(e as Error).message}`);
  }
}

function positiveNumber(text: string, option: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${option}: expected a positive number, got '${text}'`);
  }
  return n;
}

/**
 * Parses `axvisor run` (or, with `command = "shell"`, `axvisor shell`) arguments: options with
 * one or two dashes, `--opt=value` or `--opt value`, and config files in any position.
 */
export function parseVmmArgs(
  argv: readonly string[],
  command: "run" | "shell" = "run",
): VmmCommandOptions {
  const configs: string[] = [];
  const sendAfter: SendAfter[] = [];
  const o: {
    -readonly [K in keyof VmmCommandOptions]?: VmmCommandOptions[K];
  } = { help: false, defaultGuest: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      configs.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      configs.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec =
      OPTIONS.find((s) => s.name === name) ??
      (name === "h" ? OPTIONS.find((s) => s.name === "help") : undefined);
    if (spec === undefined || (spec.runOnly === true && command !== "run")) {
      throw new UsageError(`unknown option '${arg}' (see axvisor ${command} --help)`);
    }
    const values: string[] = [];
    if (eq >= 0) {
      if (spec.args.length !== 1) throw new UsageError(`--${name} does not take '=value'`);
      values.push(body.slice(eq + 1));
    } else {
      for (let k = 0; k < spec.args.length; k++) {
        const v = argv[++i];
        if (v === undefined) {
          throw new UsageError(`--${name} needs ${spec.args.join(" ")}`);
        }
        values.push(v);
      }
    }
    const opt = `--${name}`;
    const v = values[0] ?? "";
    switch (spec.name) {
      case "help":
        o.help = true;
        break;
      case "default-guest":
        o.defaultGuest = true;
        break;
      case "expect":
        o.expect = regex(v, opt);
        break;
      case "send-after":
        sendAfter.push({ pattern: regex(v, opt), text: unescapeText(values[1] ?? "") });
        break;
      case "timeout":
        o.timeoutSeconds = positiveNumber(v, opt);
        break;
      case "disk":
        o.disk = v;
        break;
      case "cpus": {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1 || n > 8)
          throw new UsageError(`${opt}: expected 1..8 harts, got '${v}'`);
        o.cpus = n;
        break;
      }
      case "memory":
        o.memory = parseMemorySize(v, opt);
        break;
      case "log":
        o.log = parseLogLevel(v, opt);
        break;
      case "board":
        o.board = v;
        break;
      case "platform":
        o.platform = v;
        break;
      case "gdb": {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) {
          throw new UsageError(`${opt}: expected a TCP port 0..65535, got '${v}'`);
        }
        o.gdbPort = n;
        break;
      }
      case "gdb-vm":
        if (!/^\d+$/.test(v)) throw new UsageError(`${opt}: expected a VM id, got '${v}'`);
        o.gdbVm = Number(v);
        break;
      case "stats":
        o.stats = true;
        break;
      case "restore":
        o.restore = v;
        break;
      case "force-disk":
        o.forceDisk = true;
        break;
      case "threads": {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1 || n > 8) {
          throw new UsageError(`${opt}: expected 1..8 threads, got '${v}'`);
        }
        o.threads = n;
        break;
      }
    }
  }
  return { ...o, help: o.help ?? false, defaultGuest: o.defaultGuest ?? false, configs, sendAfter };
}

export function vmmHelp(command: "run" | "shell"): string {
  const specs = OPTIONS.filter((s) => command === "run" || s.runOnly !== true);
  const rows = specs.map(
    (s) => [`--${s.name}${s.args.length > 0 ? ` ${s.args.join(" ")}` : ""}`, s.help] as const,
  );
  const w = Math.max(...rows.map(([a]) => a.length));
  const lines = rows.map(([a, h]) => `  ${a.padEnd(w)}  ${h}`);
  if (command === "run") {
    return `Usage: axvisor run [options] VM.toml...
       axvisor run --default-guest
       axvisor run --restore FILE

Boots every VM in the config files at once on the emulated host board (riscv64, aarch64 or
x86_64, chosen by --platform, the board config or the VMs' images) and connects their
consoles to the terminal (labelled [vmN name] when there are several). Relative paths in a
config are relative to the config file.

Options:
${lines.join("\n")}

Console: on a terminal, Ctrl-A x quits, Ctrl-A c opens the VMM shell (again: back to the
console), Ctrl-A n sends input to the next VM, Ctrl-A h lists the escapes.

${EXIT_STATUS_HELP}

Examples:
  axvisor run --default-guest
  axvisor run --platform x86_64-qemu-q35 --default-guest
  axvisor run configs/vms/linux-riscv64-qemu-smp1.toml \\
    --send-after 'GUEST-INIT-OK' 'echo SHELL-$((6*7))\\n' --expect 'SHELL-42' --timeout 300
`;
  }
  return `Usage: axvisor shell [options] [VM.toml...]

The VMM shell on the emulated host board (chosen as for axvisor run): VMs from the config files are created (state
Loaded) and the shell manages them - vm list|show|create|start|stop|suspend|resume|restart|
delete|stats|debug|snapshot|restore, log, help, exit. Guest consoles print to the terminal, labelled by VM.

Options:
${lines.join("\n")}
`;
}
