import { axErr } from "@axvisor/axerrno";
import { RamHostMemory } from "@axvisor/axvisor-api";
import type { Hart } from "@axvisor/cpu-riscv64";
import {
  PLIC_CLAIM_OFFSET,
  PLIC_CONTEXT_BASE,
  PLIC_CONTEXT_STRIDE,
  PLIC_ENABLE_BASE,
  PLIC_ENABLE_STRIDE,
  PLIC_PRIORITY_BASE,
} from "@axvisor/device-plic";
import type { MachineClock } from "@axvisor/machine";
import { AccessWidth, gpa, hpa, PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { VIRT, VIRT_TIMEBASE_HZ, VirtMachine } from "@axvisor/platform-riscv64-qemu-virt";
import { RiscvCsr, RiscvHostCpus, RiscvPhysCpu, VmidAllocator } from "@axvisor/riscv-vcpu";
import type {
  HostBoard,
  HostBoardOptions,
  HostIrqController,
  HostPlatform,
  VmArchParts,
  VmBuildContext,
} from "../../platform/host-platform.js";
import { buildRiscvVm } from "./vm-parts.js";

/**
 * What the board "boots": the hypervisor is TypeScript, so the harts get only a `wfi; j .`
 * loop at the start of RAM. They never run it: they are in host-trap mode from the start and
 * execute guest code only.
 */
const PARK_LOOP = Uint8Array.of(0x73, 0x00, 0x50, 0x10, 0x6f, 0x00, 0x00, 0x00);

/** The board PLIC context passthrough interrupts are routed to: hart 0's S-mode context. */
const HOST_IRQ_CONTEXT = 1;
const SEIE = 1n << 9n;

/**
 * The riscv64 host: the emulated QEMU virt board with no firmware. Every hart is a
 * `RiscvPhysCpu` with virtualization enabled (host-trap mode: TypeScript is the HS-mode
 * software), host RAM is handed out by a frame allocator, and the board's devices stay where
 * they are so configs can pass them through.
 */
export class RiscvHostBoard implements HostBoard {
  readonly platform: HostPlatform;
  readonly board: VirtMachine;
  readonly cpus: RiscvHostCpus;
  readonly memory: RamHostMemory;
  readonly clock: MachineClock;
  readonly timebaseHz = VIRT_TIMEBASE_HZ;
  readonly irq: HostIrqController;
  /** VMIDs are a property of the harts' G-stage TLBs, so the host hands them out. */
  readonly vmids = new VmidAllocator();

  constructor(platform: HostPlatform, options: HostBoardOptions) {
    this.platform = platform;
    const { cpus, ramSize } = options;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > platform.maxCpus) {
      throw axErr(
        "InvalidInput",
        `--cpus: the ${platform.name} board has 1..${platform.maxCpus} harts, not ${cpus}`,
      );
    }
    this.board = new VirtMachine({
      harts: cpus,
      ramSize,
      images: { kernel: { name: "axvisor host park loop", data: PARK_LOOP } },
      rngSeed: null,
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    });
    this.clock = this.board.clock;
    const phys = this.board.harts.map((h, i) => {
      const cpu = new RiscvPhysCpu(i, h);
      cpu.hardwareEnable();
      return cpu;
    });
    this.cpus = new RiscvHostCpus(phys);
    // The first 2 MiB hold the hypervisor's own image (the park loop) and the top 2 MiB the
    // board's device tree; VM memory and page tables come from between them.
    const fdtAddr = Math.floor(this.board.fdt.address / PAGE_SIZE_2M) * PAGE_SIZE_2M;
    const poolStart = VIRT.dram.base + PAGE_SIZE_2M;
    if (fdtAddr <= poolStart) {
      throw axErr("InvalidInput", `--memory: ${ramSize} bytes of host RAM leave nothing for VMs`);
    }
    this.memory = new RamHostMemory({
      ram: this.board.ram,
      ramBase: hpa(VIRT.dram.base),
      pool: { start: hpa(poolStart), size: fdtAddr - poolStart },
      // Nothing has run on the new board and its own images lie outside the pool.
      poolIsZero: true,
    });
    this.irq = new PlicHostIrq(this);
  }

  get cpuCount(): number {
    return this.board.harts.length;
  }

  /** Guests get Sstc (timer writes without an exit) when every host hart has it. */
  get guestSstc(): boolean {
    return this.board.harts.every((h) => h.hasSstc);
  }

  hart(i: number): Hart {
    const h = this.board.harts[i];
    if (h === undefined) throw axErr("InvalidInput", `the host has no hart ${i}`);
    return h;
  }

  setCurrentCpu(cpu: number): void {
    this.cpus.setCurrent(cpu);
  }

  retired(cpu: number): number {
    return this.hart(cpu).instret;
  }

  pc(cpu: number): bigint {
    return this.hart(cpu).getPc();
  }

  recoverCpu(cpu: number): void {
    const h = this.hart(cpu);
    // The failed VM's vCPU state is abandoned with the VM, so no trap CSRs need to be kept:
    // put the hart straight back into HS-mode.
    if (h.virt) h.setMode(1, false);
  }

  /**
   * HFENCE.GVMA and FENCE.I on every hart: the harts cache guest translations per VMID and
   * compiled guest code, and both outlive rewrites of the same hgatp.
   */
  fenceAll(): void {
    for (const h of this.board.harts) {
      h.flushTlb();
      h.fenceI();
    }
  }

  createVm(ctx: VmBuildContext): VmArchParts {
    return buildRiscvVm(this, ctx);
  }
}

/**
 * Passthrough interrupts through the board PLIC: routed to hart 0's S-mode context, claimed
 * by the hypervisor and forwarded to the owning VM's vPLIC, completed when the guest completes.
 */
class PlicHostIrq implements HostIrqController {
  #routed = 0;

  constructor(private readonly host: RiscvHostBoard) {}

  setEnabled(irq: number, enabled: boolean): void {
    if (enabled && this.#routed++ === 0) {
      this.#write(PLIC_CONTEXT_BASE + HOST_IRQ_CONTEXT * PLIC_CONTEXT_STRIDE, 0);
      const hart = this.host.hart(0);
      hart.writeCsr(RiscvCsr.sie, hart.readCsr(RiscvCsr.sie) | SEIE);
    } else if (!enabled) {
      this.#routed = Math.max(0, this.#routed - 1);
    }
    const enableWord =
      PLIC_ENABLE_BASE + HOST_IRQ_CONTEXT * PLIC_ENABLE_STRIDE + 4 * Math.floor(irq / 32);
    const bit = 1 << (irq % 32);
    const old = this.#read(enableWord);
    this.#write(enableWord, enabled ? old | bit : old & ~bit);
    this.#write(PLIC_PRIORITY_BASE + 4 * irq, enabled ? 1 : 0);
  }

  claim(): number {
    return this.#read(
      PLIC_CONTEXT_BASE + HOST_IRQ_CONTEXT * PLIC_CONTEXT_STRIDE + PLIC_CLAIM_OFFSET,
    );
  }

  complete(irq: number): void {
    this.#write(
      PLIC_CONTEXT_BASE + HOST_IRQ_CONTEXT * PLIC_CONTEXT_STRIDE + PLIC_CLAIM_OFFSET,
      irq,
    );
  }

  poll(): void {
    const board = this.host.board;
    board.clint.update(this.host.clock.now());
    board.rtc.update();
  }

  #write(offset: number, value: number): void {
    this.host.board.plic.handleWrite(
      gpa(VIRT.plic.base + offset),
      AccessWidth.Dword,
      BigInt(value >>> 0),
    );
  }

  #read(offset: number): number {
    return Number(this.host.board.plic.handleRead(gpa(VIRT.plic.base + offset), AccessWidth.Dword));
  }
}
