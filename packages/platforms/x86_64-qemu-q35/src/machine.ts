import { type BaseMmioDeviceOps, irqLine } from "@axvisor/axdevice-base";
import { AxError } from "@axvisor/axerrno";
import { CS, DS, ES, FS, GS, SS, X86Cpu } from "@axvisor/cpu-x86_64";
import { CmosRtc } from "@axvisor/device-cmos-rtc";
import { FwCfg, FwCfgKey, fwCfgLe16, fwCfgLe32, fwCfgLe64 } from "@axvisor/device-fw-cfg";
import { HPET_CAP_LOW, Hpet } from "@axvisor/device-hpet";
import { I8254 } from "@axvisor/device-i8254";
import { I8259Pair } from "@axvisor/device-i8259";
import { IoApic } from "@axvisor/device-ioapic";
import { IsaDebugExit } from "@axvisor/device-isa-debug-exit";
import { ApicBus, LocalApic } from "@axvisor/device-lapic";
import { Ns16550a } from "@axvisor/device-ns16550a";
import type { VirtioSlotFactory } from "@axvisor/device-virtio-mmio";
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
import { buildAcpiTables } from "./acpi.js";
import {
  ACPI_LOADER_FILE,
  ACPI_RSDP_FILE,
  ACPI_TABLES_FILE,
  buildAcpiFwCfgFiles,
} from "./acpi-loader.js";
import { AcpiPm } from "./acpi-pm.js";
import {
  BOOT_CS,
  BOOT_DS,
  type BootEntry,
  FLAT_CODE32_ATTR,
  FLAT_DATA32_ATTR,
} from "./boot-state.js";
import { CpuBus } from "./cpu-bus.js";
import { buildE820, e820FwCfgBytes } from "./e820.js";
import { loadLinux, parseSetupHeader } from "./linux-boot.js";
import {
  PC,
  PC_DEFAULT_RAM_SIZE,
  PC_IRQ,
  PC_MAX_CPUS,
  PC_PORT,
  PC_TIMEBASE_HZ,
  splitRam,
  virtioSlotBase,
} from "./memory-map.js";
import { findMultibootHeader, loadMultiboot } from "./multiboot.js";
import { PciHost } from "./pci-host.js";
import { PortBus } from "./port-bus.js";
import { Kbd8042Reset, MmioOnPorts, PostPort } from "./port-devices.js";
import { findPvhEntry, loadPvh } from "./pvh.js";

export interface BootFile {
  readonly name: string;
  readonly data: Uint8Array;
}

export interface PcBootImages {
  /** `-bios`: a ROM mapped below 4 GiB (its last 128 KiB also at 0xE0000); the CPU starts at the reset vector. */
  readonly firmware?: BootFile;
  /** `-kernel`: a Linux bzImage or a multiboot (v1) kernel, loaded directly (no firmware). */
  readonly kernel?: BootFile;
  /** `-initrd`: Linux's initrd, or a multiboot kernel's module. */
  readonly initrd?: BootFile;
}

/** A raw blob for RAM, as QEMU's `-device loader,file=FILE,addr=ADDR,force-raw=on` places it. */
export interface PcRawLoad {
  /** For error messages (the file name). */
  readonly name: string;
  readonly addr: number;
  readonly data: Uint8Array;
}

export interface PcMachineOptions {
  /** 1..8 (default 1). */
  readonly cpus?: number;
  /** Bytes of RAM (default 256 MiB). */
  readonly ramSize?: number;
  readonly images: PcBootImages;
  /**
   * Blobs copied into RAM at power-on and at every reset, before the boot images are loaded:
   * what a hypervisor does for axvm-bios (BIOS at 0x8000, kernel at 0x20_0000).
   */
  readonly loaders?: readonly PcRawLoad[];
  /** Kernel command line (`-append`). */
  readonly bootargs?: string;
  /** Real time by default (nanosecond ticks); an InstructionClock makes runs reproducible. */
  readonly clock?: MachineClock;
  /** The RTC's time at power-on, ms since the epoch (default: the host's). */
  readonly startTimeMs?: number;
  /** Console output: COM1 transmissions. */
  readonly console?: (bytes: Uint8Array) => void;
  /** Instructions per CPU per round (default 20 000). */
  readonly sliceInstructions?: number;
  /** `-device isa-debug-exit,iobase=..,iosize=..` (absent: no such device). */
  readonly debugExit?: { readonly iobase?: number; readonly iosize?: number };
  /** A guest reset (0xCF9, 8042, triple fault) ends the run instead (`-no-reboot`). */
  readonly noReboot?: boolean;
  /**
   * Devices for virtio-mmio slots (slot n at 0xFEB0_0000 + n * 0x200, IOAPIC pin 16 + n),
   * announced to Linux on its command line as `virtio_mmio.device=<size>@<addr>:<irq>`.
   */
  readonly virtio?: readonly VirtioSlotFactory[];
}

const DEFAULT_SLICE = 20_000;
const IF = 0x200;
/** The isa-bios mirror: the ROM's last 128 KiB below 1 MiB. */
const ISA_BIOS_SIZE = 0x2_0000;

/**
 * QEMU's x86_64 `q35` PC as far as a kernel or firmware sees it: CPUs with local APICs, RAM
 * with an e820 map, 8259 PICs, 8254 PIT, CMOS RTC, IOAPIC, HPET, COM1, the ACPI PM block
 * and tables, fw_cfg, the PCI host and LPC bridge, reset through 0xCF9 and the 8042,
 * isa-debug-exit on request, and virtio-mmio slots. Boots a Linux bzImage (32-bit boot
 * protocol), a multiboot kernel, or firmware from the reset vector, and runs the CPUs in
 * slices on one thread.
 */
export class PcMachine {
  readonly ram: Uint8Array;
  readonly bus: BoardBus;
  readonly io = new PortBus();
  readonly cpus: readonly X86Cpu[];
  readonly lapics: readonly LocalApic[];
  readonly apicBus = new ApicBus();
  readonly clock: MachineClock;
  readonly pic: I8259Pair;
  readonly pit: I8254;
  readonly rtc: CmosRtc;
  readonly ioapic: IoApic;
  readonly hpet: Hpet;
  readonly uart: Ns16550a;
  readonly fwCfg: FwCfg;
  readonly pci: PciHost;
  readonly pm: AcpiPm;
  readonly dma: RamDma;
  readonly rom: Rom | undefined;
  readonly virtioDevices: readonly BaseMmioDeviceOps[];
  /** Instructions executed since power-on (all CPUs). */
  instructions = 0;
  /** Guest-requested resets performed. */
  resets = 0;
  /** Host milliseconds spent asleep because every CPU waited. */
  get idleMs(): number {
    return this.#loop.idleMs;
  }
  /** Which boot path ran and how the BSP was started. */
  bootInfo:
    | { readonly kind: "linux" | "multiboot" | "pvh" | "firmware"; readonly entry: BootEntry }
    | undefined;

  readonly #options: PcMachineOptions;
  readonly #slice: number;
  readonly #idle: boolean[];
  #out: number[] = [];
  #exit: MachineExit | undefined;
  #outAtExit = -1;
  #resetRequested = false;
  readonly #loop: BoardRunLoop;
  /** HPET legacy replacement disconnects the PIT's and RTC's interrupt outputs. */
  #hpetLegacy = false;
  /** A debugger holds the CPUs (all-stop), steps one, or lets them run; undefined: none. */
  #debug: BoardDebugger | undefined;

  constructor(options: PcMachineOptions) {
    const n = options.cpus ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > PC_MAX_CPUS) {
      throw new AxError("InvalidInput", `CPU count ${n} is not in 1..${PC_MAX_CPUS}`);
    }
    const ramSize = options.ramSize ?? PC_DEFAULT_RAM_SIZE;
    if (!Number.isSafeInteger(ramSize) || ramSize < 2 << 20 || ramSize % 4096 !== 0) {
      throw new AxError("InvalidInput", `RAM size ${ramSize} must be a multiple of 4 KiB >= 2 MiB`);
    }
    if (splitRam(ramSize).above4g > 0) {
      throw new AxError(
        "Unsupported",
        `RAM above 4 GiB is not supported yet: use -m below ${PC.lowmemSplitThreshold >> 20} MiB`,
      );
    }
    this.#options = options;
    this.#slice = options.sliceInstructions ?? DEFAULT_SLICE;
    this.clock = options.clock ?? new RealTimeClock(PC_TIMEBASE_HZ);
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
      nextTimerDeadline: () => this.#nextDeadline(),
      // The CMOS RTC's alarms run on the board clock, so they are in nextDeadline already.
      wallClockWakeMs: () => Number.POSITIVE_INFINITY,
      finish: () => this.#flushConsole(),
    });
    this.ram = allocateRam(ramSize);
    this.bus = new BoardBus(this.ram, 0);
    const cpus: X86Cpu[] = [];
    const lapics: LocalApic[] = [];
    this.cpus = cpus;
    this.lapics = lapics;
    this.#idle = new Array<boolean>(n).fill(false);
    this.dma = new RamDma(this.ram, 0, () => this.cpus);
    const clock = this.clock;
    const hz = PC_TIMEBASE_HZ;

    this.pic = new I8259Pair({ output: (level) => level && this.#wakeUp() });
    this.ioapic = new IoApic({ deliver: (m) => this.apicBus.deliver(m) });
    this.pit = new I8254({
      time: clock,
      timeHz: hz,
      irq0: irqLine((l) => !this.#hpetLegacy && this.#isaIrq(PC_IRQ.pit, l)),
    });
    this.rtc = new CmosRtc({
      time: clock,
      timeHz: hz,
      ...(options.startTimeMs !== undefined ? { startTimeMs: options.startTimeMs } : {}),
      irq: irqLine((l) => !this.#hpetLegacy && this.#isaIrq(PC_IRQ.rtc, l)),
    });
    this.hpet = new Hpet({
      time: clock,
      timeHz: hz,
      ioapicIrq: (pin, l) => this.ioapic.setIrq(pin, l),
      legacyIrq: (irq, l) => this.#isaIrq(irq, l),
      onLegacyMode: (on) => {
        this.#hpetLegacy = on;
      },
    });
    // The UART model is written for MMIO; COM1's eight ports map onto its registers.
    this.uart = new Ns16550a({
      base: PC_PORT.com1,
      size: 8,
      irq: irqLine((l) => this.#isaIrq(PC_IRQ.com1, l)),
      onTransmit: (b) => this.#out.push(b),
    });
    this.fwCfg = new FwCfg({ dma: this.dma });
    this.pci = new PciHost(() => this.#requestReset());
    this.pm = new AcpiPm({
      time: clock,
      timeHz: hz,
      onPowerOff: () => this.#setExit({ kind: "poweroff", success: true, code: 0, source: "acpi" }),
    });
    const io = this.io;
    io.add(this.pic.masterPorts);
    io.add(this.pic.slavePorts);
    io.add(this.pic.elcrPorts);
    io.add(this.pit);
    io.add(this.pit.port61);
    io.add(this.rtc);
    io.add(new MmioOnPorts(this.uart, PC_PORT.com1, 8));
    io.add(this.fwCfg);
    io.add(this.pci);
    io.add(this.pm);
    io.add(new PostPort());
    io.add(new Kbd8042Reset(0x60, () => {}));
    io.add(new Kbd8042Reset(0x64, () => this.#requestReset()));
    if (options.debugExit !== undefined) {
      io.add(
        new IsaDebugExit({
          ...options.debugExit,
          onExit: (status) =>
            this.#setExit({
              kind: "poweroff",
              success: status === 1,
              code: status,
              source: "isa-debug-exit",
              // QEMU exits with the device's status, (value << 1) | 1; scripts test for it.
              processStatus: status,
            }),
        }),
      );
    }

    this.bus.addDevice(this.ioapic);
    this.bus.addDevice(this.hpet);
    const fw = options.images.firmware;
    if (fw !== undefined) {
      if (fw.data.length === 0 || fw.data.length % 0x1_0000 !== 0 || fw.data.length > 16 << 20) {
        throw new AxError(
          "InvalidInput",
          `firmware ${fw.name} must be a multiple of 64 KiB up to 16 MiB`,
        );
      }
      this.rom = new Rom(PC.fourGiB - fw.data.length, fw.data.length);
      this.bus.addDevice(this.rom);
    } else {
      this.rom = undefined;
    }
    const factories = options.virtio ?? [];
    if (factories.length > PC.virtioCount) {
      throw new AxError("InvalidInput", `only ${PC.virtioCount} virtio-mmio slots exist`);
    }
    this.virtioDevices = factories.map((make, i) => {
      const dev = make({
        base: virtioSlotBase(i),
        size: PC.virtioSize,
        irq: irqLine((l) => this.ioapic.setIrq(PC_IRQ.virtioFirst + i, l)),
        dma: this.dma,
      });
      this.bus.addDevice(dev);
      return dev;
    });

    for (let i = 0; i < n; i++) {
      const lapic = new LocalApic({
        apicId: i,
        bsp: i === 0,
        time: clock,
        timeHz: hz,
        tsc: () => clock.now() + (cpus[i]?.tscOffset ?? 0),
        tscHz: hz,
        host: {
          sendIpi: (from, msg, shorthand) => this.apicBus.sendIpi(from, msg, shorthand),
          eoiBroadcast: (v) => this.ioapic.eoi(v),
          nmi: () => {
            cpus[i]?.nmi();
            this.#wakeUp();
          },
          init: () => {
            cpus[i]?.init();
            lapics[i]?.initReset();
            this.#idle[i] = false;
            this.#wakeUp();
          },
          startup: (vector) => {
            cpus[i]?.startupIpi(vector);
            this.#idle[i] = false;
            this.#wakeUp();
          },
          kick: () => this.#wakeUp(),
        },
        ...(i === 0 ? { extInt: this.pic } : {}),
      });
      lapics.push(lapic);
      this.apicBus.add(lapic);
      cpus.push(
        new X86Cpu({
          cpuId: i,
          apicId: i,
          bus: new CpuBus(this.bus, lapic),
          io,
          time: clock,
          lapic,
          bsp: i === 0,
        }),
      );
    }
    this.#boot();
  }

  /** Routes an ISA interrupt: the 8259 input and the IOAPIC pin (IRQ0 is pin 2). */
  #isaIrq(irq: number, level: boolean): void {
    this.pic.setIrq(irq, level);
    this.ioapic.setIrq(irq === 0 ? 2 : irq, level);
  }

  /** The kernel command line with the virtio-mmio slots appended. */
  get commandLine(): string {
    const parts = [this.#options.bootargs ?? ""];
    this.virtioDevices.forEach((_d, i) => {
      parts.push(
        `virtio_mmio.device=${PC.virtioSize}@0x${virtioSlotBase(i).toString(16)}:${PC_IRQ.virtioFirst + i}`,
      );
    });
    return parts.filter((p) => p.length > 0).join(" ");
  }

  sendInput(data: Uint8Array | string): void {
    this.uart.pushInput(data);
    this.#wakeUp();
  }

  stop(reason = "stopped"): void {
    this.#exit ??= { kind: "stopped", reason };
    this.#wakeUp();
  }

  /** Power-cycles the board: devices, CPUs and RAM, then the images are loaded again. */
  reset(): void {
    this.ram.fill(0);
    for (const d of this.bus.devices) d.reset?.();
    this.io.reset();
    this.#hpetLegacy = false;
    for (const l of this.lapics) l.reset();
    for (const c of this.cpus) c.reset();
    this.#idle.fill(false);
    this.#boot();
  }

  #boot(): void {
    const o = this.#options;
    const ramSize = this.ram.length;
    const { below4g, above4g } = splitRam(ramSize);
    const e820 = buildE820(ramSize);
    const ncpu = this.cpus.length;
    this.rtc.setMemorySizes({ below4g, above4g, cpus: ncpu });
    const fw = this.fwCfg;
    fw.setBytes(FwCfgKey.uuid, new Uint8Array(16));
    fw.setBytes(FwCfgKey.ramSize, fwCfgLe64(ramSize));
    fw.setBytes(FwCfgKey.noGraphic, fwCfgLe16(1));
    fw.setBytes(FwCfgKey.nbCpus, fwCfgLe16(ncpu));
    fw.setBytes(FwCfgKey.maxCpus, fwCfgLe16(ncpu));
    fw.setBytes(FwCfgKey.bootMenu, fwCfgLe16(0));
    fw.setBytes(FwCfgKey.irq0Override, fwCfgLe32(1));
    fw.addFile("etc/e820", e820FwCfgBytes(e820));
    const writeRam = (a: number, b: Uint8Array) => this.bus.writeRam(a, b);
    const { firmware, kernel, initrd } = o.images;
    for (const l of o.loaders ?? []) {
      if (!Number.isSafeInteger(l.addr) || l.addr < 0 || l.addr + l.data.length > below4g) {
        throw new AxError(
          "InvalidInput",
          `loader ${l.name}: 0x${l.addr.toString(16)} + ${l.data.length} bytes is not inside RAM (0-0x${below4g.toString(16)})`,
        );
      }
      writeRam(l.addr, l.data);
    }

    if (firmware !== undefined && this.rom !== undefined) {
      // Firmware installs the ACPI tables itself, following fw_cfg's linker/loader script.
      const acpiFiles = buildAcpiFwCfgFiles({
        apicIds: this.lapics.map((l) => l.id),
        ioapicId: this.ioapic.id,
        hpetId: HPET_CAP_LOW,
      });
      fw.addFile(ACPI_RSDP_FILE, acpiFiles.rsdp);
      fw.addFile(ACPI_TABLES_FILE, acpiFiles.tables);
      fw.addFile(ACPI_LOADER_FILE, acpiFiles.loader);
      this.rom.load(firmware.data);
      const mirror = firmware.data.subarray(Math.max(0, firmware.data.length - ISA_BIOS_SIZE));
      writeRam(PC.biosAreaEnd - mirror.length, mirror);
      if (kernel !== undefined) this.#kernelFwCfg(kernel.data, initrd?.data);
      this.bootInfo = { kind: "firmware", entry: { kind: "reset" } };
      return;
    }
    if (kernel === undefined)
      throw new AxError("InvalidInput", "nothing to boot: give a kernel or firmware");
    const acpi = buildAcpiTables({
      apicIds: this.lapics.map((l) => l.id),
      ioapicId: this.ioapic.id,
      hpetId: HPET_CAP_LOW,
    });
    writeRam(acpi.base, acpi.bytes);
    if (parseSetupHeader(kernel.data) !== null) {
      const r = loadLinux({
        kernel: kernel.data,
        ...(initrd !== undefined ? { initrd: initrd.data } : {}),
        cmdline: this.commandLine,
        below4g,
        e820,
        rsdp: acpi.rsdp,
        writeRam,
      });
      this.bootInfo = { kind: "linux", entry: r.entry };
    } else if (findMultibootHeader(kernel.data) !== null) {
      const r = loadMultiboot({
        kernel: kernel.data,
        cmdline: [kernel.name, this.commandLine].filter((s) => s.length > 0).join(" "),
        modules: initrd !== undefined ? [{ data: initrd.data, cmdline: initrd.name }] : [],
        e820,
        writeRam,
      });
      this.bootInfo = { kind: "multiboot", entry: r.entry };
    } else if (findPvhEntry(kernel.data) !== null) {
      const r = loadPvh({
        kernel: kernel.data,
        ...(initrd !== undefined ? { initrd: initrd.data } : {}),
        cmdline: this.commandLine,
        e820,
        rsdp: acpi.rsdp,
        below4g,
        writeRam,
      });
      this.bootInfo = { kind: "pvh", entry: r.entry };
    } else {
      throw new AxError(
        "InvalidData",
        `${kernel.name} is neither a Linux bzImage, a multiboot kernel nor an ELF with a PVH entry`,
      );
    }
    this.#enter(this.cpus[0]!, this.bootInfo.entry);
  }

  /** The items QEMU's fw_cfg carries for -kernel, for firmware that boots it. */
  #kernelFwCfg(kernel: Uint8Array, initrd: Uint8Array | undefined): void {
    const fw = this.fwCfg;
    const hdr = parseSetupHeader(kernel);
    const setupLen = hdr === null ? 0 : (hdr.setupSects + 1) * 512;
    const cmd = new TextEncoder().encode(`${this.commandLine}\0`);
    fw.setBytes(FwCfgKey.setupSize, fwCfgLe32(setupLen));
    fw.setBytes(FwCfgKey.setupData, kernel.subarray(0, setupLen));
    fw.setBytes(FwCfgKey.kernelSize, fwCfgLe32(kernel.length - setupLen));
    fw.setBytes(FwCfgKey.kernelData, kernel.subarray(setupLen));
    fw.setBytes(FwCfgKey.cmdlineSize, fwCfgLe32(cmd.length));
    fw.setBytes(FwCfgKey.cmdlineData, cmd);
    if (initrd !== undefined) {
      fw.setBytes(FwCfgKey.initrdSize, fwCfgLe32(initrd.length));
      fw.setBytes(FwCfgKey.initrdData, initrd);
    }
  }

  /** Puts the BSP where a boot loader leaves it. */
  #enter(cpu: X86Cpu, entry: BootEntry): void {
    if (entry.kind !== "protected32") return;
    cpu.setReg("cr0", 0x11n); // PE, ET
    cpu.gdtBase = entry.gdtBase;
    cpu.gdtLimit = entry.gdtLimit;
    const flat = (selector: number, attributes: number) => ({
      selector,
      base: 0n,
      limit: 0xffff_ffff,
      attributes,
    });
    cpu.setSegment(CS, flat(BOOT_CS, FLAT_CODE32_ATTR));
    for (const s of [DS, ES, FS, GS, SS]) cpu.setSegment(s, flat(BOOT_DS, FLAT_DATA32_ATTR));
    const r = entry.regs;
    cpu.setReg("rax", BigInt(r.eax ?? 0));
    cpu.setReg("rbx", BigInt(r.ebx ?? 0));
    cpu.setReg("rcx", BigInt(r.ecx ?? 0));
    cpu.setReg("rdx", BigInt(r.edx ?? 0));
    cpu.setReg("rsi", BigInt(r.esi ?? 0));
    cpu.setReg("rdi", BigInt(r.edi ?? 0));
    cpu.setReg("rbp", BigInt(r.ebp ?? 0));
    cpu.setReg("rsp", BigInt(r.esp ?? 0));
    cpu.setReg("rflags", 2n);
    cpu.setReg("rip", BigInt(entry.eip));
  }

  #requestReset(): void {
    this.#resetRequested = true;
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

  /** A halted CPU resumes on an NMI, or an interrupt it would take (IF set). */
  #wakeable(i: number): boolean {
    const cpu = this.cpus[i]!;
    if (cpu.waitSipi) return false;
    if (!cpu.halted) return true;
    return cpu.nmiPending || ((cpu.flags & IF) !== 0 && this.lapics[i]!.hasInterrupt());
  }

  #updateDevices(): void {
    const now = this.clock.now();
    this.pit.update();
    this.rtc.update();
    this.hpet.update();
    for (const l of this.lapics) l.update(now);
  }

  #nextDeadline(): number {
    let next = Math.min(this.pit.nextDeadline(), this.rtc.nextDeadline(), this.hpet.nextDeadline());
    for (const l of this.lapics) next = Math.min(next, l.nextDeadline());
    return next;
  }

  /** One round: every runnable CPU gets one slice. Returns true if any CPU ran. */
  step(): boolean {
    const debug = this.#debug;
    if (debug?.controlsRound === true) return this.#debugRound(debug);
    let ran = 0;
    let active = false;
    for (let i = 0; i < this.cpus.length; i++) {
      const cpu = this.cpus[i]!;
      if (this.#idle[i]) {
        if (!this.#wakeable(i)) continue;
        this.#idle[i] = false;
      }
      const before = cpu.icount;
      let r: string;
      try {
        r = cpu.run(this.#slice);
      } catch (e) {
        this.#exit ??= {
          kind: "fault",
          message: `CPU ${i} at rip 0x${cpu.getReg("rip").toString(16)}: ${(e as Error).message ?? e}`,
          cpu: i,
          pc: cpu.getReg("rip"),
        };
        break;
      }
      ran += cpu.icount - before;
      if (r === "hlt") this.#idle[i] = true;
      else if (r === "shutdown") {
        // A triple fault: QEMU resets the machine (or stops with -no-reboot).
        this.#requestReset();
        break;
      } else active = true;
      debug?.afterSlice(i, cpu);
      if (this.#exit !== undefined || debug?.holding === true) break;
    }
    this.instructions += ran;
    this.clock.advanceInstructions(ran);
    this.#updateDevices();
    if (this.#exit !== undefined && this.#outAtExit >= 0) this.#out.length = this.#outAtExit;
    this.#flushConsole();
    if (this.#resetRequested && this.#exit === undefined) {
      this.#resetRequested = false;
      if (this.#options.noReboot) {
        this.#setExit({ kind: "stopped", reason: "guest reset (no-reboot)" });
        return false;
      }
      this.resets++;
      this.reset();
      return true;
    }
    return active;
  }

  #anyRunnable(): boolean {
    if (this.#debug?.holding === true) return false;
    return this.cpus.some((_c, i) => !this.#idle[i] || this.#wakeable(i));
  }

  // ---- debugger ----

  /**
   * Puts the board under a debugger: the CPUs stop at once (all-stop) and INT3 stops a CPU for
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
    this.#debug?.resume(stepCpu);
    this.#wakeUp();
  }

  /** The debugger is gone: INT3 reaches the guest again and the CPUs run. */
  debugDetach(): void {
    this.#debug?.detach();
    this.#debug = undefined;
    this.#wakeUp();
  }

  /** RAM bytes [pa, pa + length) were written by the host: compiled code from them is stale. */
  ramWritten(pa: number, length: number): void {
    for (const c of this.cpus) c.notifyExternalWrite(pa, length);
  }

  /** A round while a debugger holds the CPUs: nothing runs, or one instruction of one CPU. */
  #debugRound(debug: BoardDebugger): boolean {
    const i = debug.stepCpu;
    const cpu = this.cpus[i];
    this.#updateDevices();
    if (debug.holding || cpu === undefined) return false;
    // HLT: the step ends when the CPU wakes and executes its next instruction.
    if (this.#idle[i] && !this.#wakeable(i)) return false;
    this.#idle[i] = false;
    const before = cpu.icount;
    let r: string;
    try {
      r = cpu.run(1);
    } catch (e) {
      this.#exit ??= {
        kind: "fault",
        message: `CPU ${i} at rip 0x${cpu.getReg("rip").toString(16)}: ${(e as Error).message ?? e}`,
        cpu: i,
        pc: cpu.getReg("rip"),
      };
      return false;
    }
    if (r === "hlt") this.#idle[i] = true;
    const ran = cpu.icount - before;
    this.instructions += ran;
    this.clock.advanceInstructions(ran);
    this.#updateDevices();
    this.#flushConsole();
    if (r === "shutdown") this.#requestReset();
    debug.stepped(i, cpu);
    return true;
  }

  /**
   * Runs until the guest powers off, faults or `stop()` is called, in the shared bare-board
   * loop (`BoardRunLoop`: yields to the event loop, sleeps while every CPU waits until the
   * next PIT, RTC, HPET or LAPIC deadline).
   */
  run(): Promise<MachineExit> {
    if (this.#loop.running) {
      return Promise.reject(new AxError("ResourceBusy", "the machine is already running"));
    }
    return this.#loop.run() as Promise<MachineExit>;
  }
}
