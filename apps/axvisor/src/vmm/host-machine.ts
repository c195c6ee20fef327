import { axErr } from "@axvisor/axerrno";
import { CurrentVCpu } from "@axvisor/axvcpu";
import { RamHostMemory } from "@axvisor/axvisor-api";
import type { Hart } from "@axvisor/cpu-riscv64";
import type { MachineClock } from "@axvisor/machine";
import { hpa, PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { VIRT, VIRT_MAX_HARTS, VirtMachine } from "@axvisor/platform-riscv64-qemu-virt";
import { RiscvHostCpus, RiscvPhysCpu } from "@axvisor/riscv-vcpu";

/**
 * What the board "boots": the hypervisor is TypeScript, so the harts get only a `wfi; j .`
 * loop at the start of RAM. They never run it: they are in host-trap mode from the start and
 * execute guest code only.
 */
const PARK_LOOP = Uint8Array.of(0x73, 0x00, 0x50, 0x10, 0x6f, 0x00, 0x00, 0x00);

export interface HostMachineOptions {
  /** Physical harts (1..8). */
  readonly harts: number;
  /** Bytes of host RAM; VM memory and nested page tables come from it. */
  readonly ramSize: number;
  readonly clock?: MachineClock;
}

/**
 * The machine the hypervisor runs on: the emulated QEMU virt board with no firmware. Every
 * hart is a `RiscvPhysCpu` with virtualization enabled (host-trap mode: TypeScript is the
 * HS-mode software), host RAM is handed out by a frame allocator, and the board's devices
 * stay where they are so configs can pass them through.
 */
export class HostMachine {
  readonly board: VirtMachine;
  readonly cpus: RiscvHostCpus;
  /** The "current vCPU" record of each hart (host services ask it who is running). */
  readonly current: readonly CurrentVCpu[];
  readonly memory: RamHostMemory;
  readonly clock: MachineClock;

  constructor(options: HostMachineOptions) {
    const { harts, ramSize } = options;
    if (!Number.isInteger(harts) || harts < 1 || harts > VIRT_MAX_HARTS) {
      throw axErr(
        "InvalidInput",
        `--cpus: the host board has 1..${VIRT_MAX_HARTS} harts, not ${harts}`,
      );
    }
    this.board = new VirtMachine({
      harts,
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
    this.current = phys.map((_, i) => new CurrentVCpu(i));
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
    });
  }

  get hartCount(): number {
    return this.board.harts.length;
  }

  hart(i: number): Hart {
    const h = this.board.harts[i];
    if (h === undefined) throw axErr("InvalidInput", `the host has no hart ${i}`);
    return h;
  }

  /**
   * Puts a hart back into HS-mode after a host-side failure in the middle of a guest slice,
   * so the next vCPU bound to it can enter its guest.
   */
  recoverHart(i: number): void {
    const h = this.hart(i);
    // The failed VM's vCPU state is abandoned with the VM, so no trap CSRs need to be kept:
    // put the hart straight back into HS-mode.
    if (h.virt) h.setMode(1, false);
  }
}
