import { VMStatus } from "@axvisor/axvm";
import { type GdbServer, serveGdb } from "@axvisor/gdbstub/node";
import { ExpectEngine } from "../console/expect-engine.js";
import { formatHostError, UsageError } from "../errors.js";
import { describeOutcome, ExitStatus, exitStatusFor, type RunOutcome } from "../exit-status.js";
import type { CliIo } from "../io.js";
import { createHostBoard } from "../platform/host-of.js";
import { vcpuThreadRunner } from "../platforms/node.js";
import { restoreSnapshotFile, restoreVm, saveSnapshotFile } from "../snapshot/index.js";
import { ConsoleMux } from "./console-mux.js";
import { type HostPlan, planHost } from "./host-setup.js";
import { parseVmmArgs, type VmmCommandOptions, vmmHelp } from "./run-options.js";
import type { ThreadedVm } from "./vcpu-threads.js";
import type { VmInstance } from "./vm-instance.js";
import { formatVmStats } from "./vm-stats.js";
import { describeEnd, Vmm } from "./vmm.js";
import { VmmLog } from "./vmm-log.js";
import { VmmTerminal } from "./vmm-terminal.js";

/** A VMM with its VMs created, its terminal and log: what `run` and `shell` share. */
export interface VmmSession {
  readonly vmm: Vmm;
  readonly mux: ConsoleMux;
  readonly plan: HostPlan;
}

/**
 * Builds the host machine and the VMM, and creates the planned VMs (status Loaded). Throws
 * with a one-line reason; VMs created before a failure are deleted again.
 */
export async function openSession(
  opts: VmmCommandOptions,
  io: CliIo,
  command: "run" | "shell",
  hooks: {
    onOutput?: (vm: VmInstance, shown: Uint8Array) => void;
    onVmEnd?: (vm: VmInstance) => void;
  } = {},
): Promise<VmmSession> {
  const plan = await planHost(opts, io.env, command);
  const mux = new ConsoleMux({ out: io.stdout, err: io.stderr, raw: io.stdin?.isTTY === true });
  const log = new VmmLog({ level: plan.logLevel, sink: (l) => mux.line(l) });
  const machine = createHostBoard(plan.platform, {
    cpus: plan.harts,
    ramSize: plan.memory,
    vms: plan.vms.map((v) => v.config),
  });
  const vmm = new Vmm({
    machine,
    log,
    ...(opts.disk !== undefined ? { fsDisk: opts.disk } : {}),
    onOutput: (vm, bytes) => {
      const shown = mux.guest(vm.label, bytes);
      hooks.onOutput?.(vm, shown);
    },
    onNotice: (m) => mux.line(`axvisor: ${m}`),
    onVmEnd: (vm, end) => {
      // A lone guest powering off cleanly says so itself; anything else is worth a line.
      const quiet =
        end.kind === "stopped" || (end.kind === "poweroff" && end.reason === 0 && !mux.labelled);
      if (!quiet) mux.line(`axvisor: VM ${vm.id} "${vm.name}" ${describeEnd(end)}`);
      hooks.onVmEnd?.(vm);
    },
  });
  try {
    for (const v of plan.vms) vmm.createVm(v.config, v.disk !== undefined ? { disk: v.disk } : {});
    if (plan.restore !== undefined) {
      const vm = restoreVm(vmm, plan.restore, {
        file: plan.restore.file,
        ...(opts.forceDisk === true ? { forceDisk: true } : {}),
      });
      mux.line(`axvisor: VM ${vm.id} "${vm.name}" restored from ${plan.restore.file}`);
    }
  } catch (e) {
    vmm.shutdown();
    throw e;
  }
  mux.labelled = command === "shell" || plan.vms.length > 1;
  return { vmm, mux, plan };
}

/** How the run ended once every VM stopped: the worst of their ends. */
function outcomeOfVms(vms: readonly VmInstance[]): RunOutcome {
  for (const vm of vms) {
    if (vm.end?.kind === "crashed") {
      return { kind: "host-error", message: `VM ${vm.id} "${vm.name}": ${vm.end.message}` };
    }
  }
  for (const vm of vms) {
    if (vm.end?.kind === "poweroff" && vm.end.reason !== 0) {
      return {
        kind: "poweroff",
        success: false,
        code: vm.end.reason,
        source: `VM ${vm.id} SBI SRST`,
      };
    }
  }
  return { kind: "poweroff", success: true, code: 0, source: "SBI SRST" };
}

/**
 * `axvisor run VM.toml...`: boots every VM at once, connects the consoles (Ctrl-A c: the VMM
 * shell), runs the expect script, and turns the way the run ended into an exit status.
 */
export async function runVmm(argv: readonly string[], io: CliIo): Promise<number> {
  let opts: VmmCommandOptions;
  try {
    opts = parseVmmArgs(argv, "run");
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`axvisor run: ${e.message}\n`);
      return ExitStatus.HostError;
    }
    throw e;
  }
  if (opts.help) {
    io.stdout.write(vmmHelp("run"));
    return ExitStatus.Success;
  }
  const threads = opts.threads ?? 1;
  if (threads > 1) {
    const clash =
      opts.gdbPort !== undefined
        ? "--gdb"
        : opts.restore !== undefined
          ? "--restore"
          : opts.stats === true
            ? "--stats"
            : undefined;
    if (clash !== undefined) {
      io.stderr.write(`axvisor run: ${clash} needs --threads 1 (one scheduler loop)\n`);
      return ExitStatus.HostError;
    }
  }
  const expecting = opts.expect !== undefined;
  const finish = (outcome: RunOutcome, code?: number): number => {
    const line = describeOutcome(outcome, expecting);
    if (line !== undefined) io.stderr.write(`axvisor run: ${line}\n`);
    return code ?? exitStatusFor(outcome, expecting);
  };

  let resolveEnd: (o: RunOutcome) => void = () => {};
  const ended = new Promise<RunOutcome>((r) => {
    resolveEnd = r;
  });
  let outcome: RunOutcome | undefined;
  let shellExitCode: number | undefined;
  let session: VmmSession | undefined;
  let terminal: VmmTerminal | undefined;
  let threaded: ThreadedVm | undefined;
  const end = (o: RunOutcome) => {
    if (outcome !== undefined) return;
    outcome = o;
    threaded?.stop();
    session?.vmm.quit();
    resolveEnd(o);
  };
  /** The VM whose output the expect engine is reading, so send-after types into it. */
  let feeding: number | undefined;
  const engine = new ExpectEngine(
    { sendAfter: opts.sendAfter, ...(opts.expect !== undefined ? { expect: opts.expect } : {}) },
    (text) => {
      const id = feeding ?? terminal?.focus;
      if (id !== undefined && session?.vmm.hasVm(id)) session.vmm.sendInput(id, text);
    },
  );
  engine.onMatch(() => end({ kind: "expect-matched" }));
  const allStopped = () => {
    const vms = session?.vmm.vms ?? [];
    if (terminal?.shellOpen === true) return;
    if (vms.every((v) => v.status === VMStatus.Stopped)) end(outcomeOfVms(vms));
  };

  try {
    session = await openSession(opts, io, "run", {
      onOutput: (vm, shown) => {
        feeding = vm.id;
        try {
          engine.feed(shown);
        } finally {
          feeding = undefined;
        }
      },
      onVmEnd: () => queueMicrotask(allStopped),
    });
  } catch (e) {
    return finish({ kind: "host-error", message: formatHostError(e, io.env) });
  }
  const { vmm, mux } = session;
  const runner = threads > 1 ? vcpuThreadRunner(vmm.machine.platform) : undefined;
  const refusal =
    threads <= 1
      ? undefined
      : runner === undefined
        ? `--threads ${threads}: the ${vmm.machine.platform.name} host runs vCPUs on one thread (use --threads 1)`
        : runner.refusal(vmm, threads);
  if (refusal !== undefined) {
    vmm.shutdown();
    return finish({ kind: "host-error", message: refusal });
  }
  terminal = new VmmTerminal({
    io,
    vmm,
    mux,
    shellOnly: false,
    serveGdb,
    snapshots: { save: saveSnapshotFile, restore: restoreSnapshotFile },
    onQuit: () => end({ kind: "quit" }),
    onShellClose: allStopped,
    onExit: (code) => {
      shellExitCode = code;
      end({ kind: "quit" });
    },
  });
  const timer =
    opts.timeoutSeconds === undefined
      ? undefined
      : setTimeout(
          () => end({ kind: "timeout", seconds: opts.timeoutSeconds ?? 0 }),
          opts.timeoutSeconds * 1000,
        );
  let gdb: GdbServer | undefined;
  if (opts.gdbPort !== undefined) {
    try {
      gdb = await startGdb(
        vmm,
        opts.gdbPort,
        opts.gdbVm,
        (m) => mux.line(m),
        () => end({ kind: "quit" }),
      );
    } catch (e) {
      vmm.shutdown();
      return finish({ kind: "host-error", message: formatHostError(e, io.env) });
    }
  }
  const offSignal = io.onSignal?.((signal) => end({ kind: "signal", signal }));
  const started = performance.now();
  terminal.start();
  const loop = vmm
    .run()
    .catch((e: unknown) =>
      end({ kind: "host-error", message: `VMM failure: ${formatHostError(e, io.env)}` }),
    );
  // A restored VM is running already.
  for (const vm of vmm.vms) if (vm.status === VMStatus.Loaded) vmm.startVm(vm.id);
  const first = vmm.vms[0];
  if (runner !== undefined && first !== undefined) threaded = runner.run(vmm, first, threads);
  // A step whose pattern matches the empty output (`--send-after '' TEXT`) types at once:
  // a restored VM prints nothing until it is given something to answer.
  engine.start();
  const result = await ended;
  if (opts.stats === true) {
    for (const vm of vmm.vms) {
      for (const line of formatVmStats(`${vm.id} "${vm.name}"`, vm.stats)) mux.line(line);
    }
  }
  threaded?.stop();
  await threaded?.done;
  vmm.shutdown();
  await loop;
  await gdb?.close();
  offSignal?.();
  terminal.stop();
  if (timer !== undefined) clearTimeout(timer);
  const level = vmm.log.level;
  if (level === "info" || level === "debug" || level === "trace") {
    const s = (performance.now() - started) / 1000;
    mux.line(
      `axvisor run: ${vmm.instructions} guest instructions in ${s.toFixed(2)} s (${(vmm.instructions / s / 1e6).toFixed(1)} MIPS)`,
    );
  }
  return finish(engine.matched ? { kind: "expect-matched" } : result, shellExitCode);
}

/** `--gdb PORT`: the VM stopped before its first instruction, a gdb stub listening for it. */
async function startGdb(
  vmm: Vmm,
  port: number,
  vmId: number | undefined,
  say: (line: string) => void,
  onKill: () => void,
): Promise<GdbServer> {
  const id = vmId ?? vmm.vms[0]?.id;
  if (id === undefined) throw new UsageError("--gdb: there is no VM to debug");
  const target = vmm.attachDebugger(id, { onKill });
  const server = await serveGdb({
    port,
    target,
    onConnection: (e) => say(`axvisor: gdb ${e} (VM ${id})`),
  });
  say(
    `axvisor: VM ${id} waits for gdb on 127.0.0.1:${server.port} (target remote :${server.port})`,
  );
  return server;
}
