import { ArmHostCpus, ArmPhysCpu, ArmVmidAllocator } from "@axvisor/arm-vcpu";
import type { GichAccess } from "@axvisor/arm-vgic";
import { axErr } from "@axvisor/axerrno";
import { RamHostMemory } from "@axvisor/axvisor-api";
import type { Aarch64Cpu } from "@axvisor/cpu-aarch64";
import type { MachineClock } from "@axvisor/machine";
import { gpa, hpa, PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { ARM_VIRT, ARM_VIRT_TIMER_HZ, ArmVirtMachine } from "@axvisor/platform-aarch64-qemu-virt";
import type {
  HostBoard,
  HostBoardOptions,
  HostIrqController,
  HostPlatform,
  VmArchParts,
  VmBuildContext,
} from "../../platform/host-platform.js";
import { type GicVersion, hostGicVersion } from "./gic-version.js";
import { ArmHostIrq } from "./host-irq.js";
import { buildArmVm } from "./vm-parts.js";

/**
 * What the board "boots": the hypervisor is TypeScript, so the CPUs get only a `wfi; b .`
 * loop at the start of RAM, which they never run: they are in host-trap mode from the start.
 */
const PARK_LOOP = Uint8Array.of(0x7f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14);

/**
 * The aarch64 host: QEMU's virt board with `virtualization=on` and a GICv3 (its ICH/ICV
 * interface serves the guests' CPU interface) or, when the VMs given at start ask for a
 * vGICv2, a GICv2 (its GICV frame is the guests' GICC, its GICH frame holds the list
 * registers), no firmware. Every CPU is an `ArmPhysCpu` in
 * host-trap mode (TypeScript is EL2); host RAM is handed out as frames; VMIDs tag each VM's
 * stage 2.
 */
export class ArmHostBoard implements HostBoard {
  readonly platform: HostPlatform;
  readonly board: ArmVirtMachine;
  readonly cpus: ArmHostCpus;
  readonly memory: RamHostMemory;
  readonly clock: MachineClock;
  readonly timebaseHz = ARM_VIRT_TIMER_HZ;
  readonly irq: HostIrqController;
  readonly vmids = new ArmVmidAllocator();
  readonly gicVersion: GicVersion;
  /** The console of the VM the board's PL011 is passed through to. */
  #uartOwner: ((bytes: Uint8Array) => void) | undefined;

  constructor(platform: HostPlatform, options: HostBoardOptions) {
    this.platform = platform;
    const { cpus, ramSize } = options;
    this.gicVersion = hostGicVersion(options.vms ?? []);
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > platform.maxCpus) {
      throw axErr(
        "InvalidInput",
        `--cpus: the ${platform.name} board has 1..${platform.maxCpus} CPUs, not ${cpus}`,
      );
    }
    this.board = new ArmVirtMachine({
      cpus,
      ramSize,
      images: { kernel: { name: "axvisor host park loop", data: PARK_LOOP } },
      gicVersion: this.gicVersion,
      virtualization: true,
      rngSeed: null,
      console: (bytes) => this.#uartOwner?.(bytes),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    });
    this.clock = this.board.clock;
    this.irq = new ArmHostIrq(this.board);
    this.cpus = new ArmHostCpus(
      this.board.cpus.map((c, i) => {
        const cpu = new ArmPhysCpu(i, c);
        cpu.hardwareEnable();
        return cpu;
      }),
    );
    // The first 2 MiB hold the park loop, the last 2 MiB the board's device tree.
    const poolStart = ARM_VIRT.ram.base + PAGE_SIZE_2M;
    const poolEnd = ARM_VIRT.ram.base + ramSize - PAGE_SIZE_2M;
    if (poolEnd <= poolStart) {
      throw axErr("InvalidInput", `--memory: ${ramSize} bytes of host RAM leave nothing for VMs`);
    }
    this.memory = new RamHostMemory({
      ram: this.board.ram,
      ramBase: hpa(ARM_VIRT.ram.base),
      pool: { start: hpa(poolStart), size: poolEnd - poolStart },
      // Nothing has run on the new board and its own images lie outside the pool.
      poolIsZero: true,
    });
  }

  get cpuCount(): number {
    return this.board.cpus.length;
  }

  cpu(i: number): Aarch64Cpu {
    const c = this.board.cpus[i];
    if (c === undefined) throw axErr("InvalidInput", `the host has no CPU ${i}`);
    return c;
  }

  setCurrentCpu(cpu: number): void {
    this.cpus.setCurrent(cpu);
    // A guest's GICV accesses (stage 2 onto the board's frame) reach this CPU's bank.
    this.board.selectCpu(cpu);
  }

  /** The board's GICH frames, for a vGICv2 (undefined on a GICv3 host). */
  get gich(): GichAccess | undefined {
    const gic = this.board.gic;
    const frame = "hypInterface" in gic ? gic.hypInterface : undefined;
    if (frame === undefined) return undefined;
    const base = frame.addressRange().start;
    return {
      read: (cpu, off) => {
        this.board.selectCpu(cpu);
        return Number(frame.handleRead(gpa(base + off), 4));
      },
      write: (cpu, off, value) => {
        this.board.selectCpu(cpu);
        frame.handleWrite(gpa(base + off), 4, BigInt(value >>> 0));
      },
    };
  }

  retired(cpu: number): number {
    return this.cpu(cpu).instructions;
  }

  pc(cpu: number): bigint {
    return this.cpu(cpu).getPc();
  }

  recoverCpu(cpu: number): void {
    // The failed VM's vCPU state is abandoned with it: back to EL2, as the hypervisor.
    const c = this.cpu(cpu);
    if (c.el !== 2) c.hostTrapMode = true;
  }

  /** TLBI ALLE1 on every CPU: guest translations are cached per VMID. */
  fenceAll(): void {
    for (const c of this.board.cpus) {
      c.flushTlb();
      // IC IALLUIS: compiled code is checked against RAM (a restore rewrote it) before it runs.
      c.jit?.codeBarrier(-1);
    }
  }

  /**
   * Connects the board's PL011 to one VM's console (its output, and the VM's typed input to
   * the UART's receive FIFO); undefined disconnects it. Throws when another VM has it.
   */
  passUart(owner: ((bytes: Uint8Array) => void) | undefined): void {
    if (owner !== undefined && this.#uartOwner !== undefined) {
      throw axErr("ResourceBusy", "the board's PL011 is already passed through to another VM");
    }
    this.#uartOwner = owner;
  }

  createVm(ctx: VmBuildContext): VmArchParts {
    return buildArmVm(this, ctx);
  }
}
