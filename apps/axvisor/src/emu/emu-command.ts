import { readFileSync } from "node:fs";
import { AxError } from "@axvisor/axerrno";
import { FileBlockBacking } from "@axvisor/device-virtio-mmio/node";
import { type GdbServer, serveGdb } from "@axvisor/gdbstub/node";
import { InstructionClock, type MachineExit } from "@axvisor/machine";
import { ExpectEngine } from "../console/expect-engine.js";
import { HostConsole } from "../console/host-console.js";
import { formatHostError, UsageError } from "../errors.js";
import { describeOutcome, ExitStatus, exitStatusFor, type RunOutcome } from "../exit-status.js";
import type { CliIo } from "../io.js";
import type { EmuDebugTarget, EmuDrive, EmuFile, EmuMachine } from "../platform/host-platform.js";
import { platforms } from "../platforms/index.js";
import { type EmuOptions, emuHelp, parseEmuArgs } from "./emu-options.js";

function readInput(path: string, what: string): EmuFile {
  try {
    return { name: path, data: readFileSync(path) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === "ENOENT"
        ? "no such file"
        : err.code === "EISDIR"
          ? "is a directory"
          : err.message;
    throw new Error(`cannot read ${what} '${path}': ${why}`);
  }
}

function machineExitOutcome(exit: MachineExit, opts: EmuOptions): RunOutcome {
  switch (exit.kind) {
    case "poweroff":
      return {
        kind: "poweroff",
        success: exit.success,
        code: exit.code,
        source: exit.source,
        ...(exit.processStatus !== undefined ? { processStatus: exit.processStatus } : {}),
      };
    case "fault":
      return { kind: "host-error", message: `emulator fault: ${exit.message}` };
    case "stopped":
      if (exit.reason === "expect") return { kind: "expect-matched" };
      if (exit.reason === "timeout") return { kind: "timeout", seconds: opts.timeoutSeconds ?? 0 };
      return { kind: "quit" };
    default: {
      const never: never = exit;
      return { kind: "host-error", message: `unknown machine exit ${JSON.stringify(never)}` };
    }
  }
}

const encoder = new TextEncoder();

/**
 * `axvisor emu`: builds the machine from QEMU-like options, connects the console, runs the
 * expect script and turns the way the run ended into an exit status (see exit-status.ts).
 */
export async function runEmu(argv: readonly string[], io: CliIo): Promise<number> {
  let opts: EmuOptions;
  try {
    opts = parseEmuArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`axvisor emu: ${e.message}\n`);
      return ExitStatus.HostError;
    }
    throw e;
  }
  if (opts.help) {
    io.stdout.write(emuHelp());
    return ExitStatus.Success;
  }
  const expecting = opts.expect !== undefined;
  const finish = (outcome: RunOutcome): number => {
    const line = describeOutcome(outcome, expecting);
    if (line !== undefined) io.stderr.write(`axvisor emu: ${line}\n`);
    return exitStatusFor(outcome, expecting);
  };

  const drives: FileBlockBacking[] = [];
  let machine: EmuMachine;
  const engine = new ExpectEngine(
    { sendAfter: opts.sendAfter, ...(opts.expect !== undefined ? { expect: opts.expect } : {}) },
    (text) => machine.sendInput(encoder.encode(text)),
  );
  try {
    const platform = platforms.get(opts.machine);
    if (opts.smp > platform.maxCpus) {
      throw new UsageError(
        `-smp: ${platform.name} has 1..${platform.maxCpus} CPUs, not ${opts.smp}`,
      );
    }
    const bios = platform.resolveFirmware(opts.bios, opts.kernel !== undefined);
    const firmware = bios === undefined ? undefined : readInput(bios, "firmware (-bios)");
    const kernel = opts.kernel === undefined ? undefined : readInput(opts.kernel, "kernel");
    const initrd = opts.initrd === undefined ? undefined : readInput(opts.initrd, "initrd");
    const dtb = opts.dtb === undefined ? undefined : readInput(opts.dtb, "device tree (-dtb)");
    if (firmware === undefined && kernel === undefined) {
      throw new UsageError("nothing to run: -bios none needs -kernel");
    }
    const disks: EmuDrive[] = [];
    for (const d of opts.drives) {
      const backing = FileBlockBacking.open(d.file, { readOnly: d.readonly });
      drives.push(backing);
      disks.push({
        backing,
        onDeviceError: (msg) => io.stderr.write(`axvisor emu: virtio-blk ${d.file}: ${msg}\n`),
      });
    }
    machine = platform.createEmuMachine({
      cpus: opts.smp,
      memory: opts.memory,
      ...(opts.cpu !== undefined ? { cpu: opts.cpu } : {}),
      machineProps: opts.machineProps,
      devices: opts.devices,
      ...(firmware !== undefined ? { firmware } : {}),
      ...(kernel !== undefined ? { kernel } : {}),
      ...(initrd !== undefined ? { initrd } : {}),
      ...(dtb !== undefined ? { dtb } : {}),
      ...(opts.append !== undefined ? { append: opts.append } : {}),
      ...(opts.icountShift !== undefined
        ? { clock: icountClock(platform.timebaseHz, opts.icountShift) }
        : {}),
      drives: disks,
      console: (bytes) => {
        io.stdout.write(bytes);
        engine.feed(bytes);
      },
    });
  } catch (e) {
    for (const d of drives) d.close?.();
    // An option the platform refuses (-cpu, -M properties) is a usage error too.
    if (e instanceof UsageError || (e instanceof AxError && e.kind === "InvalidInput")) {
      io.stderr.write(`axvisor emu: ${e.message}\n`);
      return ExitStatus.HostError;
    }
    return finish({ kind: "host-error", message: formatHostError(e, io.env) });
  }

  let gdb: GdbServer | undefined;
  let debugTarget: EmuDebugTarget | undefined;
  if (opts.gdbPort !== undefined) {
    const attach = machine.attachDebugger?.bind(machine);
    if (attach === undefined) {
      io.stderr.write(`axvisor emu: -gdb: the ${opts.machine} machine cannot be debugged\n`);
      return ExitStatus.HostError;
    }
    // -S: held at reset from the start; else the CPUs stop when gdb connects, as QEMU's do.
    if (opts.freeze) debugTarget = attach();
    try {
      gdb = await serveGdb({
        port: opts.gdbPort,
        target: () => {
          debugTarget ??= attach();
          return debugTarget;
        },
        onConnection: (e) => {
          if (e === "disconnected") debugTarget = undefined;
        },
      });
    } catch (e) {
      io.stderr.write(`axvisor emu: -gdb: ${(e as Error).message}\n`);
      return ExitStatus.HostError;
    }
    io.stderr.write(`axvisor emu: waiting for gdb on 127.0.0.1:${gdb.port}\n`);
  }
  engine.onMatch(() => machine.stop("expect"));
  const console = new HostConsole({
    ...(io.stdin !== undefined ? { input: io.stdin } : {}),
    messages: io.stderr,
    onInput: (bytes) => machine.sendInput(bytes),
    onQuit: () => machine.stop("quit"),
  });
  const timer =
    opts.timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => machine.stop("timeout"), opts.timeoutSeconds * 1000);
  const started = performance.now();
  console.start();
  engine.start();
  let outcome: RunOutcome;
  try {
    const exit = await machine.run();
    debugTarget?.machineEnded(exit.kind === "poweroff" ? exit.code & 0xff : 1);
    outcome = machineExitOutcome(exit, opts);
  } catch (e) {
    outcome = { kind: "host-error", message: `emulator fault: ${formatHostError(e, io.env)}` };
  } finally {
    console.stop();
    if (timer !== undefined) clearTimeout(timer);
    for (const d of drives) d.close?.();
    await gdb?.close();
  }
  if (engine.matched) outcome = { kind: "expect-matched" };
  const log = (io.env.LOG ?? "").toLowerCase();
  if (log === "debug" || log === "info") {
    const s = (performance.now() - started) / 1000;
    io.stderr.write(
      `axvisor emu: ${machine.instructions} instructions in ${s.toFixed(2)} s ` +
        `(${(machine.instructions / s / 1e6).toFixed(1)} MIPS), ` +
        `${(machine.idleMs / 1000).toFixed(2)} s idle\n`,
    );
  }
  return finish(outcome);
}

/**
 * QEMU's -icount SHIFT: each instruction is 2^SHIFT ns of guest time, whatever the board's timer
 * frequency (10 MHz on riscv virt, 62.5 MHz on arm virt, 1 GHz on the PC), so the clock's
 * instructions per tick follow from the board's timebase.
 */
export function icountClock(timebaseHz: number, shift: number): InstructionClock {
  return new InstructionClock(1e9 / (timebaseHz * 2 ** shift));
}
