import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { AxError } from "@axvisor/axerrno";
import { VMStatus } from "@axvisor/axvm";
import { Ns16550a } from "@axvisor/device-ns16550a";
import { shareRam } from "@axvisor/machine";
import { type AccessWidth, gpa, MappingFlags } from "@axvisor/memory-addr";
import type { RiscvVCpu } from "@axvisor/riscv-vcpu";
import type { ThreadedVm, VcpuThreadRunner } from "../../../vmm/vcpu-threads.js";
import type { VmEnd, VmInstance } from "../../../vmm/vm-instance.js";
import type { Vmm } from "../../../vmm/vmm.js";
import type { RiscvHostBoard } from "../host-board.js";
import { CallCounts } from "./call-counts.js";
import { InOrder } from "./in-order.js";
import {
  MAX_WORKERS,
  SharedRiscvVmContext,
  SharedVmState,
  VcpuRun,
  VcpuWord,
} from "./shared-vm-state.js";
import {
  LINE_STATUS_UNKNOWN,
  LineStatusWord,
  Mailbox,
  type PostedWrite,
  type VcpuWorkerData,
  type VcpuWorkerMessage,
  type WorkerCall,
} from "./vcpu-thread-protocol.js";

/** How often the main thread checks whether the shell took the VM out of Running. */
const STATUS_POLL_MS = 50;

/** The guest's supervisor external interrupt: the only level line (from the vPLIC). */
const S_EXTERNAL = 9;

/**
 * V8's budget (roughly bytes of wasm executed) before it recompiles a JIT region with its
 * optimising compiler on a background thread; V8's default is 1.8 M. With every host core
 * running a vCPU worker, that recompiling competes with the workers for the cores (a
 * Linux smp2 boot spent 3.0-4.4 s CPU in V8's background threads against 3.5-3.9 s in the
 * two workers), and it buys little for an OS boot's lukewarm code: only code hotter than
 * this (the kernel's inflate loop) is still recompiled.
 */
const WASM_TIERING_BUDGET = 180_000_000;

export type { ThreadedVm } from "../../../vmm/vcpu-threads.js";

/**
 * Why `vm` cannot run on `threads` worker threads, or undefined when it can. Threads need the
 * riscv64 host (its vCPU exit path is the one with a per-thread copy) and one VM at a time.
 */
export function threadedRunRefusal(vmm: Vmm, threads: number): string | undefined {
  if (vmm.machine.platform.arch !== "riscv64") {
    return `--threads ${threads}: the riscv64 runner was asked to run a ${vmm.machine.platform.arch} host's vCPUs`;
  }
  if (threads > MAX_WORKERS) return `--threads ${threads}: at most ${MAX_WORKERS} threads`;
  if (threads > vmm.machine.cpuCount) {
    return `--threads ${threads}: the host has only ${vmm.machine.cpuCount} CPUs (--cpus)`;
  }
  if (vmm.vms.length !== 1) {
    return `--threads ${threads}: a threaded run takes one VM (${vmm.vms.length} given)`;
  }
  if (typeof SharedArrayBuffer === "undefined" || shareRam(hostRam(vmm)) === undefined) {
    return `--threads ${threads}: host RAM is not a shared WebAssembly memory here`;
  }
  return undefined;
}

function hostRam(vmm: Vmm): Uint8Array {
  return (vmm.machine as RiscvHostBoard).board.ram;
}

/**
 * Runs the vCPUs of `vm` (started, status Running) on `threads` workers, vCPU v on worker
 * v mod threads. The main thread keeps the VM's devices, console and frame allocator and
 * serves the workers' calls for them; its own scheduler no longer runs this VM's vCPUs.
 */
export function runVmOnThreads(
  vmm: Vmm,
  vm: VmInstance,
  threads: number,
  opts: { readonly jit?: boolean } = {},
): ThreadedVm {
  const board = vmm.machine as RiscvHostBoard;
  const ram = shareRam(board.board.ram);
  if (ram === undefined) throw new Error("threaded run: host RAM is not shared");
  // Process-wide, read when a wasm instance is made: the workers' regions (made from here on)
  // get it; the main thread's harts do not run this VM's code any more.
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  const n = vm.config.base.cpuNum;
  const hartIds = Array.from({ length: n }, (_, v) => vm.config.base.physCpuIds?.[v] ?? v);
  const state = SharedVmState.allocate(n);
  const uarts = vm.axvm.devices
    .mmioDevicesOfType(EmulatedDeviceType.Console)
    .filter((d) => d.device instanceof Ns16550a);
  const uart = uarts[0]?.device as Ns16550a | undefined;
  const lineStatus = new Int32Array(new SharedArrayBuffer(4 * LineStatusWord.words));
  const publishLineStatus = (): void => {
    if (uart !== undefined) {
      Atomics.store(lineStatus, LineStatusWord.lsr, uart.lineStatus ?? LINE_STATUS_UNKNOWN);
    }
  };
  publishLineStatus();
  new SharedRiscvVmContext(
    vm.id,
    vm.vmid,
    { write() {}, read: () => new Uint8Array() },
    state,
    hartIds,
  ).initialise();
  Atomics.store(state.words, state.vcpuWord(0, VcpuWord.run), VcpuRun.Running);
  for (let v = 0; v < n; v++) {
    if (hostCpuOf(vm, v, threads) < 0) {
      throw new Error(
        `VM ${vm.id}: phys_cpu_sets keeps vCPU ${v} off the first ${threads} host CPUs, which are the threads`,
      );
    }
  }
  vmm.routeInterrupts(vm.id, {
    inject: (v, vector) => {
      Atomics.or(state.words, state.vcpuWord(v, VcpuWord.pending), 1 << vector);
      state.wakeWorker(hostCpuOf(vm, v, threads));
    },
    setLevel: (v, vector, level) => {
      if (vector !== S_EXTERNAL) return;
      // Typed input raises the UART's line (when the guest enabled it) before it reaches here.
      publishLineStatus();
      Atomics.store(state.words, state.vcpuWord(v, VcpuWord.external), level ? 1 : 0);
      state.wakeWorker(hostCpuOf(vm, v, threads));
    },
  });
  // The main scheduler leaves these vCPUs alone: the workers own them now.
  for (const slot of vm.slots) slot.started = false;
  const boot = vm.axvm.vcpu(0).arch as unknown as RiscvVCpu;
  const common = {
    workers: threads,
    ram,
    ramBase: Number(board.memory.ramBase),
    state: state.buffer,
    vmId: vm.id,
    vmid: vm.vmid,
    hartIds,
    eptRoot: Number(vm.axvm.eptRoot()),
    gstageLevels: vm.axvm.pageTableFormat === "sv48x4" ? 4 : 3,
    sstc: board.guestSstc,
    // The same slice as on one thread: a worker looks at its mailbox words between slices.
    slice: vmm.sliceInstructions,
    dtbAddr: vm.config.kernel.dtbLoadAddr ?? 0x9000_0000,
    boot: { pc: boot.getPc(), a0: boot.getGpr(10), a1: boot.getGpr(11) },
    clock: {
      ticks: board.clock.now(),
      wallMs: performance.timeOrigin + performance.now(),
      hz: board.timebaseHz,
    },
    jit: opts.jit,
    postedWrites: uarts.map((d) => [d.start, d.end] as const),
    lineStatus:
      uart === undefined ? undefined : { addr: uart.lineStatusAddress, word: lineStatus.buffer },
    placement: hartIds.map((_, v) => hostCpuOf(vm, v, threads)),
  } as const;
  const url = new URL(
    import.meta.url.endsWith(".ts")
      ? "../../../../dist/platforms/riscv64-qemu-virt/threads/vcpu-worker.js"
      : "./vcpu-worker.js",
    import.meta.url,
  );
  let ended: VmEnd | undefined;
  // What the workers send is served in one VM-wide order (see `InOrder`).
  const inOrder = new InOrder();
  let instructions = 0;
  const calls = process.env.AXVISOR_THREADS_STATS === "1" ? new CallCounts() : undefined;
  let ready = 0;
  let started: (at: number) => void = () => {};
  const startedAt = new Promise<number>((r) => {
    started = r;
  });
  const end = (e: VmEnd): void => {
    if (ended === undefined) ended = e;
    state.stopAll(threads);
  };
  const workers = Array.from({ length: threads }, (_, w) => {
    const mailbox = new SharedArrayBuffer(Mailbox.bytes);
    const workerData: VcpuWorkerData = {
      ...common,
      worker: w,
      mailbox,
      vcpus: hartIds.map((_, v) => v).filter((v) => hostCpuOf(vm, v, threads) === w),
    };
    const worker = new Worker(url, { workerData, execArgv: [] });
    const box = new Int32Array(mailbox, 0, 8);
    const bytes = new Uint8Array(mailbox, Mailbox.dataAt);
    const left = new Promise<void>((resolve) => {
      worker.on("message", (m: VcpuWorkerMessage) => {
        switch (m.kind) {
          case "call":
            inOrder.run(m.seq, () => {
              calls?.count(m.call, vm);
              const a = serve(vm, m.call);
              publishLineStatus();
              answer(box, bytes, a);
              // A device may have transmitted (the UART): output leaves as the guest writes it.
              vm.console.flush();
            });
            return;
          case "console":
            inOrder.run(m.seq, () => {
              vm.console.write(m.bytes);
              vm.console.flush();
            });
            return;
          case "posted":
            inOrder.run(m.seq, () => {
              calls?.countPosted(m.write, vm);
              postWrite(vm, m.write);
              publishLineStatus();
              Atomics.add(lineStatus, LineStatusWord.served, 1);
              vm.console.flush();
            });
            return;
          case "poweroff":
            end({ kind: "poweroff", reason: m.reason });
            return;
          case "crashed":
            end({ kind: "crashed", message: m.message });
            return;
          case "left":
            instructions += m.instructions;
            return;
          case "ready":
            if (++ready === threads) {
              state.release();
              started(performance.now());
            }
            return;
        }
      });
      worker.once("error", (e) => end({ kind: "crashed", message: `host CPU ${w}: ${e.message}` }));
      worker.once("exit", (code) => {
        if (!state.stopped) {
          end({ kind: "crashed", message: `host CPU ${w}: its thread exited (${code})` });
        }
        resolve();
      });
    });
    return left;
  });
  // The shell may stop, suspend, restart or delete the VM meanwhile: its workers then stop
  // (a threaded VM is not suspended or restarted in place yet).
  const watch = setInterval(() => {
    // Input typed while the guest polls LSR with its interrupts off shows within this period.
    publishLineStatus();
    if (vm.status !== VMStatus.Running && !state.stopped) {
      end({ kind: "stopped" });
    }
  }, STATUS_POLL_MS);
  const done = Promise.all(workers).then(() => {
    clearInterval(watch);
    if (calls !== undefined) process.stderr.write(calls.report());
    started(performance.now());
    vm.console.flush();
    vmm.endVm(vm.id, ended ?? { kind: "stopped" });
  });
  return {
    done,
    started: startedAt,
    stop: () => end({ kind: "stopped" }),
    get instructions() {
      return instructions;
    },
  };
}

/**
 * The host CPU (= worker) vCPU `v` runs on: the first its phys_cpu_sets allows, else
 * v mod threads; -1 when its set allows none of the threads.
 */
export function hostCpuOf(vm: VmInstance, v: number, threads: number): number {
  const set = vm.config.base.physCpuSets?.[v];
  if (set === undefined) return v % threads;
  for (let c = 0; c < threads; c++) if ((BigInt(set) >> BigInt(c)) & 1n) return c;
  return -1;
}

/**
 * Serves a posted store. The worker posts only byte stores inside a 16550's range, which its
 * bus accepts and which cannot fail, so a failure here is a VMM bug: it ends the VM.
 */
function postWrite(vm: VmInstance, w: PostedWrite): void {
  const r = vm.axvm.devices.handleMmioWrite(gpa(w.addr), 1, BigInt(w.data), { vcpuId: w.vcpu });
  if (!r.ok) throw new Error(`posted UART store at 0x${w.addr.toString(16)}: ${r.error.message}`);
}

/** The answer of one call: ok or a failure message, a value, bytes (console input). */
interface Answer {
  readonly ok: boolean;
  /** A guest page got its frame: the worker's hart must forget that it faulted. */
  readonly mapped?: boolean;
  readonly value?: bigint;
  readonly bytes?: Uint8Array;
}

function serve(vm: VmInstance, call: WorkerCall): Answer {
  try {
    switch (call.op) {
      case "console-read":
        return {
          ok: true,
          bytes: vm.console.read(Math.min(call.max, Mailbox.bytes - Mailbox.dataAt)),
        };
      case "mmio-read": {
        const addr = gpa(call.addr);
        const width = call.width as AccessWidth;
        const devices = vm.axvm.devices;
        if (devices.findMmioDevice(addr) === undefined) {
          const lazy = lazyRamLoad(vm, call.addr, width, call.signExtend);
          if (lazy !== null) return lazy;
        }
        const r = devices.handleMmioRead(addr, width, call.signExtend, { vcpuId: call.vcpu });
        if (r.ok) return { ok: true, value: r.value };
        return lazyRamLoad(vm, call.addr, width, call.signExtend) ?? failed(r.error.message);
      }
      case "mmio-write": {
        const addr = gpa(call.addr);
        const width = call.width as AccessWidth;
        const devices = vm.axvm.devices;
        if (devices.findMmioDevice(addr) === undefined) {
          const lazy = lazyRamStore(vm, call.addr, width, call.data);
          if (lazy !== null) return lazy;
        }
        const r = devices.handleMmioWrite(addr, width, call.data, { vcpuId: call.vcpu });
        if (r.ok) return { ok: true };
        return lazyRamStore(vm, call.addr, width, call.data) ?? failed(r.error.message);
      }
      case "page-fault": {
        const handled = vm.axvm.addrSpace.handlePageFault(
          gpa(call.addr),
          call.flags as MappingFlags,
        );
        return handled
          ? { ok: true, mapped: true }
          : failed(`no guest memory at 0x${call.addr.toString(16)} allows this access`);
      }
    }
  } catch (e) {
    if (e instanceof AxError) return failed(e.message);
    throw e;
  }
}

/**
 * On RISC-V a G-stage fault on a load or store reaches the VMM as MMIO; with no device there
 * it may be the first touch of lazily allocated guest RAM (as AxVM's own exit path does):
 * the page gets its frame and the access completes in RAM. Null when it is not RAM.
 */
function lazyRamLoad(
  vm: VmInstance,
  at: number,
  width: AccessWidth,
  signExtend: boolean,
): Answer | null {
  const page = lazyPage(vm, at, MappingFlags.READ);
  if (page !== true) return page;
  const bytes = vm.axvm.addrSpace.read(gpa(at), width);
  if (!bytes.ok) return failed(bytes.error.message);
  let value = 0n;
  for (let i = width - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes.value[i] ?? 0);
  if (signExtend) value = BigInt.asUintN(64, BigInt.asIntN(width * 8, value));
  return { ok: true, mapped: true, value };
}

function lazyRamStore(vm: VmInstance, at: number, width: AccessWidth, data: bigint): Answer | null {
  const page = lazyPage(vm, at, MappingFlags.WRITE);
  if (page !== true) return page;
  const bytes = new Uint8Array(width);
  for (let i = 0; i < width; i++) bytes[i] = Number((data >> BigInt(8 * i)) & 0xffn);
  const r = vm.axvm.addrSpace.write(gpa(at), bytes);
  return r.ok ? { ok: true, mapped: true } : failed(r.error.message);
}

function lazyPage(vm: VmInstance, at: number, access: MappingFlags): true | null | Answer {
  try {
    return vm.axvm.addrSpace.handlePageFault(gpa(at), access) ? true : null;
  } catch (e) {
    if (e instanceof AxError) return failed(e.message);
    throw e;
  }
}

function failed(message: string): Answer {
  return { ok: false, bytes: new TextEncoder().encode(message) };
}

function answer(box: Int32Array, area: Uint8Array, a: Answer): void {
  const v = a.value ?? 0n;
  const bytes = (a.bytes ?? new Uint8Array()).subarray(0, area.length);
  area.set(bytes);
  Atomics.store(box, Mailbox.length, bytes.length);
  Atomics.store(box, Mailbox.lo, Number(v & 0xffff_ffffn) | 0);
  Atomics.store(box, Mailbox.hi, Number((v >> 32n) & 0xffff_ffffn) | 0);
  Atomics.store(box, Mailbox.ok, a.ok ? (a.mapped === true ? 2 : 1) : 0);
  Atomics.store(box, Mailbox.done, 1);
  Atomics.notify(box, Mailbox.done);
}

/** riscv64-qemu-virt's vCPUs on worker threads, as `axvisor run --threads` asks for them. */
export const riscvVcpuThreads: VcpuThreadRunner = {
  refusal: threadedRunRefusal,
  run: (vmm, vm, threads) => runVmOnThreads(vmm, vm, threads),
};
