import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT } from "./paths.js";
import { WORKLOADS_DIR } from "./workloads.js";

/**
 * The architectures `pnpm bench` measures. riscv64 has the full table (bare machine,
 * hypervisor, QEMU); aarch64 and x86_64 have bare-machine rows beside QEMU until their
 * hypervisor backends exist. `--arch` selects among them.
 */
export const BENCH_ARCHES = ["riscv64", "aarch64", "x86_64"] as const;
export type BenchArch = (typeof BENCH_ARCHES)[number];

/** The architectures with bare-machine rows only (no hypervisor backend yet). */
export type BareArch = Exclude<BenchArch, "riscv64">;

export const QEMU_BINARIES: Readonly<Record<BenchArch, string>> = {
  riscv64: "qemu-system-riscv64",
  aarch64: "qemu-system-aarch64",
  x86_64: "qemu-system-x86_64",
};

export type BareWorkloadName = "intloop" | "memloop";

/** A native Linux boot, on our board and under QEMU, with the same images and command line. */
export interface ArchLinux {
  readonly kernel: string;
  readonly initrd: string;
  readonly append: string;
  readonly memoryMiB: number;
  /** QEMU's arguments besides -m, -smp, -nographic, -kernel, -initrd, -append. */
  readonly qemuArgs: readonly string[];
  /** Set while our board cannot boot this kernel: the reason the row reports instead of a figure. */
  readonly cannotBoot?: string;
}

/** How one architecture's bare-machine rows are run, on our board and on QEMU. */
export interface BareArchSpec {
  readonly arch: BareArch;
  /** Our board, by platform registry name (`axvisor emu -M <platform>`). */
  readonly platform: string;
  /** `-device` options our board and QEMU get (the workloads' power-off device). */
  readonly devices: readonly string[];
  /** QEMU's machine arguments for a workload (before -kernel). */
  readonly qemuWorkloadArgs: readonly string[];
  readonly workloads: Readonly<
    Record<
      BareWorkloadName,
      {
        readonly title: string;
        readonly iterations: { readonly emu: number; readonly qemu: number };
      }
    >
  >;
  readonly linux: ArchLinux;
}

/**
 * The shared guest images: AXVISOR_GUESTS, else `shared/guests` beside the checkout (or beside
 * the folder of worktrees that holds it).
 */
export function guestsDir(): string {
  const env = process.env.AXVISOR_GUESTS;
  if (env !== undefined && env !== "") return env;
  const candidates = [
    resolve(REPO_ROOT, "../shared/guests"),
    resolve(REPO_ROOT, "../../shared/guests"),
  ];
  return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
}

/** Why a Linux row cannot run here (images missing), or undefined. */
export function linuxImagesProblem(l: ArchLinux): string | undefined {
  for (const f of [l.kernel, l.initrd]) {
    if (!existsSync(f))
      return `guest image ${f} is not there (set AXVISOR_GUESTS to shared/guests)`;
  }
  return undefined;
}

const DEBUG_EXIT = "isa-debug-exit,iobase=0xf4,iosize=0x4";

/*
 * Iterations: both CPUs compile hot loops to WebAssembly (aarch64 at several hundred MIPS,
 * x86_64 at ~100-300 MIPS). Their bare-machine runs are sized for about a second, long enough
 * that compiling and V8's tier-up do not dominate; QEMU runs the same loops faster and gets the
 * riscv64 sizes.
 */
export const BARE_ARCHES: Readonly<Record<BareArch, BareArchSpec>> = {
  aarch64: {
    arch: "aarch64",
    platform: "aarch64-qemu-virt",
    devices: [],
    qemuWorkloadArgs: ["-M", "virt", "-cpu", "cortex-a57", "-m", "128M", "-smp", "1"],
    workloads: {
      intloop: {
        title: "integer loop (add/subs/b.ne)",
        iterations: { emu: 200_000_000, qemu: 1_000_000_000 },
      },
      memloop: {
        title: "memory loop (ldr/add/str/subs/b.ne)",
        iterations: { emu: 100_000_000, qemu: 300_000_000 },
      },
    },
    get linux(): ArchLinux {
      const dir = `${guestsDir()}/aarch64`;
      return {
        kernel: `${dir}/linux-Image`,
        initrd: `${dir}/initramfs.cpio.gz`,
        append: "console=ttyAMA0 earlycon",
        memoryMiB: 512,
        qemuArgs: ["-M", "virt", "-cpu", "cortex-a57"],
      };
    },
  },
  x86_64: {
    arch: "x86_64",
    platform: "x86_64-qemu-q35",
    devices: [DEBUG_EXIT],
    qemuWorkloadArgs: ["-M", "pc", "-m", "128M", "-smp", "1", "-nic", "none"],
    workloads: {
      intloop: {
        title: "integer loop (add/sub/jnz)",
        iterations: { emu: 50_000_000, qemu: 1_000_000_000 },
      },
      memloop: {
        title: "memory loop (mov/add/mov/sub/jnz)",
        iterations: { emu: 20_000_000, qemu: 300_000_000 },
      },
    },
    get linux(): ArchLinux {
      const dir = `${guestsDir()}/x86_64`;
      return {
        kernel: `${dir}/linux-bzImage`,
        initrd: `${dir}/initramfs.cpio.gz`,
        append: "console=ttyS0 earlyprintk=serial",
        memoryMiB: 512,
        qemuArgs: ["-M", "pc"],
      };
    },
  },
};

/** The committed native image of an aarch64/x86_64 workload (an ELF our board and QEMU load). */
export function bareWorkloadImage(arch: BareArch, name: BareWorkloadName): string {
  return `${WORKLOADS_DIR}${arch}/${name}-native.elf`;
}
