import type { BaseMmioDeviceOps } from "@axvisor/axdevice-base";
import { AxError } from "@axvisor/axerrno";
import { Aarch64Cpu, type CpuModel, type SysRegDevice } from "@axvisor/cpu-aarch64";
import { type GicCpuOutputs, GicV2, GicV3 } from "@axvisor/device-arm-gic";
import { Pl011 } from "@axvisor/device-pl011";
import { Pl031, type Pl031Clock } from "@axvisor/device-pl031";
import { buildVirtioSlots, type VirtioSlotFactory } from "@axvisor/device-virtio-mmio";
import { DeviceTree } from "@axvisor/fdt";
import {
  allocateRam,
  BoardBus,
  BoardDebugger,
  BoardRunLoop,
  type DebugStopReason,
  type MachineClock,
  RamDma,
  RealTimeClock,
} from "@axvisor/machine";
import {
  type ArmBootImages,
  type ArmBootLayout,
  applyChosen,
  deviceTreeFits,
  loadArmBootImages,
} from "./boot.js";
import { CfiFlash } from "./cfi-flash.js";
import { buildArmVirtDeviceTree } from "./device-tree.js";
import {
  ARM_VIRT,
  ARM_VIRT_DEFAULT_RAM_SIZE,
  ARM_VIRT_GIC_IRQS,
  ARM_VIRT_MAX_CPUS,
  ARM_VIRT_PPI,
  ARM_VIRT_SPI,
  ARM_VIRT_TIMER_HZ,
  armVirtCpuAffinity,
  armVirtioSlotBase,
} from "./memory-map.js";
import { type PsciBoard, servePsci } from "./psci.js";

export interface ArmVirtMachineOptions {
  /** 1..8 (default 1). */
  readonly cpus?: number;
  /** Bytes of RAM at 0x4000_0000 (default 128 MiB, QEMU's default). */
  readonly ramSize?: number;
  readonly images: ArmBootImages;
  /** Kernel command line for /chosen. */
  readonly bootargs?: string;
  /** A device tree blob to boot with instead of the generated one (/chosen is still updated). */
  readonly dtb?: Uint8Array;
  /** Real time at 62.5 MHz by default; an InstructionClock makes runs reproducible. */
  readonly clock?: MachineClock;
  /** The RTC's wall clock (default: the host's). */
  readonly wallClock?: Pl031Clock;
  /** Console output (PL011 transmissions). */
  readonly console?: (bytes: Uint8Array) => void;
  /** GIC version (default 2, as QEMU's virt). */
  readonly gicVersion?: 2 | 3;
  /** EL2 exists (QEMU `virtualization=on`): CPUs start at EL2 and PSCI uses SMC; else EL1 and HVC. */
  readonly virtualization?: boolean;
  readonly cpuModel?: CpuModel;
  /** Instructions per CPU per round (default 20 000). */
  readonly sliceInstructions?: number;
  /** Seed for /chosen/rng-seed (32 bytes) and kaslr-seed (8 bytes); null leaves both out. */
  readonly rngSeed?: Uint8Array | null;
  /** Devices for the virtio-mmio slots in slot order (slot 0 at 0x0a00_0000, SPI 16). */
  readonly virtio?: readonly VirtioSlotFactory[];
}

/** Why `run()` returned (the shape of the riscv64 VirtMachine's exit, with `cpu` for `hart`). */
export type ArmMachineExit =
  | {
      readonly kind: "poweroff";
      readonly success: boolean;
      readonly code: number;
      readonly source: "psci";
    }
  | { readonly kind: "stopped"; readonly reason: string }
  | {
      readonly kind: "fault";
      readonly message: string;
      readonly cpu: number;
      readonly pc: bigint;
    };

const DEFAULT_SLICE = 20_000;
/** The totalsize of QEMU's device tree blob. */
const QEMU_FDT_SIZE = 0x10_0000;
/** timerLines() bits in order, and the PPI each drives. */
const TIMER_PPIS = [
  ARM_VIRT_PPI.physTimer,
  ARM_VIRT_PPI.virtTimer,
  ARM_VIRT_PPI.hypTimer,
  ARM_VIRT_PPI.secureTimer,
] as const;

/** A device that calls `before` ahead of every access, then forwards it. */
/**
 * The EL2 GIC registers (op1 = 4: ICH_* and ICC_SRE_EL2) hold the hypervisor's list
 * registers and controls, which no physical PPI level feeds: a world switch (a dozen of them
 * per VM exit) needs no timer refresh, unlike an ICC_IAR read.
 */
function isEl2GicReg(enc: number): boolean {
  return ((enc >>> 11) & 7) === 4;
}

function refreshingFrame(f: BaseMmioDeviceOps, before: () => void): BaseMmioDeviceOps {
  return {
    emuType: () => f.emuType(),
    addressRange: () => f.addressRange(),
    handleRead: (addr, width) => {
      before();
      return f.handleRead(addr, width);
    },
    handleWrite: (addr, width, value) => {
      before();
      f.handleWrite(addr, width, value);
    },
    reset: () => f.reset?.(),
  };
}

/**
 * The QEMU aarch64 `virt` board: CPUs, RAM at 0x4000_0000, two CFI flash banks (firmware
 * runs from bank 0), a GICv2 or GICv3 with its virtualization interface, PL011, PL031 and 32
 * virtio-mmio slots, with QEMU's boot flow (Linux Image / ELF / raw kernel entered directly
 * with the device tree in x0, or firmware from flash with the tree at the RAM base), PSCI
 * in the emulator through the CPUs' firmware hook, and a run loop that interleaves the CPUs
 * in slices on one thread.
 */
export class ArmVirtMachine {
  readonly ram: Uint8Array;
  readonly bus: BoardBus;
  readonly cpus: readonly Aarch64Cpu[];
  readonly clock: MachineClock;
  readonly flash: readonly [CfiFlash, CfiFlash];
  readonly gic: GicV2 | GicV3;
  readonly uart: Pl011;
  readonly rtc: Pl031;
  readonly dma: RamDma;
  readonly virtioDevices: readonly BaseMmioDeviceOps[];
  readonly gicVersion: 2 | 3;
  readonly virtualization: boolean;
  /** Instructions executed since power-on (all CPUs). */
  instructions = 0;
  /** SYSTEM_RESET requests served. */
  resets = 0;
  /** Host milliseconds spent asleep because every CPU waited. */
  /** Host milliseconds spent asleep because every CPU waited. */
  get idleMs(): number {
    return this.#loop.idleMs;
  }

  readonly #options: ArmVirtMachineOptions;
  readonly #slice: number;
  readonly #idle: boolean[];
  readonly #timerLevels: Uint8Array;
  #current = 0;
  #out: number[] = [];
  #layout!: ArmBootLayout;
  #deviceTree: DeviceTree | undefined;
  #fdt!: Uint8Array;
  #fdtLoaded = false;
  #exit: ArmMachineExit | undefined;
  #outAtExit = -1;
  #resetRequested = false;
  readonly #loop: BoardRunLoop;
  /** A debugger holds the CPUs (all-stop), steps one, or lets them run; undefined: none. */
  #debug: BoardDebugger | undefined;

  constructor(options: ArmVirtMachineOptions) {
    const nCpus = options.cpus ?? 1;
    if (!Number.isInteger(nCpus) || nCpus < 1 || nCpus > ARM_VIRT_MAX_CPUS) {
      throw new AxError("InvalidInput", `CPU count ${nCpus} is not in 1..${ARM_VIRT_MAX_CPUS}`);
    }
    const ramSize = options.ramSize ?? ARM_VIRT_DEFAULT_RAM_SIZE;
    if (!Number.isSafeInteger(ramSize) || ramSize < 1 << 21 || ramSize % 4096 !== 0) {
      throw new AxError("InvalidInput", `RAM size ${ramSize} must be a multiple of 4 KiB >= 2 MiB`);
    }
    const gicVersion = options.gicVersion ?? 2;
    if (gicVersion !== 2 && gicVersion !== 3) {
      throw new AxError("InvalidInput", `GIC version ${gicVersion} is not 2 or 3`);
    }
    this.#options = options;
    this.gicVersion = gicVersion;
    this.virtualization = options.virtualization ?? false;
    this.#slice = options.sliceInstructions ?? DEFAULT_SLICE;
    this.clock = options.clock ?? new RealTimeClock(ARM_VIRT_TIMER_HZ);
    const self = this;
    this.#loop = new BoardRunLoop({
      clock: this.clock,
      get exit() {
        return self.#exit;
      },
      step: () => {
        this.step();
        if (this.#exit === undefined && !this.cpus.some((c) => c.poweredOn)) {
          this.#setExit({ kind: "stopped", reason: "every CPU is powered off" });
        }
      },
      anyRunnable: () => this.#anyRunnable(),
      nextTimerDeadline: () => this.#nextTimerDeadline(),
      wallClockWakeMs: () => {
        const alarm = this.rtc.nextAlarm();
        if (alarm === null) return Number.POSITIVE_INFINITY;
        return Math.max(0, Number(alarm - BigInt(Date.now()) * 1_000_000n) / 1e6);
      },
      finish: () => this.#flushConsole(),
    });
    this.ram = allocateRam(ramSize);
    this.bus = new BoardBus(this.ram, ARM_VIRT.ram.base);
    const cpus: Aarch64Cpu[] = [];
    this.cpus = cpus;
    this.#idle = new Array<boolean>(nCpus).fill(false);
    this.#timerLevels = new Uint8Array(nCpus);
    this.dma = new RamDma(this.ram, ARM_VIRT.ram.base, () => cpus);

    const bank = ARM_VIRT.flash.bankSize;
    this.flash = [
      new CfiFlash({ base: ARM_VIRT.flash.base, size: bank }),
      new CfiFlash({ base: ARM_VIRT.flash.base + bank, size: bank }),
    ];
    // The GIC drives the CPUs through these; the CPUs are created after it.
    const outputs: GicCpuOutputs[] = [];
    for (let i = 0; i < nCpus; i++) {
      const line = (set: (c: Aarch64Cpu, l: boolean) => void) => (level: boolean) => {
        const c = cpus[i];
        if (c === undefined) return;
        set(c, level);
        if (level) this.#wakeUp();
      };
      outputs.push({
        setIrq: line((c, l) => c.setIrq(l)),
        setFiq: line((c, l) => c.setFiq(l)),
        setVirq: line((c, l) => c.setVirq(l)),
        setVfiq: line((c, l) => c.setVfiq(l)),
      });
    }
    const affinity = (n: number) => armVirtCpuAffinity(n, gicVersion);
    this.gic =
      gicVersion === 2
        ? new GicV2({
            numCpus: nCpus,
            numIrqs: ARM_VIRT_GIC_IRQS,
            outputs,
            currentCpu: () => this.#current,
            distributorBase: ARM_VIRT.gicDist.base,
            cpuInterfaceBase: ARM_VIRT.gicCpu.base,
            ...(this.virtualization
              ? { hypInterfaceBase: ARM_VIRT.gicHyp.base, virtualCpuBase: ARM_VIRT.gicVcpu.base }
              : {}),
          })
        : new GicV3({
            numCpus: nCpus,
            numIrqs: ARM_VIRT_GIC_IRQS,
            outputs,
            affinity,
            distributorBase: ARM_VIRT.gicDist.base,
            redistributorBase: ARM_VIRT.gicRedist.base,
            virtualization: this.virtualization,
          });
    this.uart = new Pl011({
      base: ARM_VIRT.uart.base,
      size: ARM_VIRT.uart.size,
      irq: this.gic.spiLine(ARM_VIRT_SPI.uart),
      onTransmit: (b) => this.#out.push(b),
    });
    this.rtc = new Pl031({
      base: ARM_VIRT.rtc.base,
      size: ARM_VIRT.rtc.size,
      irq: this.gic.spiLine(ARM_VIRT_SPI.rtc),
      ...(options.wallClock !== undefined ? { clock: options.wallClock } : {}),
    });
    // The CPU interface sees each CPU's timer outputs as they are now: a handler that
    // reprograms its timer and then EOIs must not find the old level still pending.
    // The GICv2 GICH/GICV frames (the hypervisor's list registers, the guest's virtual
    // interface) see no physical PPI level and stay unwrapped, as the ICH registers do.
    const g = this.gic;
    const unrefreshed = new Set<unknown>([
      g.distributor,
      ...(g instanceof GicV2 ? [g.hypInterface, g.virtualCpuInterface] : []),
    ]);
    const gicFrames = g.frames.map((f) =>
      unrefreshed.has(f) ? f : refreshingFrame(f, () => this.#routeTimer(this.#current)),
    );
    for (const d of [...this.flash, ...gicFrames, this.uart, this.rtc]) this.bus.addDevice(d);

    this.virtioDevices = buildVirtioSlots(
      {
        count: ARM_VIRT.virtio.count,
        size: ARM_VIRT.virtio.size,
        base: armVirtioSlotBase,
        irq: (n) => this.gic.spiLine(ARM_VIRT_SPI.virtioFirst + n),
        dma: this.dma,
      },
      options.virtio ?? [],
    );
    for (const d of this.virtioDevices) this.bus.addDevice(d);

    const psciBoard = this.#psciBoard();
    for (let i = 0; i < nCpus; i++) {
      cpus.push(
        new Aarch64Cpu({
          cpuId: i,
          mpidr: affinity(i),
          bus: this.bus,
          time: this.clock,
          model: options.cpuModel ?? "cortex-a57",
          el2: this.virtualization,
          ...(this.gic instanceof GicV3 ? { sysRegDevice: this.#gicSysRegs(this.gic) } : {}),
          firmware: (cpu) => servePsci(cpu, cpu.cpuId, psciBoard),
        }),
      );
    }
    this.#boot();
  }

  /** Where the images went. */
  get layout(): ArmBootLayout {
    return this.#layout;
  }

  /** The generated tree (undefined when booting a user's -dtb blob unmodified). */
  get deviceTree(): DeviceTree | undefined {
    return this.#deviceTree;
  }

  /** The blob the guest receives and its address (undefined when it was left out). */
  get fdt(): { readonly blob: Uint8Array; readonly address: number | undefined } {
    return { blob: this.#fdt, address: this.#fdtLoaded ? this.#layout.fdtAddr : undefined };
  }

  /**
   * Hands the PL011's buffered output to the `console` option now (`run` does it after each
   * round; a hypervisor that runs the CPUs itself calls this).
   */
  flushConsole(): void {
    this.#flushConsole();
  }

  /** Console input for the guest (PL011 receive). */
  sendInput(data: Uint8Array | string): void {
    this.uart.pushInput(data);
    this.#wakeUp();
  }

  /** Ends `run()` at the next slice boundary with `{ kind: "stopped", reason }`. */
  stop(reason = "stopped"): void {
    this.#exit ??= { kind: "stopped", reason };
    this.#wakeUp();
  }

  /** Power-cycles the board: devices, CPUs and RAM, then the images are loaded again. */
  reset(): void {
    this.ram.fill(0);
    for (const d of this.bus.devices) d.reset?.();
    for (const c of this.cpus) {
      c.powerOff();
      c.reset();
    }
    this.#idle.fill(false);
    // The CPUs' timers are off again: take their lines into the GIC down with them.
    for (let i = 0; i < this.cpus.length; i++) {
      for (const ppi of TIMER_PPIS) this.gic.setPpi(i, ppi, false);
    }
    this.#timerLevels.fill(0);
    this.#boot();
  }

  #boot(): void {
    const o = this.#options;
    const ramSize = this.ram.length;
    const layout = loadArmBootImages(o.images, {
      ramBase: ARM_VIRT.ram.base,
      ramSize,
      writeRam: (a, b) => this.bus.writeRam(a, b),
      loadFlash: (b) => this.flash[0].load(b),
    });
    this.#layout = layout;
    let dt: DeviceTree;
    if (o.dtb !== undefined) {
      dt = DeviceTree.parse(o.dtb);
      applyChosen(dt, o.bootargs, layout.initrd);
    } else {
      const seed =
        o.rngSeed === null ? undefined : (o.rngSeed ?? crypto.getRandomValues(new Uint8Array(40)));
      dt = buildArmVirtDeviceTree({
        cpuAffinities: this.cpus.map((_, i) => armVirtCpuAffinity(i, this.gicVersion)),
        ramSize,
        gicVersion: this.gicVersion,
        virtualization: this.virtualization,
        flash: true,
        ...(o.bootargs !== undefined ? { bootargs: o.bootargs } : {}),
        ...(layout.initrd !== undefined ? { initrd: layout.initrd } : {}),
        ...(seed !== undefined
          ? { rngSeed: seed.subarray(0, 32), kaslrSeed: seed.subarray(32, 40) }
          : {}),
      });
    }
    this.#deviceTree = dt;
    // QEMU's blob has a totalsize of 1 MiB (room for firmware to edit it in place).
    const compact = dt.toBlob();
    this.#fdt = dt.toBlob({ padding: Math.max(0, QEMU_FDT_SIZE - compact.length) });
    this.#fdtLoaded = deviceTreeFits(layout, this.#fdt.length);
    if (this.#fdtLoaded) this.bus.writeRam(layout.fdtAddr, this.#fdt);
    const el: 1 | 2 = this.virtualization ? 2 : 1;
    // Secondary CPUs stay off until PSCI CPU_ON, as QEMU starts them.
    const x0 = layout.mode === "linux" ? BigInt(layout.fdtAddr) : 0n;
    this.cpus[0]!.powerOn(layout.entry, x0, el);
  }

  #psciBoard(): PsciBoard {
    return {
      cpuByMpidr: (aff) => {
        for (let i = 0; i < this.cpus.length; i++) {
          if (BigInt(armVirtCpuAffinity(i, this.gicVersion)) === aff) return i;
        }
        return -1;
      },
      isOn: (i) => this.cpus[i]?.poweredOn ?? false,
      bootEl: this.virtualization ? 2 : 1,
      cpuOn: (i, entry, contextId, el) => {
        this.cpus[i]!.powerOn(entry, contextId, el);
        this.#idle[i] = false;
        this.#wakeUp();
      },
      cpuOff: (i) => {
        this.cpus[i]!.powerOff();
      },
      systemOff: () => {
        this.#setExit({ kind: "poweroff", success: true, code: 0, source: "psci" });
        for (const c of this.cpus) c.powerOff();
      },
      systemReset: () => {
        this.#resetRequested = true;
        for (const c of this.cpus) c.powerOff();
      },
    };
  }

  #setExit(exit: ArmMachineExit): void {
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

  /** Drives each CPU's timer PPIs from its timer outputs. */
  #routeTimers(): void {
    for (let i = 0; i < this.cpus.length; i++) this.#routeTimer(i);
  }

  #routeTimer(i: number): void {
    const c = this.cpus[i];
    if (c === undefined) return;
    const lines = c.poweredOn ? c.timerLines() & 0xf : 0;
    const changed = lines ^ this.#timerLevels[i]!;
    if (changed === 0) return;
    this.#timerLevels[i] = lines;
    for (let b = 0; b < 4; b++) {
      if (changed & (1 << b)) this.gic.setPpi(i, TIMER_PPIS[b]!, (lines & (1 << b)) !== 0);
    }
  }

  /** The GICv3 system registers, with the accessing CPU's timer lines refreshed first. */
  #gicSysRegs(gic: GicV3): SysRegDevice {
    const regs = gic.sysRegs;
    return {
      read: (cpu, enc, ctx) => {
        if (!isEl2GicReg(enc)) this.#routeTimer(cpu);
        return regs.read(cpu, enc, ctx);
      },
      write: (cpu, enc, value, ctx) => {
        if (!isEl2GicReg(enc)) this.#routeTimer(cpu);
        return regs.write(cpu, enc, value, ctx);
      },
    };
  }

  #wakeable(c: Aarch64Cpu): boolean {
    return c.poweredOn && c.interruptPending();
  }

  /**
   * The CPU whose banked GIC registers (GICC, GICH, GICV, GICv2 SGI/PPI state) the next bus
   * access reaches, for a hypervisor that runs the CPUs itself instead of through `step`.
   */
  selectCpu(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.cpus.length) {
      throw new AxError("InvalidInput", `the board has no CPU ${i}`);
    }
    this.#current = i;
  }

  /** Executes one round: every runnable CPU gets one slice. Returns true if any ran. */
  step(): boolean {
    const debug = this.#debug;
    if (debug?.controlsRound === true) return this.#debugRound(debug);
    this.#routeTimers();
    let ran = 0;
    let active = false;
    for (let i = 0; i < this.cpus.length; i++) {
      const c = this.cpus[i]!;
      if (!c.poweredOn) continue;
      if (this.#idle[i]) {
        if (!this.#wakeable(c)) continue;
        this.#idle[i] = false;
      }
      this.#current = i;
      const before = c.instructions;
      let r: string;
      try {
        r = c.run(this.#slice);
      } catch (e) {
        this.#exit ??= {
          kind: "fault",
          message: `cpu ${i} at pc 0x${c.getPc().toString(16)}: ${(e as Error).message ?? e}`,
          cpu: i,
          pc: c.getPc(),
        };
        break;
      }
      ran += c.instructions - before;
      if (r === "wfi") this.#idle[i] = true;
      else active = true;
      debug?.afterSlice(i, c);
      if (this.#exit !== undefined || debug?.holding === true) break;
    }
    this.#current = 0;
    this.instructions += ran;
    this.clock.advanceInstructions(ran);
    this.#routeTimers();
    this.rtc.update();
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

  #anyRunnable(): boolean {
    if (this.#debug?.holding === true) return false;
    return this.cpus.some((c, i) => c.poweredOn && (!this.#idle[i] || this.#wakeable(c)));
  }

  /**
   * Runs until the guest powers off (or every CPU is off), faults or `stop()` is called, in
   * the shared bare-board loop (`BoardRunLoop`: yields to the event loop, sleeps while every
   * CPU waits until its next timer deadline or the RTC alarm).
   */
  run(): Promise<ArmMachineExit> {
    if (this.#loop.running) {
      return Promise.reject(new AxError("ResourceBusy", "the machine is already running"));
    }
    return this.#loop.run() as Promise<ArmMachineExit>;
  }

  /** The earliest counter tick at which a powered CPU's timer fires. */
  #nextTimerDeadline(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const c of this.cpus) if (c.poweredOn) next = Math.min(next, c.nextTimerEvent());
    return next;
  }

  // ---- debugger ----

  /**
   * Puts the board under a debugger: the CPUs stop at once (all-stop) and BRK stops a CPU for
   * it instead of reaching the guest; `onStop` hears of a breakpoint hit or a finished step.
   */
  debugAttach(onStop: (cpu: number, why: DebugStopReason) => void): void {
    this.#debug = new BoardDebugger(this.cpus, onStop);
  }

  /** Stops the CPUs at the next instruction boundary (a debugger's interrupt). */
  debugHalt(): void {
    this.#debug?.halt();
  }

  /** Lets the CPUs run (`stepCpu` < 0) or executes one instruction of CPU `stepCpu`. */
  debugResume(stepCpu: number): void {
    const d = this.#debug;
    if (d === undefined) return;
    d.resume(stepCpu);
    if (stepCpu >= 0) this.#idle[stepCpu] = false;
    this.#wakeUp();
  }

  /** The debugger is gone: BRK reaches the guest again and the CPUs run. */
  debugDetach(): void {
    this.#debug?.detach();
    this.#debug = undefined;
    this.#wakeUp();
  }

  /** Every CPU drops cached translations and checks compiled code against RAM (memory written). */
  fenceAll(): void {
    for (const c of this.cpus) {
      c.flushTlb();
      c.jit?.codeBarrier(-1);
    }
  }

  /** A round while a debugger holds the CPUs: nothing runs, or one instruction of one CPU. */
  #debugRound(debug: BoardDebugger): boolean {
    const i = debug.stepCpu;
    const c = this.cpus[i];
    this.#routeTimers();
    if (debug.holding || c === undefined) return false;
    if (this.#idle[i] && !this.#wakeable(c)) return false; // WFI: the step ends at its wake-up
    this.#idle[i] = false;
    this.#current = i;
    const before = c.instructions;
    const r = c.run(1);
    this.#current = 0;
    if (r === "wfi") this.#idle[i] = true;
    const ran = c.instructions - before;
    this.instructions += ran;
    this.clock.advanceInstructions(ran);
    this.#routeTimers();
    this.#flushConsole();
    debug.stepped(i, c);
    return true;
  }
}
