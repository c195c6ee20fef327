import type { BaseMmioDeviceOps } from "@axvisor/axdevice-base";
import { AxError } from "@axvisor/axerrno";
import { CSR, Hart, type HartExtensions } from "@axvisor/cpu-riscv64";
import { Clint } from "@axvisor/device-clint";
import { GoldfishRtc, hostWallClock, type WallClock } from "@axvisor/device-goldfish-rtc";
import { Ns16550a } from "@axvisor/device-ns16550a";
import { Plic, qemuVirtContext } from "@axvisor/device-plic";
import { type FinishRequest, SifiveTest } from "@axvisor/device-sifive-test";
import { buildVirtioSlots, type VirtioSlotFactory } from "@axvisor/device-virtio-mmio";
import { DeviceTree } from "@axvisor/fdt";
import {
  allocateRam,
  BoardBus,
  BoardDebugger,
  BoardRunLoop,
  type DebugStopReason,
  type MachineClock,
  type MachineExit,
  RamDma,
  RealTimeClock,
  Rom,
} from "@axvisor/machine";
import {
  applyChosen,
  type BootImages,
  type BootLayout,
  fdtLoadAddress,
  loadBootImages,
  resetRomFor,
} from "./boot.js";
import { buildVirtDeviceTree } from "./device-tree.js";
import { Htif } from "./htif.js";
import { VIRT_MMU_TYPE, virtIsaString } from "./isa.js";
import {
  VIRT,
  VIRT_DEFAULT_RAM_SIZE,
  VIRT_IRQ,
  VIRT_MAX_HARTS,
  VIRT_PLIC_NDEV,
  VIRT_PLIC_PRIORITY_MAX,
  VIRT_TIMEBASE_HZ,
  virtioSlotBase,
} from "./memory-map.js";

/** The hart interrupt lines the CLINT and the PLIC drive (mip bit numbers). */
const MIP_MSIP = 3;
const MIP_MTIP = 7;
const MIP_SEIP = 9;
const MIP_MEIP = 11;

export interface VirtMachineOptions {
  /** 1..8 (default 1). */
  readonly harts?: number;
  /** Bytes of RAM at 0x8000_0000 (default 256 MiB). */
  readonly ramSize?: number;
  readonly images: BootImages;
  /** Kernel command line for /chosen. */
  readonly bootargs?: string;
  /** A device tree blob to boot with instead of the generated one (/chosen is still updated). */
  readonly dtb?: Uint8Array;
  /** Real time by default; an InstructionClock makes runs reproducible. */
  readonly clock?: MachineClock;
  /** The RTC's wall clock (default: the host's). */
  readonly wallClock?: WallClock;
  /** Console output: UART transmissions and HTIF console writes. */
  readonly console?: (bytes: Uint8Array) => void;
  readonly extensions?: HartExtensions;
  /** Instructions per hart per round (default 20 000). */
  readonly sliceInstructions?: number;
  /** Seed for /chosen/rng-seed; null leaves it out (default: 32 random bytes). */
  readonly rngSeed?: Uint8Array | null;
  /**
   * Devices for the virtio-mmio slots, in slot order (slot 0 at 0x1000_1000), built once the
   * board's DMA and the slot's interrupt line exist. Slots left over stay empty (device id 0).
   */
  readonly virtio?: readonly VirtioSlotFactory[];
}

const DEFAULT_SLICE = 20_000;
/** While HTIF traffic flows, short slices keep its round trips quick. */
const HTIF_SLICE = 500;

/**
 * The QEMU riscv64 `virt` board: harts, RAM, mask ROM, CLINT, PLIC, UART, RTC, the test
 * finisher and up to 8 virtio-mmio devices, with QEMU's boot flow (reset stub in ROM, device
 * tree at the top of RAM, fw_dynamic info for OpenSBI) and a run loop that interleaves the
 * harts in slices on one thread.
 */
export class VirtMachine {
  readonly ram: Uint8Array;
  readonly bus: BoardBus;
  readonly harts: readonly Hart[];
  readonly clock: MachineClock;
  readonly rom: Rom;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Ns16550a;
  readonly rtc: GoldfishRtc;
  readonly test: SifiveTest;
  readonly dma: RamDma;
  readonly virtioDevices: readonly BaseMmioDeviceOps[];
  /** Instructions executed since power-on (all harts). */
  instructions = 0;
  /** Board resets the guest asked for (finisher 0x7777). */
  resets = 0;
  /** Host milliseconds spent asleep because every hart waited (WFI). */
  get idleMs(): number {
    return this.#loop.idleMs;
  }

  readonly #options: VirtMachineOptions;
  readonly #wallClock: WallClock;
  readonly #slice: number;
  readonly #idle: boolean[];
  #out: number[] = [];
  #layout!: BootLayout;
  #deviceTree: DeviceTree | undefined;
  #fdt!: Uint8Array;
  #fdtAddr = 0;
  #htif: Htif | undefined;
  #htifBusy = 0;
  readonly #htifInput: number[] = [];
  #exit: MachineExit | undefined;
  /** A debugger holds the harts (all-stop), steps one, or lets them run; undefined: none. */
  #debug: BoardDebugger | undefined;
  /** Console bytes buffered when the guest powered off (-1: it has not). */
  #outAtExit = -1;
  #resetRequested = false;
  readonly #loop: BoardRunLoop;

  constructor(options: VirtMachineOptions) {
    const nHarts = options.harts ?? 1;
    if (!Number.isInteger(nHarts) || nHarts < 1 || nHarts > VIRT_MAX_HARTS) {
      throw new AxError("InvalidInput", `hart count ${nHarts} is not in 1..${VIRT_MAX_HARTS}`);
    }
    const ramSize = options.ramSize ?? VIRT_DEFAULT_RAM_SIZE;
    if (!Number.isSafeInteger(ramSize) || ramSize < 1 << 20 || ramSize % 4096 !== 0) {
      throw new AxError("InvalidInput", `RAM size ${ramSize} must be a multiple of 4 KiB >= 1 MiB`);
    }
    this.#options = options;
    this.#slice = options.sliceInstructions ?? DEFAULT_SLICE;
    this.clock = options.clock ?? new RealTimeClock(VIRT_TIMEBASE_HZ);
    const self = this;
    this.#loop = new BoardRunLoop({
      clock: this.clock,
      get exit() {
        return self.#exit;
      },
      step: () => {
        this.step();
      },
      anyRunnable: () => this.#anyRunnable(),
      nextTimerDeadline: (now) => this.#nextTimerDeadline(now),
      wallClockWakeMs: () => {
        const alarm = this.rtc.nextAlarm();
        if (alarm === null) return Number.POSITIVE_INFINITY;
        return Math.max(0, Number(alarm - this.#wallClock.nowNanos()) / 1e6);
      },
      finish: () => this.#flushConsole(),
    });
    this.#wallClock = options.wallClock ?? hostWallClock();
    // Inside a shared WebAssembly.Memory, so the harts can run hot code compiled to wasm.
    this.ram = allocateRam(ramSize);
    this.bus = new BoardBus(this.ram, VIRT.dram.base);
    const harts: Hart[] = [];
    this.harts = harts;
    this.#idle = new Array<boolean>(nHarts).fill(false);
    this.dma = new RamDma(this.ram, VIRT.dram.base, () => this.harts);

    this.rom = new Rom(VIRT.mrom.base, VIRT.mrom.size);
    this.clint = new Clint({
      base: VIRT.clint.base,
      size: VIRT.clint.size,
      numHarts: nHarts,
      time: this.clock,
      setMsip: (h, level) => this.#line(h, MIP_MSIP, level),
      setMtip: (h, level) => this.#line(h, MIP_MTIP, level),
    });
    this.plic = new Plic({
      base: VIRT.plic.base,
      size: VIRT.plic.size,
      numSources: VIRT_PLIC_NDEV,
      numContexts: 2 * nHarts,
      priorityBits: Math.log2(VIRT_PLIC_PRIORITY_MAX + 1),
      setContextLine: (ctx, level) =>
        this.#line(ctx >> 1, ctx === qemuVirtContext(ctx >> 1, "S") ? MIP_SEIP : MIP_MEIP, level),
    });
    this.uart = new Ns16550a({
      base: VIRT.uart0.base,
      size: VIRT.uart0.size,
      irq: this.plic.sourceLine(VIRT_IRQ.uart0),
      onTransmit: (b) => this.#out.push(b),
    });
    this.rtc = new GoldfishRtc({
      base: VIRT.rtc.base,
      size: VIRT.rtc.size,
      irq: this.plic.sourceLine(VIRT_IRQ.rtc),
      clock: this.#wallClock,
    });
    this.test = new SifiveTest({
      base: VIRT.test.base,
      size: VIRT.test.size,
      onFinish: (r) => this.#onFinish(r),
    });
    for (const d of [this.rom, this.test, this.rtc, this.clint, this.plic, this.uart]) {
      this.bus.addDevice(d);
    }
    this.virtioDevices = buildVirtioSlots(
      {
        count: VIRT.virtio.count,
        size: VIRT.virtio.size,
        base: virtioSlotBase,
        irq: (n) => this.plic.sourceLine(VIRT_IRQ.virtioFirst + n),
        dma: this.dma,
      },
      options.virtio ?? [],
    );
    for (const d of this.virtioDevices) this.bus.addDevice(d);

    for (let h = 0; h < nHarts; h++) {
      harts.push(
        new Hart({
          hartId: h,
          bus: this.bus,
          time: this.clock,
          resetPc: VIRT.mrom.base,
          ...(options.extensions !== undefined ? { extensions: options.extensions } : {}),
        }),
      );
    }
    this.#boot();
  }

  /** Where the images went. */
  get layout(): BootLayout {
    return this.#layout;
  }

  /** The generated tree (undefined when booting a user's -dtb blob unmodified). */
  get deviceTree(): DeviceTree | undefined {
    return this.#deviceTree;
  }

  /** The blob the guest receives in a1, and its address. */
  get fdt(): { readonly blob: Uint8Array; readonly address: number } {
    return { blob: this.#fdt, address: this.#fdtAddr };
  }

  /** Console input for the guest (UART receive). */
  sendInput(data: Uint8Array | string): void {
    this.uart.pushInput(data);
    if (this.#htif !== undefined) {
      // HTIF programs read the console through getchar (device 1, command 0) instead.
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      for (const b of bytes) this.#htifInput.push(b);
      this.#htif.poll();
    }
    this.#wakeUp();
  }

  /** Ends `run()` at the next slice boundary with `{ kind: "stopped", reason }`. */
  stop(reason = "stopped"): void {
    this.#exit ??= { kind: "stopped", reason };
    this.#wakeUp();
  }

  /** Power-cycles the board: devices, harts and RAM, then the images are loaded again. */
  reset(): void {
    this.ram.fill(0);
    for (const d of this.bus.devices) d.reset?.();
    for (const h of this.harts) h.reset();
    this.#idle.fill(false);
    this.#boot();
    this.clint.update(this.clock.now());
  }

  #boot(): void {
    const o = this.#options;
    const ramSize = this.ram.length;
    const layout = loadBootImages(o.images, {
      ramBase: VIRT.dram.base,
      ramSize,
      writeRam: (a, b) => this.bus.writeRam(a, b),
    });
    this.#layout = layout;
    let dt: DeviceTree;
    if (o.dtb !== undefined) {
      dt = DeviceTree.parse(o.dtb);
      applyChosen(dt, o.bootargs, layout.initrd);
    } else {
      const seed =
        o.rngSeed === null ? undefined : (o.rngSeed ?? crypto.getRandomValues(new Uint8Array(32)));
      dt = buildVirtDeviceTree({
        harts: this.harts.length,
        ramSize,
        isa: virtIsaString(o.extensions),
        mmuType: VIRT_MMU_TYPE,
        ...(o.bootargs !== undefined ? { bootargs: o.bootargs } : {}),
        ...(layout.initrd !== undefined ? { initrd: layout.initrd } : {}),
        ...(seed !== undefined ? { rngSeed: seed } : {}),
      });
    }
    this.#deviceTree = dt;
    this.#fdt = dt.toBlob();
    this.#fdtAddr = fdtLoadAddress(VIRT.dram.base, ramSize, this.#fdt.length);
    const top = Math.max(
      layout.kernel?.high ?? 0,
      layout.initrd?.end ?? 0,
      layout.firmware?.high ?? 0,
    );
    if (top > this.#fdtAddr) {
      throw new AxError(
        "OutOfRange",
        `the images reach 0x${top.toString(16)}, over the device tree at 0x${this.#fdtAddr.toString(16)}; use a larger -m`,
      );
    }
    this.bus.writeRam(this.#fdtAddr, this.#fdt);
    this.rom.load(resetRomFor(layout, this.#fdtAddr));
    this.#htif =
      layout.htif === undefined
        ? undefined
        : new Htif(
            {
              load: (a, w) => this.bus.load(a, w),
              store: (a, w, v) => this.bus.store(a, w, v),
              readRam: (a, n) => this.bus.readRam(a, n),
            },
            layout.htif.tohost,
            layout.htif.fromhost,
            {
              putBytes: (b) => this.#out.push(...b),
              exit: (code) =>
                this.#setExit({ kind: "poweroff", success: code === 0, code, source: "htif" }),
              getchar: () => this.#htifInput.shift(),
            },
          );
  }

  #line(hart: number, bit: number, level: boolean): void {
    const h = this.harts[hart];
    if (h === undefined) return; // during construction, before the harts exist
    h.setInterruptLine(bit, level);
    if (level) this.#wakeUp();
  }

  #onFinish(r: FinishRequest): void {
    if (r.kind === "reset") {
      this.#resetRequested = true;
      return;
    }
    this.#setExit({
      kind: "poweroff",
      success: r.kind === "pass",
      code: r.code,
      source: "finisher",
    });
  }

  #setExit(exit: MachineExit): void {
    if (this.#exit !== undefined) return;
    this.#exit = exit;
    if (exit.kind === "poweroff") this.#outAtExit = this.#out.length;
  }

  #wakeUp(): void {
    this.#loop.wake();
  }

  #flushConsole(): void {
    if (this.#out.length === 0) return;
    const bytes = Uint8Array.from(this.#out);
    this.#out = [];
    this.#options.console?.(bytes);
  }

  /** A hart that executed WFI stays parked until an enabled interrupt is pending. */
  #wakeable(h: Hart): boolean {
    return (h.readCsr(CSR.mip) & h.readCsr(CSR.mie)) !== 0n;
  }

  /**
   * The earliest tick at which a timer may wake a parked hart: the CLINT's mtimecmp, and the
   * Sstc compares (stimecmp on the time scale, vstimecmp on the guest's, time + htimedelta).
   */
  #nextTimerDeadline(now: number): number {
    let next = this.clint.nextDeadline();
    const consider = (tick: bigint) => {
      const t = Number(tick);
      if (t > now && t < next) next = t;
    };
    for (const h of this.harts) {
      if (h.hasSstc) consider(h.readCsr(CSR.stimecmp));
      if (h.hasSstc && h.hasH) {
        consider(h.readCsr(CSR.vstimecmp) - BigInt.asIntN(64, h.readCsr(CSR.htimedelta)));
      }
    }
    return next;
  }

  /**
   * Puts the board under a debugger: the harts stop at once (all-stop) and trap breakpoint
   * instructions to it; `onStop` hears of a breakpoint hit or a finished step.
   */
  debugAttach(onStop: (hart: number, why: DebugStopReason) => void): void {
    this.#debug = new BoardDebugger(this.harts, onStop);
  }

  /** Stops the harts at the next instruction boundary (a debugger's interrupt). */
  debugHalt(): void {
    this.#debug?.halt();
  }

  /** Lets the harts run (`stepHart` < 0) or executes one instruction of hart `stepHart`. */
  debugResume(stepHart: number): void {
    const d = this.#debug;
    if (d === undefined) return;
    d.resume(stepHart);
    if (stepHart >= 0) this.#idle[stepHart] = false;
    this.#wakeUp();
  }

  /** The debugger is gone: breakpoints trap to the guest again and the harts run. */
  debugDetach(): void {
    this.#debug?.detach();
    this.#debug = undefined;
    this.#wakeUp();
  }

  /** Drops every hart's compiled code and cached translations (a debugger wrote memory). */
  fenceAll(): void {
    for (const h of this.harts) {
      h.flushTlb();
      h.fenceI?.();
    }
  }

  /** Executes one round: every runnable hart gets one slice. Returns true if any hart ran. */
  step(): boolean {
    const debug = this.#debug;
    if (debug?.controlsRound === true) return this.#debugRound(debug);
    const slice = this.#htifBusy > 0 ? HTIF_SLICE : this.#slice;
    let ran = 0;
    let active = false;
    for (let i = 0; i < this.harts.length; i++) {
      const h = this.harts[i]!;
      if (this.#idle[i]) {
        if (!this.#wakeable(h)) continue;
        this.#idle[i] = false;
      }
      const before = h.instret;
      let r: string;
      try {
        r = h.run(slice);
        debug?.afterSlice(i, h);
      } catch (e) {
        this.#exit ??= {
          kind: "fault",
          message: `hart ${i} at pc 0x${h.getPc().toString(16)}: ${(e as Error).message ?? e}`,
          cpu: i,
          pc: h.getPc(),
        };
        break;
      }
      ran += h.instret - before;
      if (r === "wfi") this.#idle[i] = true;
      else active = true;
      if (this.#exit !== undefined || debug?.holding === true) break;
    }
    this.instructions += ran;
    this.clock.advanceInstructions(ran);
    const now = this.clock.now();
    this.clint.update(now);
    this.rtc.update();
    if (this.#htif?.poll()) this.#htifBusy = 20;
    else if (this.#htifBusy > 0) this.#htifBusy--;
    // What a hart printed after powering off never reached a screen.
    if (this.#exit !== undefined && this.#outAtExit >= 0) this.#out.length = this.#outAtExit;
    this.#flushConsole();
    if (this.#resetRequested && this.#exit === undefined) {
      this.#resetRequested = false;
      this.resets++;
      this.reset();
      return true;
    }
    return active;
  }

  /** Any hart that can run now (not parked, or parked with an interrupt pending). */
  #anyRunnable(): boolean {
    if (this.#debug?.holding === true) return false;
    return this.harts.some((h, i) => !this.#idle[i] || this.#wakeable(h));
  }

  /** A round while a debugger holds the harts: nothing runs, or one instruction of one hart. */
  #debugRound(debug: BoardDebugger): boolean {
    const i = debug.stepCpu;
    const h = this.harts[i];
    if (debug.holding || h === undefined) {
      this.clint.update(this.clock.now());
      return false;
    }
    if (this.#idle[i] && !this.#wakeable(h)) return false; // WFI: the step ends at its wake-up
    this.#idle[i] = false;
    const before = h.instret;
    const r = h.run(1);
    if (r === "wfi") this.#idle[i] = true;
    const ran = h.instret - before;
    this.instructions += ran;
    this.clock.advanceInstructions(ran);
    this.clint.update(this.clock.now());
    this.#flushConsole();
    debug.stepped(i, h);
    return true;
  }

  /**
   * Runs until the guest powers off, faults or `stop()` is called, in the shared bare-board
   * loop (`BoardRunLoop`: yields to the event loop, sleeps while every hart waits).
   */
  run(): Promise<MachineExit> {
    if (this.#loop.running) {
      return Promise.reject(new AxError("ResourceBusy", "the machine is already running"));
    }
    return this.#loop.run();
  }
}
