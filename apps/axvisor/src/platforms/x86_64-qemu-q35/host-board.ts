import { axErr } from "@axvisor/axerrno";
import { RamHostMemory } from "@axvisor/axvisor-api";
import type { X86Cpu } from "@axvisor/cpu-x86_64";
import type { MachineClock } from "@axvisor/machine";
import { AccessWidth, gpa, hpa, PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { PC, PC_TIMEBASE_HZ, PcMachine } from "@axvisor/platform-x86_64-qemu-q35";
import { VpidAllocator, X86HostCpus, X86PhysCpu } from "@axvisor/x86-vcpu";
import type {
  HostBoard,
  HostBoardOptions,
  HostIrqController,
  HostPlatform,
  VmArchParts,
  VmBuildContext,
} from "../../platform/host-platform.js";
import { buildX86Vm } from "./vm-parts.js";

/**
 * What the board "boots": the hypervisor is TypeScript, so the firmware ROM is 64 KiB of HLT
 * that the CPUs never run: they are VMX root in host-trap mode from the start.
 */
const PARK_ROM = new Uint8Array(0x1_0000).fill(0xf4);

/**
 * The x86_64 host: the emulated q35 PC with VMX CPUs and no firmware. Every CPU is an
 * `X86PhysCpu` in VMX operation (TypeScript is VMX root), host RAM above 2 MiB is handed out
 * as frames (VMCS regions, bitmaps, EPT tables, guest memory), VPIDs tag each vCPU's
 * translations.
 */
export class X86HostBoard implements HostBoard {
  readonly platform: HostPlatform;
  readonly board: PcMachine;
  readonly cpus: X86HostCpus;
  readonly vpids: VpidAllocator;
  readonly memory: RamHostMemory;
  readonly clock: MachineClock;
  readonly timebaseHz = PC_TIMEBASE_HZ;
  readonly irq: HostIrqController;

  constructor(platform: HostPlatform, options: HostBoardOptions) {
    this.platform = platform;
    const { cpus, ramSize } = options;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > platform.maxCpus) {
      throw axErr(
        "InvalidInput",
        `--cpus: the ${platform.name} board has 1..${platform.maxCpus} CPUs, not ${cpus}`,
      );
    }
    this.board = new PcMachine({
      cpus,
      ramSize,
      images: { firmware: { name: "axvisor host park ROM", data: PARK_ROM } },
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    });
    this.clock = this.board.clock;
    this.cpus = new X86HostCpus(
      this.board.cpus.map((c, i) => {
        const cpu = new X86PhysCpu(i, c);
        cpu.hardwareEnable();
        return cpu;
      }),
    );
    this.vpids = new VpidAllocator(this.cpus);
    this.irq = new PcHostIrq(this);
    // The first 2 MiB hold the real-mode area and the BIOS mirror of the park ROM.
    const poolStart = PAGE_SIZE_2M;
    if (ramSize <= poolStart) {
      throw axErr("InvalidInput", `--memory: ${ramSize} bytes of host RAM leave nothing for VMs`);
    }
    this.memory = new RamHostMemory({
      ram: this.board.ram,
      ramBase: hpa(0),
      pool: { start: hpa(poolStart), size: ramSize - poolStart },
      // Nothing has run on the new board and its own images lie outside the pool.
      poolIsZero: true,
    });
  }

  get cpuCount(): number {
    return this.board.cpus.length;
  }

  cpu(i: number): X86Cpu {
    const c = this.board.cpus[i];
    if (c === undefined) throw axErr("InvalidInput", `the host has no CPU ${i}`);
    return c;
  }

  setCurrentCpu(cpu: number): void {
    this.cpus.setCurrent(cpu);
  }

  retired(cpu: number): number {
    return this.cpu(cpu).icount;
  }

  pc(cpu: number): bigint {
    return BigInt(this.cpu(cpu).rip);
  }

  /** The failed VM's vCPU state is abandoned with it: the CPU is VMX root with no current VMCS. */
  recoverCpu(cpu: number): void {
    const c = this.cpu(cpu);
    c.vmx.guestMode = false;
    c.vmx.eptActive = false;
    c.vmx.current = null;
    const p = this.cpus.cpus[cpu];
    if (p !== undefined) p.currentVmcs = -1;
  }

  /** INVEPT (all contexts) on every CPU. */
  fenceAll(): void {
    for (const c of this.board.cpus) {
      c.vmx.invalidateEpt();
      c.flushTlb();
    }
  }

  createVm(ctx: VmBuildContext): VmArchParts {
    return buildX86Vm(this, ctx);
  }
}

/** Host vectors of board interrupt lines: IOAPIC pin n arrives as vector 0x20 + n. */
const HOST_IRQ_VECTOR_BASE = 0x20;
const IOREGSEL = 0x00;
const IOWIN = 0x10;
const LAPIC_SVR = 0xf0;

/**
 * Passthrough interrupts the way a hypervisor takes them on a PC: the board IOAPIC routes an
 * enabled pin (edge, fixed, to CPU 0's APIC) to vector 0x20 + pin; a guest running on the CPU
 * exits on it (acknowledged on exit), an idle host finds it at the APIC; `complete` is the
 * APIC's EOI.
 */
class PcHostIrq implements HostIrqController {
  #apicOn = false;

  constructor(private readonly host: X86HostBoard) {}

  setEnabled(irq: number, enabled: boolean): void {
    if (!Number.isInteger(irq) || irq < 1 || irq > 23) {
      throw axErr("InvalidInput", `x86_64-qemu-q35: board IRQ ${irq} is not an IOAPIC pin (1..23)`);
    }
    const board = this.host.board;
    if (!this.#apicOn) {
      // The host's APIC, software-enabled with spurious vector 0xFF.
      board.lapics[0]?.writeRegister(LAPIC_SVR, 0x1ff);
      this.#apicOn = true;
    }
    const io = board.ioapic;
    const at = (off: number) => gpa(PC.ioapic + off);
    io.handleWrite(at(IOREGSEL), AccessWidth.Dword, BigInt(0x10 + 2 * irq + 1));
    io.handleWrite(at(IOWIN), AccessWidth.Dword, 0n); // destination APIC 0
    io.handleWrite(at(IOREGSEL), AccessWidth.Dword, BigInt(0x10 + 2 * irq));
    const low = HOST_IRQ_VECTOR_BASE + irq + (enabled ? 0 : 1 << 16);
    io.handleWrite(at(IOWIN), AccessWidth.Dword, BigInt(low));
  }

  claim(): number {
    for (const c of this.host.cpus.cpus) {
      const v = c.takeHostVector();
      if (v >= 0) return this.#irqOf(v);
    }
    const apic = this.host.board.lapics[0];
    if (apic?.hasInterrupt()) return this.#irqOf(apic.acknowledge());
    return 0;
  }

  #irqOf(vector: number): number {
    const irq = vector - HOST_IRQ_VECTOR_BASE;
    if (irq >= 1 && irq <= 23) return irq;
    // Not a passthrough line (the spurious vector): nothing for a VM; end it at once.
    if (vector !== 0xff) this.host.board.lapics[0]?.eoi();
    return 0;
  }

  complete(): void {
    this.host.board.lapics[0]?.eoi();
  }

  /** The board's timers (HPET, PIT, RTC) advance while no vCPU touches them. */
  poll(): void {
    const b = this.host.board;
    b.hpet.update();
    b.pit.update();
    b.rtc.update();
  }
}
