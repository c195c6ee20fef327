import { emulatedDeviceTypeName } from "@axvisor/axdevice-base";
import type { LogLevel } from "@axvisor/axvisor-api";
import { VMStatus } from "@axvisor/axvm";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "@axvisor/axvmconfig";
import type { GdbServer, GdbServerOptions } from "@axvisor/gdbstub/node";
import { formatHex, MappingFlags } from "@axvisor/memory-addr";
import { readVmConfig } from "../host/read-vm-config.js";
import type { restoreSnapshotFile, saveSnapshotFile } from "../snapshot/index.js";
import type { VmInstance } from "../vmm/vm-instance.js";
import { formatVmStats } from "../vmm/vm-stats.js";
import { allocatedBytes, describeEnd, type Vmm } from "../vmm/vmm.js";
import { parseLogLevel } from "../vmm/vmm-log.js";
import { tokenize } from "./tokenize.js";

export interface VmmShellOptions {
  readonly vmm: Vmm;
  /** Where answers go; each call is whole lines ending in "\n". */
  readonly print: (text: string) => void;
  /** `exit [CODE]` / `quit`. */
  readonly onExit: (code: number) => void;
  /** Reads a VM config file (default: from the host's files, `readVmConfig`). */
  readonly loadConfig?: (path: string) => Promise<AxVMCrateConfig>;
  /** Serves gdb on a TCP port for `vm debug` (the Node host's `serveGdb`); absent: no TCP. */
  readonly serveGdb?: (options: GdbServerOptions) => Promise<GdbServer>;
  /** Snapshot files for `vm snapshot` / `vm restore` (the Node host's); absent: not offered. */
  readonly snapshots?: ShellSnapshots;
}

/** How the host writes and reads snapshot files (`snapshot/snapshot-io.ts` on Node). */
export interface ShellSnapshots {
  readonly save: typeof saveSnapshotFile;
  readonly restore: typeof restoreSnapshotFile;
}

interface Command {
  readonly usage: string;
  readonly help: string;
  run(args: string[]): Promise<void> | void;
}

const STATUS_WIDTH = 10;

/**
 * AxVisor's VMM shell (src/shell): `vm list|show|create|start|stop|suspend|resume|restart|delete`
 * (and `stats`, `debug`, `snapshot`, `restore`),
 * `log`, `help`, `exit`. Every command acts on the running VMM right away - VMs keep running
 * while the shell waits for input. Errors are printed as one line and the shell goes on.
 */
export class VmmShell {
  readonly prompt = "axvisor:$ ";
  readonly #vmm: Vmm;
  readonly #print: (text: string) => void;
  readonly #onExit: (code: number) => void;
  readonly #loadConfig: (path: string) => Promise<AxVMCrateConfig>;
  readonly #serveGdb: VmmShellOptions["serveGdb"];
  readonly #snapshots: ShellSnapshots | undefined;
  readonly #commands: Map<string, Command>;
  readonly #vmCommands: Map<string, Command>;

  constructor(options: VmmShellOptions) {
    this.#vmm = options.vmm;
    this.#print = options.print;
    this.#onExit = options.onExit;
    this.#loadConfig = options.loadConfig ?? readVmConfig;
    this.#serveGdb = options.serveGdb;
    this.#snapshots = options.snapshots;
    this.#vmCommands = new Map<string, Command>([
      ["list", { usage: "vm list", help: "list the VMs", run: () => this.#list() }],
      [
        "show",
        { usage: "vm show ID", help: "a VM's configuration and state", run: (a) => this.#show(a) },
      ],
      [
        "debug",
        {
          usage: "vm debug ID [PORT]",
          help: "stop a VM and serve gdb for it on 127.0.0.1:PORT (default 1234); other VMs run on",
          run: (a) => this.#debug(a),
        },
      ],
      [
        "stats",
        {
          usage: "vm stats [ID]",
          help: "instructions, MIPS, exits by kind and their cost, run/halted/waiting time",
          run: (a) => this.#stats(a),
        },
      ],
      [
        "snapshot",
        {
          usage: "vm snapshot ID FILE",
          help: "save a running VM whole (RAM, vCPUs, devices, timers) to FILE; it runs on",
          run: (a) => this.#snapshot(a),
        },
      ],
      [
        "restore",
        {
          usage: "vm restore FILE [--force-disk]",
          help: "bring back the VM saved in FILE, running where it stopped",
          run: (a) => this.#restore(a),
        },
      ],
      [
        "create",
        {
          usage: "vm create FILE...",
          help: "create VMs from config files (state Loaded)",
          run: (a) => this.#create(a),
        },
      ],
      [
        "start",
        {
          usage: "vm start [ID...]",
          help: "boot VMs (no ID: every Loaded or Stopped VM)",
          run: (a) => this.#start(a),
        },
      ],
      [
        "stop",
        {
          usage: "vm stop ID...",
          help: "power VMs off",
          run: (a) => this.#each(a, "stopped", (id) => this.#vmm.stopVm(id)),
        },
      ],
      [
        "suspend",
        {
          usage: "vm suspend ID...",
          help: "pause VMs, keeping their state",
          run: (a) => this.#each(a, "suspended", (id) => this.#vmm.suspendVm(id)),
        },
      ],
      [
        "resume",
        {
          usage: "vm resume ID...",
          help: "continue suspended VMs",
          run: (a) => this.#each(a, "resumed", (id) => this.#vmm.resumeVm(id)),
        },
      ],
      [
        "restart",
        {
          usage: "vm restart ID...",
          help: "reboot VMs from fresh memory and devices",
          run: (a) => this.#each(a, "restarted", (id) => this.#vmm.restartVm(id)),
        },
      ],
      [
        "delete",
        {
          usage: "vm delete ID...",
          help: "stop VMs and free them",
          run: (a) => this.#each(a, "deleted", (id) => this.#vmm.deleteVm(id)),
        },
      ],
    ]);
    this.#commands = new Map<string, Command>([
      [
        "vm",
        {
          usage: "vm SUBCOMMAND ...",
          help: "manage VMs (vm help lists the subcommands)",
          run: (a) => this.#vm(a),
        },
      ],
      [
        "log",
        {
          usage: "log [LEVEL]",
          help: "show or set the log level (error, warn, info, debug, trace)",
          run: (a) => this.#log(a),
        },
      ],
      ["help", { usage: "help [COMMAND]", help: "this list", run: (a) => this.#help(a) }],
      [
        "exit",
        {
          usage: "exit [CODE]",
          help: "stop every VM and leave axvisor",
          run: (a) => this.#exit(a),
        },
      ],
    ]);
  }

  /** Runs one input line. Never throws: problems are printed. */
  async execute(line: string): Promise<void> {
    let words: string[];
    try {
      words = tokenize(line);
    } catch (e) {
      this.#error((e as Error).message);
      return;
    }
    const [name, ...args] = words;
    if (name === undefined) return;
    const cmd = this.#commands.get(name === "quit" ? "exit" : name);
    if (cmd === undefined) {
      this.#error(`unknown command '${name}' (try help)`);
      return;
    }
    try {
      await cmd.run(args);
    } catch (e) {
      this.#error(e instanceof Error ? e.message : String(e));
    }
  }

  #out(lines: string | readonly string[]): void {
    const text = typeof lines === "string" ? lines : lines.join("\n");
    this.#print(`${text}\n`);
  }

  #error(message: string): void {
    this.#out(message.split("\n").map((l, i) => (i === 0 ? `error: ${l}` : `  ${l}`)));
  }

  #help(args: string[]): void {
    const which = args[0];
    if (which !== undefined) {
      const c = this.#commands.get(which) ?? this.#vmCommands.get(which);
      if (c === undefined) throw new Error(`no command '${which}'`);
      this.#out(`${c.usage}\n  ${c.help}`);
      if (which === "vm") this.#vmHelp();
      return;
    }
    const rows: [string, string][] = [];
    for (const c of this.#vmCommands.values()) rows.push([c.usage, c.help]);
    for (const [n, c] of this.#commands) if (n !== "vm") rows.push([c.usage, c.help]);
    const w = Math.max(...rows.map(([u]) => u.length));
    this.#out(rows.map(([u, h]) => `  ${u.padEnd(w)}  ${h}`));
  }

  #vmHelp(): void {
    const rows = [...this.#vmCommands.values()].map((c) => [c.usage, c.help] as const);
    const w = Math.max(...rows.map(([u]) => u.length));
    this.#out(rows.map(([u, h]) => `  ${u.padEnd(w)}  ${h}`));
  }

  async #vm(args: string[]): Promise<void> {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === "help") {
      this.#vmHelp();
      return;
    }
    const c = this.#vmCommands.get(sub);
    if (c === undefined) throw new Error(`unknown vm subcommand '${sub}' (try vm help)`);
    await c.run(rest);
  }

  #ids(args: string[], usage: string): number[] {
    const ids = args.filter((a) => !a.startsWith("-"));
    if (ids.length === 0) throw new Error(`usage: ${usage}`);
    return ids.map((a) => {
      if (!/^\d+$/.test(a)) throw new Error(`'${a}' is not a VM id`);
      return Number(a);
    });
  }

  #each(args: string[], done: string, op: (id: number) => void): void {
    const usage = `vm ${done === "stopped" ? "stop" : done.replace(/e?d$/, "")} ID...`;
    for (const id of this.#ids(args, usage)) {
      try {
        const name = this.#vmm.vm(id).name;
        op(id);
        this.#out(`VM ${id} "${name}" ${done}`);
      } catch (e) {
        this.#error(e instanceof Error ? e.message : String(e));
      }
    }
  }

  #list(): void {
    const vms = this.#vmm.vms;
    if (vms.length === 0) {
      this.#out("no VMs (vm create FILE adds one)");
      return;
    }
    const rows = vms.map((vm) => [
      String(vm.id),
      vm.name,
      vm.status,
      String(vm.config.base.cpuNum),
      mib(allocatedBytes(vm.config)),
      vm.status === VMStatus.Running || vm.status === VMStatus.Suspended ? vm.vcpuSummary() : "-",
    ]);
    const head = ["ID", "NAME", "STATE", "VCPU", "MEMORY", "VCPU STATE"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    widths[2] = Math.max(widths[2]!, STATUS_WIDTH);
    const fmt = (r: string[]) =>
      r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
    this.#out([fmt(head), ...rows.map(fmt)]);
  }

  async #debug(args: string[]): Promise<void> {
    const [id, portText] = args.filter((a) => !a.startsWith("-"));
    if (
      id === undefined ||
      !/^\d+$/.test(id) ||
      (portText !== undefined && !/^\d+$/.test(portText))
    ) {
      throw new Error("usage: vm debug ID [PORT]");
    }
    const serveGdb = this.#serveGdb;
    if (serveGdb === undefined) throw new Error("vm debug: this host cannot serve gdb (no TCP)");
    const vm = this.#vmm.vm(Number(id));
    if (vm.status !== VMStatus.Running)
      throw new Error(`VM ${vm.id} "${vm.name}" is ${vm.status}, not Running`);
    const target = this.#vmm.attachDebugger(vm.id);
    let server: GdbServer;
    try {
      server = await serveGdb({
        port: portText === undefined ? 1234 : Number(portText),
        target,
        // One session: when gdb detaches (or the VM ends) the port closes again.
        onConnection: (e) => {
          if (e === "disconnected") void server.close();
        },
      });
    } catch (e) {
      target.detach();
      throw e;
    }
    this.#out(`VM ${vm.id} "${vm.name}" stopped; gdb: target remote 127.0.0.1:${server.port}`);
  }

  #stats(args: string[]): void {
    const ids = args.filter((a) => !a.startsWith("-"));
    const vms =
      ids.length === 0
        ? this.#vmm.vms
        : this.#ids(ids, "vm stats [ID]").map((id) => this.#vmm.vm(id));
    if (vms.length === 0) {
      this.#out("no VMs (vm create FILE adds one)");
      return;
    }
    this.#out(vms.flatMap((vm) => formatVmStats(`${vm.id} "${vm.name}"`, vm.stats)));
  }

  #snapshot(args: string[]): void {
    const [id, file, ...extra] = args;
    if (id === undefined || file === undefined || extra.length > 0) {
      throw new Error("usage: vm snapshot ID FILE");
    }
    const [vmId] = this.#ids([id], "vm snapshot ID FILE");
    const vm = this.#vmm.vm(vmId!);
    const bytes = this.#snapshotFiles("vm snapshot").save(this.#vmm, vm.id, file);
    this.#out(`VM ${vm.id} "${vm.name}" saved to ${file} (${formatSize(bytes)})`);
  }

  #restore(args: string[]): void {
    const force = args.includes("--force-disk");
    const unknown = args.find((a) => a.startsWith("-") && a !== "--force-disk");
    if (unknown !== undefined) {
      throw new Error(`unknown option '${unknown}' (usage: vm restore FILE [--force-disk])`);
    }
    const files = args.filter((a) => !a.startsWith("-"));
    if (files.length !== 1) throw new Error("usage: vm restore FILE [--force-disk]");
    const vm = this.#snapshotFiles("vm restore").restore(
      this.#vmm,
      files[0]!,
      force ? { forceDisk: true } : {},
    );
    this.#out(`VM ${vm.id} "${vm.name}" restored from ${files[0]} (${vm.status})`);
  }

  #snapshotFiles(command: string): ShellSnapshots {
    if (this.#snapshots === undefined)
      throw new Error(`${command}: this host has no snapshot files`);
    return this.#snapshots;
  }

  #show(args: string[]): void {
    const [id] = this.#ids(args, "vm show ID");
    this.#out(describeVm(this.#vmm, this.#vmm.vm(id!)));
  }

  async #create(args: string[]): Promise<void> {
    const files = args.filter((a) => !a.startsWith("-"));
    if (files.length === 0) throw new Error("usage: vm create FILE...");
    for (const f of files) {
      try {
        const config = await this.#loadConfig(f);
        const vm = this.#vmm.createVm(config);
        this.#out(`VM ${vm.id} "${vm.name}" created (${vm.status}); vm start ${vm.id} boots it`);
      } catch (e) {
        this.#error(e instanceof Error ? e.message : String(e));
      }
    }
  }

  #start(args: string[]): void {
    let ids = args.filter((a) => !a.startsWith("-"));
    if (ids.length === 0) {
      ids = this.#vmm.vms
        .filter((v) => v.status === VMStatus.Loaded || v.status === VMStatus.Stopped)
        .map((v) => String(v.id));
      if (ids.length === 0) {
        this.#out("no VM is Loaded or Stopped");
        return;
      }
    }
    this.#each(ids, "started", (id) => this.#vmm.startVm(id));
  }

  #log(args: string[]): void {
    const log = this.#vmm.log;
    if (args[0] === undefined) {
      this.#out(`log level: ${log.level}`);
      return;
    }
    const level: LogLevel = parseLogLevel(args[0], "log");
    log.level = level;
    this.#out(`log level: ${level}`);
  }

  #exit(args: string[]): void {
    const code = args[0] === undefined ? 0 : Number(args[0]);
    if (!Number.isInteger(code) || code < 0 || code > 255)
      throw new Error("usage: exit [CODE] (0..255)");
    this.#onExit(code);
  }
}

function mib(n: number): string {
  return n % (1 << 20) === 0 ? `${n / (1 << 20)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

function flagString(f: number): string {
  const bits: [number, string][] = [
    [MappingFlags.READ, "R"],
    [MappingFlags.WRITE, "W"],
    [MappingFlags.EXECUTE, "X"],
    [MappingFlags.USER, "U"],
    [MappingFlags.DEVICE, "D"],
    [MappingFlags.UNCACHED, "C"],
  ];
  return bits.map(([b, c]) => (f & b ? c : "-")).join("");
}

const MAP_TYPES: Record<VmMemMappingType, string> = {
  [VmMemMappingType.MapAlloc]: "alloc",
  [VmMemMappingType.MapIdentical]: "identical",
  [VmMemMappingType.MapReserved]: "reserved",
};

/** `vm show`: what a VM is built from and where it stands. */
export function describeVm(vmm: Vmm, vm: VmInstance): string[] {
  const c = vm.config;
  const ids = c.base.physCpuIds ?? Array.from({ length: c.base.cpuNum }, (_, i) => i);
  const lines = [
    `VM ${vm.id} "${vm.name}"`,
    `  state:        ${vm.status}${vm.end !== undefined && vm.status === VMStatus.Stopped ? ` (${describeEnd(vm.end)})` : ""}`,
    `  type:         ${VmType[c.base.vmType] ?? c.base.vmType}`,
    `  config:       ${c.source ?? "(built in)"}`,
  ];
  lines.push(`  vCPUs:        ${c.base.cpuNum}`);
  vm.slots.forEach((s, i) => {
    const where = s.lastHart >= 0 ? `, last on hart ${s.lastHart}` : "";
    lines.push(`    vCPU ${i}: hart id ${ids[i] ?? i}, ${s.state}${where}`);
  });
  let root: string;
  try {
    root = formatHex(vm.axvm.eptRoot());
  } catch {
    root = "none";
  }
  lines.push(`  nested paging: ${vm.axvm.pageTableFormat}, VMID ${vm.vmid}, root ${root}`);
  lines.push("  memory:");
  for (const r of c.kernel.memoryRegions) {
    lines.push(
      `    ${formatHex(r.gpa)}..${formatHex(r.gpa + r.size)} ${mib(r.size)} ${flagString(r.flags)} ${MAP_TYPES[r.mapType] ?? r.mapType}`,
    );
  }
  lines.push("  emulated devices:");
  if (c.devices.emuDevices.length === 0) lines.push("    none");
  for (const d of c.devices.emuDevices) {
    const irq = d.irqId > 0 ? `, irq ${d.irqId}` : "";
    lines.push(
      `    ${d.name}: ${emulatedDeviceTypeName(d.emuType)} at ${formatHex(d.baseGpa)}..${formatHex(d.baseGpa + d.length)}${irq}`,
    );
  }
  const pt = c.devices.passthroughDevices;
  lines.push(
    pt.length === 0 && c.devices.passthroughAddresses.length === 0
      ? "  passthrough:  none"
      : "  passthrough:",
  );
  for (const d of pt) {
    lines.push(
      `    ${d.name}: ${formatHex(d.baseGpa)} -> host ${formatHex(d.baseHpa)} (${formatHex(d.length)} bytes)${d.irqId > 0 ? `, irq ${d.irqId}` : ""}`,
    );
  }
  for (const a of c.devices.passthroughAddresses) {
    lines.push(`    ${formatHex(a.baseGpa)}..${formatHex(a.baseGpa + a.length)}`);
  }
  lines.push(vm.imageSummary.length === 0 ? "  images:       none" : "  images:");
  for (const s of vm.imageSummary) lines.push(`    ${s}`);
  if (c.kernel.cmdline !== undefined) lines.push(`  cmdline:      ${c.kernel.cmdline}`);
  lines.push(`  console input: ${vm.console.inputTarget}`);
  const ivc = vmm.ivc.describe(vm.id);
  if (ivc.length > 0) lines.push("  IVC channels:", ...ivc.map((l) => `    ${l}`));
  lines.push(`  guest faults: ${vm.axvm.guestFaultCount}, restarts: ${vm.restarts}`);
  return lines;
}

function formatSize(bytes: number): string {
  return bytes >= 1 << 20
    ? `${(bytes / (1 << 20)).toFixed(1)} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`;
}
