/**
 * Worker entry of a threaded riscv64 VM: one emulated host CPU (its own hart, JIT and code
 * cache, over the shared host RAM) running the vCPUs placed on it, with its own copy of the
 * vCPU exit path for what is per-CPU (SBI timer, IPI, RFENCE, HSM and console calls, WFI).
 * What must be serialised (device MMIO, the console, lazy guest RAM from the frame allocator)
 * is a blocking call to the main thread through the worker's mailbox.
 */
import { parentPort, workerData } from "node:worker_threads";
import { AxError, axErr } from "@axvisor/axerrno";
import type { ExitReason, GuestFault } from "@axvisor/axvcpu";
import type { HostServices, LogLevel, TimerToken } from "@axvisor/axvisor-api";
import { Hart } from "@axvisor/cpu-riscv64";
import { adoptRam, type PhysBus } from "@axvisor/machine";
import { gpa, hpa, maskToWidth } from "@axvisor/memory-addr";
import { RiscvHostCpus, RiscvPhysCpu, RiscvVCpu } from "@axvisor/riscv-vcpu";
import { ConsoleBatch } from "./console-batch.js";
import {
  Header,
  SharedRiscvVmContext,
  SharedVmState,
  VcpuRun,
  VcpuWord,
} from "./shared-vm-state.js";
import {
  LineStatusWord,
  Mailbox,
  type VcpuWorkerData,
  type VcpuWorkerMessage,
  type WorkerCall,
} from "./vcpu-thread-protocol.js";

/** How long an idle worker sleeps before it looks at the stop word again. */
const IDLE_WAIT_MS = 50;
/**
 * Pause-loop exiting, as VMX and SVM do it for a hypervisor: a vCPU whose guest spins on
 * PAUSE (Linux's cpu_relax() in a lock or flag wait) this many times in a row, with nothing
 * else retiring in between, gives its host core away for PAUSE_NAP_MS (or until something
 * wakes this worker). The lock holder may be a thread the host descheduled, or the main
 * thread serving the holder's device access: spinning on would only keep them off the core.
 */
const PAUSE_SPINS = 64;
const PAUSE_NAP_MS = 0.1;
const S_EXTERNAL = 9;
/** AXVISOR_THREADS_STATS=1: each worker prints where its time went when it leaves. */
const STATS = process.env.AXVISOR_THREADS_STATS === "1";

/** The main thread stopped the VM while this worker waited for it. */
class Stopped extends Error {}

/** A one-shot timer of this worker's host services. */
interface Timer {
  readonly token: number;
  readonly at: number;
  readonly fire: (nowNanos: number) => void;
}

class VcpuThread {
  readonly #d: VcpuWorkerData;
  readonly #send: (m: VcpuWorkerMessage) => void;
  readonly #console: ConsoleBatch;
  readonly #state: SharedVmState;
  readonly #box: Int32Array;
  readonly #boxBytes: Uint8Array;
  readonly #hart: Hart;
  readonly #vcpus = new Map<number, RiscvVCpu>();
  /** Halted (WFI) vCPUs of this worker: skipped until something wakes them. */
  readonly #halted = new Set<number>();
  /** The VSEIP level each vCPU last got. */
  readonly #external = new Map<number, number>();
  #timers: Timer[] = [];
  readonly #lineStatus: Int32Array | undefined;
  readonly #stats = new Map<string, number>();

  #stat(key: string, n: number): void {
    this.#stats.set(key, (this.#stats.get(key) ?? 0) + n);
  }
  #nextToken = 1;
  #bound: RiscvVCpu | null = null;
  #current = 0;
  /** Runs in a row that ended at the guest's PAUSE. */
  #pauses = 0;
  readonly #nanosPerTick: number;
  readonly #clockOrigin: number;

  constructor(d: VcpuWorkerData, post: (m: VcpuWorkerMessage) => void) {
    this.#d = d;
    this.#send = post;
    this.#state = new SharedVmState(d.state, d.hartIds.length);
    const words = this.#state.words;
    this.#console = new ConsoleBatch(
      () => this.#ordered(),
      () => Atomics.load(words, Header.seq),
      (seq, bytes) => {
        if (STATS) this.#stat("console messages", 1);
        this.#send({ kind: "console", seq, bytes });
      },
    );
    this.#box = new Int32Array(d.mailbox, 0, 8);
    this.#boxBytes = new Uint8Array(d.mailbox, Mailbox.dataAt);
    this.#lineStatus = d.lineStatus === undefined ? undefined : new Int32Array(d.lineStatus.word);
    this.#nanosPerTick = 1e9 / d.clock.hz;
    // Host ticks = the main thread's clock at the same instant (both threads share timeOrigin's
    // wall clock), so the guests' time CSR agrees on every host CPU.
    this.#clockOrigin = d.clock.ticks - d.clock.wallMs * (d.clock.hz / 1000);
    const ram = adoptRam(d.ram);
    const bus: PhysBus = {
      ram,
      ramBase: d.ramBase,
      // Only RAM is on this hart's bus: guest device accesses trap to HS-mode first (they are
      // not in the G-stage tables) and reach the main thread's devices as MMIO exits.
      load: () => null,
      store: () => false,
    };
    const ticksPerMs = d.clock.hz / 1000;
    const origin = this.#clockOrigin;
    this.#hart = new Hart({
      hartId: d.worker,
      bus,
      time: {
        now: () => Math.floor(origin + (performance.timeOrigin + performance.now()) * ticksPerMs),
      },
      resetPc: d.ramBase,
      ...(d.jit === undefined ? {} : { jit: d.jit }),
    });
    // The hypervisor runs in HS-mode (TypeScript is its software; traps from V=1 end `run`).
    this.#hart.setMode(1, false);
    const phys = new RiscvPhysCpu(d.worker, this.#hart);
    phys.hardwareEnable();
    const cpus = new RiscvHostCpus([phys]);
    const context = new SharedRiscvVmContext(
      d.vmId,
      d.vmid,
      {
        write: (bytes) => this.#consoleOut(bytes),
        read: (max) => {
          const r = this.#call({ op: "console-read", max });
          return r.bytes;
        },
      },
      this.#state,
      d.hartIds,
    );
    context.memory = {
      read: (at, len) => {
        const off = this.#ramOffset(at, len);
        return off < 0
          ? { ok: false, error: axErr("BadAddress", `guest RAM read at 0x${at.toString(16)}`) }
          : { ok: true, value: ram.slice(off, off + len) };
      },
      write: (at, bytes) => {
        const off = this.#ramOffset(at, bytes.length);
        if (off < 0) {
          return {
            ok: false,
            error: axErr("BadAddress", `guest RAM write at 0x${at.toString(16)}`),
          };
        }
        ram.set(bytes, off);
        return { ok: true, value: undefined };
      },
    };
    this.#guestRam = { ram, context };
    const host = this.#hostServices(ram);
    for (const v of d.vcpus) {
      const vcpu = new RiscvVCpu(
        d.vmId,
        v,
        {
          hartId: d.hartIds[v] ?? v,
          dtbAddr: gpa(d.dtbAddr),
          vm: context,
          cpus,
          gstageLevels: d.gstageLevels,
          ...(d.sstc ? { sstc: true } : {}),
          ...(d.slice !== undefined ? { sliceInstructions: d.slice } : {}),
          pauseEndsSlice: true,
        },
        host,
      );
      vcpu.setEptRoot(hpa(d.eptRoot));
      if (v === 0) {
        vcpu.setEntry(gpa(Number(d.boot.pc)));
        vcpu.setStartArgs(d.boot.a0, d.boot.a1);
      }
      this.#vcpus.set(v, vcpu);
    }
  }

  readonly #guestRam: { ram: Uint8Array; context: SharedRiscvVmContext };

  /**
   * Guest-physical to an offset in host RAM through the VM's G-stage tables, or -1. The
   * walk itself is the hart's: guest RAM is identity-placed by region, so the main thread
   * serves anything this cannot.
   */
  #ramOffset(at: number, len: number): number {
    const vcpu = this.#vcpus.values().next().value;
    if (vcpu === undefined) return -1;
    const hpaOf = this.#gstage(at);
    if (hpaOf < 0) return -1;
    const off = hpaOf - this.#d.ramBase;
    return off >= 0 && off + len <= this.#guestRam.ram.length ? off : -1;
  }

  /** Walks the G-stage tables (Sv39x4 / Sv48x4) for `gpaddr`; -1 when unmapped. */
  #gstage(gpaddr: number): number {
    const ram = this.#guestRam.ram;
    const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    let table = this.#d.eptRoot;
    for (let level = this.#d.gstageLevels - 1; level >= 0; level--) {
      const bits = level === this.#d.gstageLevels - 1 ? 11 : 9;
      const index = Math.floor(gpaddr / 2 ** (12 + 9 * level)) % 2 ** bits;
      const at = table - this.#d.ramBase + index * 8;
      if (at < 0 || at + 8 > ram.length) return -1;
      const lo = view.getUint32(at, true);
      const hi = view.getUint32(at + 4, true);
      if ((lo & 1) === 0) return -1;
      const ppn = Math.floor(lo / 1024) + hi * 2 ** 22;
      if ((lo & 0xe) !== 0) {
        const span = 2 ** (12 + 9 * level);
        return ppn * 4096 + (gpaddr % span);
      }
      table = ppn * 4096;
    }
    return -1;
  }

  #hostServices(ram: Uint8Array): HostServices {
    const ramBase = this.#d.ramBase;
    const d = this.#d;
    const nanos = () => this.#nowTicks() * this.#nanosPerTick;
    return {
      memory: {
        allocFrame: () => null,
        allocContiguousFrames: () => null,
        deallocFrame: () => {},
        deallocContiguousFrames: () => {},
        hostBuffer: (pa, len) => {
          const off = Number(pa) - ramBase;
          if (off < 0 || off + len > ram.length) {
            throw axErr("BadAddress", `host-physical 0x${Number(pa).toString(16)} is not RAM`);
          }
          return ram.subarray(off, off + len);
        },
      },
      time: {
        currentTicks: () => this.#nowTicks(),
        ticksToNanos: (t) => t * this.#nanosPerTick,
        nanosToTicks: (n) => n / this.#nanosPerTick,
        currentTimeNanos: nanos,
        registerTimer: (at, fire) => {
          const token = this.#nextToken++;
          this.#timers.push({ token, at, fire });
          return token as TimerToken;
        },
        cancelTimer: (token) => {
          this.#timers = this.#timers.filter((t) => t.token !== token);
        },
      },
      vmm: {
        currentVmId: () => d.vmId,
        currentVcpuId: () => this.#current,
        vcpuNum: () => d.hartIds.length,
        activeVcpus: () => {
          let mask = 0n;
          for (let v = 0; v < d.hartIds.length; v++) {
            const run = Atomics.load(this.#state.words, this.#state.vcpuWord(v, VcpuWord.run));
            if (run !== VcpuRun.Stopped) mask |= 1n << BigInt(v);
          }
          return mask;
        },
        injectInterrupt: (_vm, vcpu, vector) => this.#inject(vcpu, vector),
        injectInterruptToCpus: (_vm, mask, vector) => {
          for (let v = 0; v < d.hartIds.length; v++) {
            if (((mask >> BigInt(v)) & 1n) !== 0n) this.#inject(v, vector);
          }
        },
        notifyVcpuTimerExpired: (_vm, vcpu) => this.#halted.delete(vcpu),
      },
      host: { hostCpuNum: () => d.workers },
      log: {
        log: (level: LogLevel, target: string, message: string) => {
          if (level === "error" || level === "warn") {
            console.error(`[${level} ${target}] vCPU thread ${d.worker}: ${message}`);
          }
        },
      },
    };
  }

  #nowTicks(): number {
    return Math.floor(
      this.#clockOrigin + (performance.timeOrigin + performance.now()) * (this.#d.clock.hz / 1000),
    );
  }

  /** A virtual interrupt for any vCPU of the VM: its pending word, and its worker woken. */
  #inject(vcpu: number, vector: number): void {
    const words = this.#state.words;
    Atomics.or(words, this.#state.vcpuWord(vcpu, VcpuWord.pending), 1 << vector);
    this.#state.wakeWorker(this.#workerOf(vcpu));
  }

  /**
   * SBI console output leaves without waiting, gathered while nothing else is sent (see
   * `ConsoleBatch`), in the VM-wide order of the worker messages (`#ordered`).
   */
  #consoleOut(bytes: Uint8Array): void {
    this.#console.write(bytes);
  }

  /** Sends `m` after any console output gathered before it (which has a lower number). */
  #post(m: VcpuWorkerMessage): void {
    this.#console.flush();
    this.#send(m);
  }

  /**
   * The next number of the VM-wide order in which the main thread serves what workers send
   * it (console output, device stores and calls). Taken with an atomic add just before the
   * message leaves, so what one vCPU sent before a guest lock release is served before what
   * another vCPU sends after acquiring it: output printed under the guest's own lock stays
   * in that order even though the messages travel on different ports.
   */
  #ordered(): number {
    return Atomics.add(this.#state.words, Header.seq, 1);
  }

  /** Whether a store goes to a device whose byte stores are posted (the 16550). */
  #posted(addr: number, width: number): boolean {
    if (width !== 1) return false;
    for (const [start, end] of this.#d.postedWrites) if (addr >= start && addr < end) return true;
    return false;
  }

  /**
   * The UART's LSR answered here, or -1: only a byte read of LSR, with every store this
   * worker posted already served (one could change it: loopback, FIFO reset), and a value the
   * main thread marked as free of read side effects.
   */
  #localLineStatus(addr: number, width: number): number {
    const ls = this.#lineStatus;
    if (ls === undefined || width !== 1 || addr !== this.#d.lineStatus?.addr) return -1;
    // Any vCPU's store still on its way could change LSR (loopback, FIFO reset) and might be
    // ordered before this read by the guest's own locks: then the main thread answers.
    if (
      Atomics.load(ls, LineStatusWord.served) !== Atomics.load(this.#state.words, Header.posted)
    ) {
      return -1;
    }
    const value = Atomics.load(ls, LineStatusWord.lsr);
    if (STATS && value >= 0) this.#stat("local LSR reads", 1);
    return value;
  }

  /** Blocks until the main thread has served `c`; throws Stopped if the VM is stopped meanwhile. */
  #call(c: WorkerCall): {
    ok: boolean;
    mapped: boolean;
    value: bigint;
    bytes: Uint8Array;
    message: string;
  } {
    const t0 = STATS ? performance.now() : 0;
    const box = this.#box;
    Atomics.store(box, Mailbox.done, 0);
    this.#post({ kind: "call", seq: this.#ordered(), call: c });
    while (Atomics.load(box, Mailbox.done) === 0) {
      Atomics.wait(box, Mailbox.done, 0, IDLE_WAIT_MS);
      if (this.#state.stopped && Atomics.load(box, Mailbox.done) === 0) throw new Stopped();
    }
    if (STATS) this.#stat("call ms", performance.now() - t0);
    const answer = Atomics.load(box, Mailbox.ok);
    const ok = answer !== 0;
    const value =
      (BigInt(Atomics.load(box, Mailbox.hi) >>> 0) << 32n) |
      BigInt(Atomics.load(box, Mailbox.lo) >>> 0);
    const n = Atomics.load(box, Mailbox.length);
    const bytes = this.#boxBytes.slice(0, n);
    return {
      ok,
      mapped: answer === 2,
      value,
      bytes,
      message: ok ? "" : new TextDecoder().decode(bytes),
    };
  }

  /** The thread is leaving: its statistics, when asked for. */
  leave(): void {
    if (STATS) {
      // Where slices ended, by 16-byte guest code window: the ten most frequent (a spin loop
      // shows up here).
      const all = [...this.#stats].sort((a, b) => b[1] - a[1]);
      const pcs = all.filter(([k]) => k.startsWith("pc ")).slice(0, 10);
      const rows = [...all.filter(([k]) => !k.startsWith("pc ")), ...pcs].map(
        ([k, n]) => `  ${Math.round(n).toString().padStart(8)}  ${k}`,
      );
      const jit = this.#hart.jit?.stats;
      const jitLine =
        jit === undefined
          ? "no JIT"
          : `${this.#hart.instret - jit.retired} interpreted, ${jit.regions} regions compiled in ${Math.round(jit.compileMs)} ms`;
      console.error(
        `host CPU ${this.#d.worker}: ${this.#hart.instret} instructions (${jitLine})\n${rows.join("\n")}`,
      );
    }
  }

  /** Runs until the VM powers off, fails, or the main thread stops it; returns instructions. */
  run(): number {
    const state = this.#state;
    const w = this.#d.worker;
    this.#post({ kind: "ready" });
    state.awaitRelease();
    while (!state.stopped) {
      const seq = state.wakeSeq(w);
      this.#fireTimers();
      let ran = false;
      for (const [v, vcpu] of this.#vcpus) {
        if (!this.#takeEvents(v, vcpu)) continue;
        if (this.#halted.has(v)) continue;
        ran = true;
        if (this.#step(v, vcpu) === "end") return this.#hart.instret;
        if (state.stopped) break;
      }
      if (ran && this.#pauses >= PAUSE_SPINS) {
        this.#pauses = 0;
        const t0 = STATS ? performance.now() : 0;
        state.waitWorker(w, seq, PAUSE_NAP_MS);
        if (STATS) this.#stat("pause naps", 1);
        if (STATS) this.#stat("pause nap ms", performance.now() - t0);
      } else if (!ran) {
        const t0 = STATS ? performance.now() : 0;
        state.waitWorker(w, seq, this.#sleepMs());
        if (STATS) this.#stat("idle ms", performance.now() - t0);
      }
    }
    return this.#hart.instret;
  }

  /** Applies what other threads asked of vCPU `v`; false while it is powered off. */
  #takeEvents(v: number, vcpu: RiscvVCpu): boolean {
    const s = this.#state;
    const words = s.words;
    const runAt = s.vcpuWord(v, VcpuWord.run);
    let run = Atomics.load(words, runAt);
    if (run === VcpuRun.StartRequested) {
      const entry =
        (Atomics.load(words, s.vcpuWord(v, VcpuWord.entryHi)) >>> 0) * 2 ** 32 +
        (Atomics.load(words, s.vcpuWord(v, VcpuWord.entryLo)) >>> 0);
      const arg =
        (BigInt(Atomics.load(words, s.vcpuWord(v, VcpuWord.argHi)) >>> 0) << 32n) |
        BigInt(Atomics.load(words, s.vcpuWord(v, VcpuWord.argLo)) >>> 0);
      this.#unbind();
      vcpu.setEntry(gpa(entry));
      vcpu.setStartArgs(BigInt(this.#d.hartIds[v] ?? v), arg);
      this.#halted.delete(v);
      Atomics.store(words, runAt, VcpuRun.Running);
      run = VcpuRun.Running;
    }
    if (run !== VcpuRun.Running) return false;
    const pending = Atomics.exchange(words, s.vcpuWord(v, VcpuWord.pending), 0);
    if (pending !== 0) {
      for (let vector = 0; vector < 32; vector++) {
        if ((pending & (1 << vector)) !== 0) vcpu.injectInterrupt(vector);
      }
      if (STATS) this.#stat(`interrupts in (pending ${pending})`, 1);
      this.#halted.delete(v);
    }
    const external = Atomics.load(words, s.vcpuWord(v, VcpuWord.external));
    if (external !== (this.#external.get(v) ?? 0)) {
      this.#external.set(v, external);
      if (STATS) this.#stat(`VSEIP ${external}`, 1);
      vcpu.setInterruptLevel(S_EXTERNAL, external !== 0);
      if (external !== 0) this.#halted.delete(v);
    }
    return true;
  }

  #bind(vcpu: RiscvVCpu): void {
    if (this.#bound === vcpu) return;
    this.#unbind();
    vcpu.bind();
    this.#bound = vcpu;
  }

  #unbind(): void {
    this.#bound?.unbind();
    this.#bound = null;
  }

  #step(v: number, vcpu: RiscvVCpu): "end" | undefined {
    this.#current = v;
    this.#bind(vcpu);
    let exit: ExitReason;
    try {
      const t0 = STATS ? performance.now() : 0;
      exit = vcpu.run();
      // Output gathered in this run leaves now: a message another worker numbered meanwhile
      // waits for it on the main thread.
      this.#console.flush();
      this.#pauses = this.#hart.paused ? this.#pauses + 1 : 0;
      if (STATS && this.#hart.paused) this.#stat("pause exits", 1);
      if (STATS) {
        this.#stat("run ms", performance.now() - t0);
        this.#stat(`exit ${exit.kind}`, 1);
        if (exit.kind === "Nothing")
          this.#stat(`pc ${((this.#hart.getPc() >> 4n) << 4n).toString(16)}`, 1);
      }
    } catch (e) {
      if (e instanceof Stopped) throw e;
      const pc = this.#hart.getPc();
      this.#post({
        kind: "crashed",
        message: `vCPU ${v} on host CPU ${this.#d.worker} at pc 0x${pc.toString(16)}: ${e instanceof Error ? e.message : String(e)}`,
      });
      return "end";
    }
    return this.#serve(v, vcpu, exit);
  }

  #serve(v: number, vcpu: RiscvVCpu, exit: ExitReason): "end" | undefined {
    switch (exit.kind) {
      case "Nothing":
      case "ExternalInterrupt":
        return undefined;
      case "Halt":
        this.#halted.add(v);
        return undefined;
      case "CpuUp":
        this.#cpuUp(exit.targetCpu, Number(exit.entryPoint), exit.arg);
        return undefined;
      case "CpuDown":
        this.#unbind();
        Atomics.store(this.#state.words, this.#state.vcpuWord(v, VcpuWord.run), VcpuRun.Stopped);
        return undefined;
      case "SendIPI":
        for (const t of exit.targetVcpus) this.#inject(t, exit.vector);
        return undefined;
      case "SystemDown":
        if (exit.resetType !== "shutdown") {
          this.#post({
            kind: "crashed",
            message: `vCPU ${v}: the guest asked for a ${exit.resetType}, which a threaded VM does not do yet (run it with --threads 1)`,
          });
        } else {
          this.#post({ kind: "poweroff", reason: exit.reason });
        }
        return "end";
      case "MmioRead": {
        const lsr = this.#localLineStatus(Number(exit.addr), exit.width);
        if (lsr >= 0) {
          vcpu.setGpr(exit.reg, maskToWidth(BigInt(lsr), exit.regWidth));
          return undefined;
        }
        const r = this.#call({
          op: "mmio-read",
          vcpu: v,
          addr: Number(exit.addr),
          width: exit.width,
          signExtend: exit.signExtend,
        });
        if (!r.ok) return this.#fault(vcpu, exit, r.message);
        if (r.mapped) vcpu.guestPageMapped(exit.addr);
        vcpu.setGpr(exit.reg, maskToWidth(r.value, exit.regWidth));
        return undefined;
      }
      case "MmioWrite": {
        const addr = Number(exit.addr);
        if (this.#posted(addr, exit.width)) {
          Atomics.add(this.#state.words, Header.posted, 1);
          this.#post({
            kind: "posted",
            seq: this.#ordered(),
            write: { vcpu: v, addr, data: Number(exit.data & 0xffn) },
          });
          return undefined;
        }
        const r = this.#call({
          op: "mmio-write",
          vcpu: v,
          addr: Number(exit.addr),
          width: exit.width,
          data: exit.data,
        });
        if (!r.ok) return this.#fault(vcpu, exit, r.message);
        if (r.mapped) vcpu.guestPageMapped(exit.addr);
        return undefined;
      }
      case "NestedPageFault": {
        const r = this.#call({
          op: "page-fault",
          vcpu: v,
          addr: Number(exit.addr),
          flags: exit.accessFlags,
        });
        if (!r.ok) return this.#fault(vcpu, exit, r.message);
        vcpu.guestPageMapped(exit.addr);
        return undefined;
      }
      default:
        this.#post({
          kind: "crashed",
          message: `vCPU ${v}: a ${exit.kind} exit, which a threaded VM does not serve (run it with --threads 1)`,
        });
        return "end";
    }
  }

  /** A guest access nothing could serve: the exception hardware would give, as AxVM does. */
  #fault(vcpu: RiscvVCpu, exit: GuestFault["exit"], message: string): undefined {
    vcpu.injectFault({ exit, error: new AxError("BadAddress", message) });
    return undefined;
  }

  #cpuUp(target: bigint, entry: number, arg: bigint): void {
    const v = this.#d.hartIds.indexOf(Number(target));
    if (v < 0) return;
    const s = this.#state;
    const words = s.words;
    const runAt = s.vcpuWord(v, VcpuWord.run);
    if (Atomics.load(words, runAt) !== VcpuRun.Stopped) return;
    Atomics.store(words, s.vcpuWord(v, VcpuWord.entryLo), (entry % 2 ** 32) | 0);
    Atomics.store(words, s.vcpuWord(v, VcpuWord.entryHi), Math.floor(entry / 2 ** 32) | 0);
    Atomics.store(words, s.vcpuWord(v, VcpuWord.argLo), Number(arg & 0xffff_ffffn) | 0);
    Atomics.store(words, s.vcpuWord(v, VcpuWord.argHi), Number((arg >> 32n) & 0xffff_ffffn) | 0);
    Atomics.store(words, runAt, VcpuRun.StartRequested);
    s.wakeWorker(this.#workerOf(v));
  }

  #workerOf(vcpu: number): number {
    return this.#d.placement[vcpu] ?? 0;
  }

  #fireTimers(): void {
    if (this.#timers.length === 0) return;
    const now = this.#nowTicks() * this.#nanosPerTick;
    const due = this.#timers.filter((t) => t.at <= now);
    if (due.length === 0) return;
    this.#timers = this.#timers.filter((t) => t.at > now);
    for (const t of due) t.fire(now);
    if (STATS) this.#stat("timers fired", due.length);
  }

  #sleepMs(): number {
    let ms = IDLE_WAIT_MS;
    const now = this.#nowTicks() * this.#nanosPerTick;
    for (const t of this.#timers) ms = Math.min(ms, Math.max(0, (t.at - now) / 1e6));
    return ms;
  }
}

const data = workerData as VcpuWorkerData;
const port = parentPort;
if (port !== null) {
  const post = (m: VcpuWorkerMessage) => port.postMessage(m);
  let instructions = 0;
  let thread: VcpuThread | undefined;
  try {
    thread = new VcpuThread(data, post);
    instructions = thread.run();
  } catch (e) {
    if (!(e instanceof Stopped)) {
      thread?.leave();
      post({ kind: "crashed", message: e instanceof Error ? e.message : String(e) });
    }
  }
  thread?.leave();
  post({ kind: "left", instructions });
}
