import { AddrSpace } from "@axvisor/axaddrspace";
import { AxError, axErr } from "@axvisor/axerrno";
import type { HostServices, Logger } from "@axvisor/axvisor-api";
import { type AxVMCrateConfig, VmMemMappingType } from "@axvisor/axvmconfig";
import {
  formatGpa,
  formatHex,
  type GuestPhysAddr,
  gpa,
  type HostPhysAddr,
  MappingFlags,
  PAGE_SIZE_2M,
  PAGE_SIZE_4K,
} from "@axvisor/memory-addr";
import { formatInfo, type PageTableFormat } from "@axvisor/page-table";
import { planPassthrough } from "./passthrough-plan.js";

const PASSTHROUGH_FLAGS =
  MappingFlags.DEVICE | MappingFlags.READ | MappingFlags.WRITE | MappingFlags.USER;

/** One guest memory region as mapped. */
export interface VmMemoryRegion {
  /** Where the guest sees it (for identical regions: the host address that was allocated). */
  readonly gpa: GuestPhysAddr;
  readonly size: number;
  readonly flags: MappingFlags;
  readonly mapType: VmMemMappingType;
  /** The address the config asked for. */
  readonly configuredGpa: number;
  /** Host frames the VM allocated for an identical region (freed with the VM), else null. */
  readonly hostFrames: HostPhysAddr | null;
}

/** Guest addresses of the boot images, after identical-region relocation. */
export interface ImageLayout {
  readonly entryPoint: GuestPhysAddr;
  readonly kernelLoadGpa: GuestPhysAddr;
  readonly biosLoadGpa?: GuestPhysAddr;
  readonly dtbLoadGpa?: GuestPhysAddr;
  readonly ramdiskLoadGpa?: GuestPhysAddr;
}

export interface VmMemoryOptions {
  readonly config: AxVMCrateConfig;
  readonly host: HostServices;
  readonly format: PageTableFormat;
  /** Allocate every frame of lazily allocated regions up front. */
  readonly populate: boolean;
  readonly log: Logger;
  /** `VM 1 "linux"`, for messages. */
  readonly label: string;
}

/**
 * A VM's guest-physical memory: its address space (nested page table in host RAM), the
 * regions as mapped (identical regions where the host put them), and where the boot images
 * go after that relocation. Rebuilt from the config on every VM restart.
 */
export class VmMemory {
  readonly regions: VmMemoryRegion[] = [];
  #layout: ImageLayout | null = null;
  #released = false;

  readonly #host: HostServices;

  private constructor(
    readonly space: AddrSpace,
    host: HostServices,
  ) {
    this.#host = host;
  }

  get layout(): ImageLayout {
    if (this.#layout === null) throw axErr("BadState", "the VM memory has no layout yet");
    return this.#layout;
  }

  /**
   * Builds the address space: the config's memory regions (lazily allocated, identical or
   * reserved) and the passthrough windows. Throws an AxError naming the region or device; what
   * was taken is given back first.
   */
  static build(opts: VmMemoryOptions): VmMemory {
    const info = formatInfo(opts.format);
    const space = AddrSpace.create({
      base: 0,
      size: 2 ** info.inputBits,
      format: opts.format,
      memory: opts.host.memory,
    });
    const mem = new VmMemory(space, opts.host);
    try {
      mem.#map(opts);
    } catch (e) {
      mem.release();
      throw e;
    }
    return mem;
  }

  #map(opts: VmMemoryOptions): void {
    const space = this.space;
    const config = opts.config;
    const populate = opts.populate;

    config.kernel.memoryRegions.forEach((r, i) => {
      const what = `memory region ${i} (${formatHex(r.gpa)}+${formatHex(r.size)})`;
      try {
        switch (r.mapType) {
          case VmMemMappingType.MapAlloc:
            space.mapAlloc(r.gpa, r.size, r.flags, populate);
            this.regions.push(region(r.gpa, r, null));
            break;
          case VmMemMappingType.MapIdentical: {
            const frames = r.size / PAGE_SIZE_4K;
            const align = r.size >= PAGE_SIZE_2M ? PAGE_SIZE_2M : PAGE_SIZE_4K;
            const hpa = Number.isInteger(frames)
              ? this.#host.memory.allocContiguousFrames(frames, align)
              : null;
            if (hpa === null) {
              throw axErr(
                "NoMemory",
                Number.isInteger(frames)
                  ? `no ${formatHex(r.size)} bytes of contiguous host memory`
                  : "size is not a multiple of 4 KiB",
              );
            }
            // Recorded before mapping so a failed mapping still gives the frames back.
            this.regions.push(region(hpa, r, hpa));
            space.mapLinear(hpa, hpa, r.size, r.flags);
            break;
          }
          case VmMemMappingType.MapReserved:
            space.mapLinear(r.gpa, r.gpa, r.size, r.flags);
            this.regions.push(region(r.gpa, r, null));
            break;
          default:
            throw axErr("InvalidInput", `unknown map_type ${String(r.mapType)}`);
        }
      } catch (e) {
        if (e instanceof AxError) throw new AxError(e.kind, `${what}: ${e.message}`, { cause: e });
        throw e;
      }
    });

    const plan = planPassthrough(config.devices);
    for (const w of plan.windows) {
      try {
        space.mapLinear(w.gpa, w.hpa, w.size, PASSTHROUGH_FLAGS);
      } catch (e) {
        if (!(e instanceof AxError)) throw e;
        throw new AxError(e.kind, `${w.names.join(" + ")}: ${e.message}`, { cause: e });
      }
    }
    for (const path of plan.byNodePath) {
      opts.log.info(
        `${opts.label}: passthrough device "${path}" names a device-tree node; the VMM maps its reg windows`,
      );
    }
    this.#layout = this.#relocatedLayout(config);
  }

  /**
   * Identical regions live where the host allocator put them, not at the configured GPA;
   * image addresses inside such a region move with it, keeping their offset (AxVisor moves the
   * kernel to the start of the first region, which is the same for the usual config).
   */
  #relocatedLayout(config: AxVMCrateConfig): ImageLayout {
    const move = (a: number): GuestPhysAddr => {
      for (const r of this.regions) {
        if (r.mapType !== VmMemMappingType.MapIdentical) continue;
        if (a >= r.configuredGpa && a < r.configuredGpa + r.size)
          return gpa(a - r.configuredGpa + r.gpa);
      }
      return gpa(a);
    };
    const k = config.kernel;
    return {
      entryPoint: move(k.entryPoint),
      kernelLoadGpa: move(k.kernelLoadAddr),
      ...(k.biosLoadAddr === undefined ? {} : { biosLoadGpa: move(k.biosLoadAddr) }),
      ...(k.dtbLoadAddr === undefined ? {} : { dtbLoadGpa: move(k.dtbLoadAddr) }),
      ...(k.ramdiskLoadAddr === undefined ? {} : { ramdiskLoadGpa: move(k.ramdiskLoadAddr) }),
    };
  }

  /**
   * Host views of guest memory `[at, at + size)` for loading an image in place (AxVisor's
   * `get_image_load_region`): one view per host-contiguous piece, in guest order. Pages of
   * lazily allocated memory get their frames. Throws AxError BadAddress naming the first
   * guest address that is not memory.
   */
  imageLoadRegion(at: number, size: number, label: string): Uint8Array[] {
    const space = this.space;
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(size) || at < 0 || size < 0) {
      throw axErr("InvalidInput", `${label}: image region ${at}+${size} is not a valid span`);
    }
    const pieces: { hpa: number; len: number }[] = [];
    for (let cur = at; cur < at + size; ) {
      let t = space.translateAndGetLimit(cur);
      // No particular access is being made: 0 asks only that a lazy page be given a frame.
      if (t === null && space.handlePageFault(cur, 0)) t = space.translateAndGetLimit(cur);
      if (t === null) {
        throw axErr(
          "BadAddress",
          `${label}: image region [${formatGpa(gpa(at))}, ${formatGpa(gpa(at + size))}) ` +
            `is not guest memory at ${formatGpa(gpa(cur))}`,
        );
      }
      const n = Math.min(t.limit, at + size - cur);
      const last = pieces[pieces.length - 1];
      if (last !== undefined && last.hpa + last.len === t.hpa) last.len += n;
      else pieces.push({ hpa: t.hpa, len: n });
      cur += n;
    }
    return pieces.map((p) => this.#host.memory.hostBuffer(p.hpa as HostPhysAddr, p.len));
  }

  /** Gives back the page table and the host frames of identical regions. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.space.destroy();
    for (const r of this.regions) {
      if (r.hostFrames !== null) {
        this.#host.memory.deallocContiguousFrames(r.hostFrames, r.size / PAGE_SIZE_4K);
      }
    }
  }
}

function region(
  at: number,
  r: AxVMCrateConfig["kernel"]["memoryRegions"][number],
  hostFrames: HostPhysAddr | null,
): VmMemoryRegion {
  return {
    gpa: gpa(at),
    size: r.size,
    flags: r.flags,
    mapType: r.mapType,
    configuredGpa: r.gpa,
    hostFrames,
  };
}
