import { type SendAfter, unescapeText } from "../console/expect-engine.js";
import { UsageError } from "../errors.js";
import { EXIT_STATUS_HELP } from "../exit-status.js";
import { platforms } from "../platforms/index.js";
import { attachDrives } from "./attach-drives.js";
import { type DriveSpec, parseDriveSpec, splitQemuKeyValues } from "./drive-spec.js";
import { parseMemorySize } from "./size.js";

/** Machines `-M` accepts (every registered platform and its aliases); aliases map to their canonical name. */
export const KNOWN_MACHINES: Readonly<Record<string, string>> = Object.fromEntries(
  platforms.all.flatMap((p) => [p.name, ...p.aliases].map((n) => [n, p.name])),
);

/** The most CPUs `-smp` takes on any platform; each platform checks its own limit. */
export const MAX_HARTS = Math.max(...platforms.all.map((p) => p.maxCpus));
export const DEFAULT_MEMORY = 256 * 1024 * 1024;
const MIN_MEMORY = 16 * 1024 * 1024;
const MAX_MEMORY = 4 * 1024 * 1024 * 1024;

/** What `axvisor emu` was asked to do. */
export interface EmuOptions {
  readonly help: boolean;
  readonly machine: string;
  /** `-machine name,key=value,...` properties (virtualization=on, gic-version=3, ...). */
  readonly machineProps: ReadonlyMap<string, string>;
  readonly smp: number;
  /** The `-cpu` text (model and properties), for the platform to interpret. */
  readonly cpu?: string;
  readonly memory: number;
  /** A path, "none" or "default". */
  readonly bios: string;
  readonly kernel?: string;
  readonly initrd?: string;
  readonly append?: string;
  /** The disks in virtio-mmio slot order (`-device virtio-blk-device` ones, then `if=virtio`). */
  readonly drives: readonly DriveSpec[];
  /** `-device DRIVER[,prop=value...]` texts left for the platform (disks already attached). */
  readonly devices: readonly string[];
  readonly dtb?: string;
  readonly nographic: boolean;
  readonly expect?: RegExp;
  readonly sendAfter: readonly SendAfter[];
  readonly timeoutSeconds?: number;
  /** QEMU-style -icount shift: each instruction takes 2^shift ns of guest time. */
  readonly icountShift?: number;
  /** `-s` / `-gdb tcp::PORT`: serve GDB on 127.0.0.1:PORT. */
  readonly gdbPort?: number;
  /** `-S`: the CPUs wait at reset for GDB's continue. */
  readonly freeze: boolean;
}

interface OptionSpec {
  readonly names: readonly string[];
  /** Value names; [] for a flag. */
  readonly args: readonly string[];
  readonly help: string;
  readonly repeatable?: boolean;
}

/** The options, in --help order. `-x` and `--x` are the same option. */
export const EMU_OPTIONS: readonly OptionSpec[] = [
  {
    names: ["M", "machine"],
    args: ["NAME"],
    help: `machine to emulate (${Object.keys(KNOWN_MACHINES).join(", ")}) with its properties (name,key=value,...); default riscv64-qemu-virt`,
  },
  { names: ["smp"], args: ["N"], help: `number of CPUs, 1..the machine's maximum (default 1)` },
  {
    names: ["cpu"],
    args: ["MODEL[,prop=on|off...]"],
    help: "CPU model and properties as QEMU's, e.g. rv64,h=off,sstc=off (riscv64, the default: rv64 with H and Sstc)",
  },
  { names: ["m", "memory"], args: ["SIZE"], help: "RAM size: 256M, 1G, 512 (MiB) (default 256M)" },
  {
    names: ["bios"],
    args: ["FILE|none|default"],
    help: "M-mode firmware; default = Debian's OpenSBI fw_dynamic.bin; none = run -kernel in M-mode",
  },
  { names: ["kernel"], args: ["FILE"], help: "kernel: ELF, Linux Image or raw binary" },
  { names: ["initrd"], args: ["FILE"], help: "initial ramdisk (described in /chosen)" },
  { names: ["append"], args: ["STRING"], help: "kernel command line (/chosen bootargs)" },
  {
    names: ["drive"],
    args: ["file=PATH[,format=raw][,if=virtio|none][,id=ID][,readonly=on]"],
    help: "virtio-blk disk in the first free virtio-mmio slot (if=none: for -device virtio-blk-device,drive=ID); writes go to the file",
    repeatable: true,
  },
  {
    names: ["device"],
    args: ["DRIVER[,prop=value...]"],
    help: "a board device, as QEMU's (virtio-blk-device,drive=ID; x86_64: isa-debug-exit,iobase=0xf4,iosize=0x4; loader,file=F,addr=A,force-raw=on)",
    repeatable: true,
  },
  {
    names: ["dtb"],
    args: ["FILE"],
    help: "use this device tree blob instead of the generated one",
  },
  {
    names: ["nographic"],
    args: [],
    help: "console on stdio (the default; accepted for QEMU compatibility)",
  },
  {
    names: ["icount"],
    args: ["SHIFT"],
    help: "deterministic time: each instruction takes 2^SHIFT ns of guest time",
  },
  { names: ["s"], args: [], help: "shorthand for -gdb tcp::1234" },
  {
    names: ["gdb"],
    args: ["tcp::PORT"],
    help: "serve gdb on 127.0.0.1:PORT (the CPUs stop when gdb connects; each CPU a thread)",
  },
  { names: ["S"], args: [], help: "do not start the CPUs: wait at reset for gdb's continue" },
  { names: ["expect"], args: ["REGEX"], help: "exit 0 as soon as the console shows REGEX" },
  {
    names: ["send-after"],
    args: ["REGEX", "TEXT"],
    help: "type TEXT (\\n, \\r, \\t, \\e, \\xHH escapes) once REGEX has appeared ('' = at once); steps run in order",
    repeatable: true,
  },
  { names: ["timeout"], args: ["SECONDS"], help: "give up after SECONDS (exit status 3)" },
  { names: ["h", "help"], args: [], help: "show this help" },
];

const BY_NAME = new Map<string, OptionSpec>(EMU_OPTIONS.flatMap((o) => o.names.map((n) => [n, o])));

export function emuHelp(): string {
  const rows = EMU_OPTIONS.map((o) => {
    const flag = o.names.map((n) => `-${n}`).join(", ");
    return [`${flag} ${o.args.join(" ")}`.trimEnd(), o.help] as const;
  });
  const width = Math.min(34, Math.max(...rows.map(([f]) => f.length)));
  const lines = rows.map(([f, h]) =>
    f.length > width ? `  ${f}\n  ${" ".repeat(width)}  ${h}` : `  ${f.padEnd(width)}  ${h}`,
  );
  return `Usage: axvisor emu [options]

Runs the bare emulated machine, like qemu-system-riscv64: firmware, kernel, initrd and disks
as QEMU takes them. Options take one dash or two (-smp 2, --smp 2, --smp=2).

Options:
${lines.join("\n")}

Console: stdio. On a terminal, Ctrl-A x quits and Ctrl-A h lists the other escapes.

${EXIT_STATUS_HELP}

Example:
  axvisor emu -M riscv64-qemu-virt -smp 2 -m 256M -kernel Image -initrd initramfs.cpio.gz \\
    -append 'console=ttyS0 earlycon=sbi' --send-after 'GUEST-INIT-OK' 'echo hi\\n' --expect 'hi'
`;
}

function compileRegex(source: string, option: string): RegExp {
  try {
    return new RegExp(source, "m");
  } catch (e) {
    throw new UsageError(`${option}: bad regular expression '${source}': ${(e as Error).message}`);
  }
}

function parseMachine(value: string): { name: string; props: Map<string, string> } {
  const [first, ...rest] = splitQemuKeyValues(value);
  const name = first?.[0] ?? "";
  const canonical = KNOWN_MACHINES[name];
  if (canonical === undefined || first?.[1] !== "") {
    const known = Object.entries(KNOWN_MACHINES)
      .map(([k, v]) => (k === v ? k : `${k} (= ${v})`))
      .join(", ");
    throw new UsageError(`-M: unknown machine '${name}'; known machines: ${known}`);
  }
  const props = new Map<string, string>();
  for (const [k, v] of rest) {
    if (props.has(k)) throw new UsageError(`-M: property '${k}' given twice`);
    props.set(k, v);
  }
  return { name: canonical, props };
}

function parseSmp(value: string): number {
  let text = value;
  if (value.includes("=") || value.includes(",")) {
    const kv = splitQemuKeyValues(value);
    const first = kv[0];
    const cpus = kv.find(([k]) => k === "cpus")?.[1] ?? (first?.[1] === "" ? first[0] : undefined);
    const other = kv.filter(([k, v]) => k !== "cpus" && !(v === "" && k === first?.[0]));
    if (cpus === undefined || other.length > 0) {
      throw new UsageError(`-smp: only a CPU count is supported ('${value}')`);
    }
    text = cpus;
  }
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_HARTS) {
    throw new UsageError(`-smp: '${value}' is not a CPU count in 1..${MAX_HARTS}`);
  }
  return n;
}

function parseNumber(value: string, option: string, min: number, max: number): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) {
    throw new UsageError(`${option}: '${value}' is not a number in ${min}..${max}`);
  }
  return n;
}

/**
 * Parses the argument list of `axvisor emu`. Throws UsageError naming the offending option.
 * Accepts QEMU's single-dash long options and GNU `--name` / `--name=value` forms.
 */
export function parseEmuArgs(argv: readonly string[]): EmuOptions {
  const seen = new Map<string, string[][]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (m === null) {
      throw new UsageError(`unexpected argument '${arg}' (options start with '-'; see --help)`);
    }
    const name = m[1]!;
    const spec = BY_NAME.get(name);
    if (spec === undefined) throw new UsageError(`unknown option '${arg}' (see --help)`);
    const values: string[] = [];
    if (m[2] !== undefined) {
      if (spec.args.length !== 1) {
        throw new UsageError(`option '-${name}' does not take '=value'`);
      }
      values.push(m[2]);
    } else {
      for (let k = 0; k < spec.args.length; k++) {
        const v = argv[i + 1];
        if (v === undefined) {
          throw new UsageError(`option '-${name}' needs ${spec.args.join(" ")}`);
        }
        values.push(v);
        i++;
      }
    }
    const key = spec.names[spec.names.length - 1]!;
    const list = seen.get(key) ?? [];
    if (list.length > 0 && !spec.repeatable && spec.args.length > 0) {
      throw new UsageError(`option '-${name}' given twice`);
    }
    list.push(values);
    seen.set(key, list);
  }
  const one = (key: string): string | undefined => seen.get(key)?.[0]?.[0];

  const timeout = one("timeout");
  const icount = one("icount");
  const expect = one("expect");
  const optional = {
    ...(one("kernel") !== undefined ? { kernel: one("kernel")! } : {}),
    ...(one("initrd") !== undefined ? { initrd: one("initrd")! } : {}),
    ...(one("append") !== undefined ? { append: one("append")! } : {}),
    ...(one("dtb") !== undefined ? { dtb: one("dtb")! } : {}),
    ...(expect !== undefined ? { expect: compileRegex(expect, "--expect") } : {}),
    ...(timeout !== undefined
      ? { timeoutSeconds: parseNumber(timeout, "--timeout", 0.001, 1e7) }
      : {}),
    ...(icount !== undefined ? { icountShift: parseNumber(icount, "-icount", 0, 10) } : {}),
  };
  const memoryText = one("memory");
  const memory = memoryText === undefined ? DEFAULT_MEMORY : parseMemorySize(memoryText);
  if (memory < MIN_MEMORY || memory > MAX_MEMORY || memory % 4096 !== 0) {
    throw new UsageError(`-m: ${memoryText} must be a multiple of 4 KiB between 16M and 4G`);
  }
  const bios = one("bios") ?? "default";
  if (bios === "") throw new UsageError("-bios: empty file name");
  if (optional.initrd !== undefined && optional.kernel === undefined) {
    throw new UsageError("-initrd needs -kernel");
  }
  const machine = parseMachine(one("machine") ?? "riscv64-qemu-virt");
  const cpu = one("cpu");
  const gdbSpec = one("gdb");
  const gdbPort =
    gdbSpec !== undefined ? parseGdbDevice(gdbSpec) : seen.has("s") ? 1234 : undefined;
  if (seen.has("S") && gdbPort === undefined) {
    throw new UsageError("-S waits for gdb: give -s or -gdb tcp::PORT too");
  }
  const disks = attachDrives(
    (seen.get("drive") ?? []).map(([spec]) => parseDriveSpec(spec!)),
    (seen.get("device") ?? []).map(([spec]) => spec!),
  );
  return {
    ...(gdbPort !== undefined ? { gdbPort } : {}),
    freeze: seen.has("S"),
    help: seen.has("help"),
    machine: machine.name,
    machineProps: machine.props,
    smp: parseSmp(one("smp") ?? "1"),
    ...(cpu !== undefined ? { cpu } : {}),
    memory,
    bios,
    drives: disks.disks,
    devices: disks.devices,
    nographic: seen.has("nographic"),
    sendAfter: (seen.get("send-after") ?? []).map(([re, text]) => ({
      pattern: compileRegex(re!, "--send-after"),
      text: unescapeText(text!),
    })),
    ...optional,
  };
}

/** `-gdb` device: tcp::PORT, tcp:localhost:PORT or tcp:127.0.0.1:PORT (gdb listens on loopback). */
function parseGdbDevice(spec: string): number {
  const m = /^tcp:(|localhost|127\.0\.0\.1):(\d+)$/.exec(spec);
  const port = m === null ? Number.NaN : Number(m[2]);
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(`-gdb: expected tcp::PORT (a loopback TCP port), got '${spec}'`);
  }
  return port;
}
