import { formatHex, MAPPING_FLAGS_ALL } from "@axvisor/memory-addr";
import {
  type AddressWindow,
  formatSpan,
  reportOverlapsWithin,
  windowHolding,
} from "./address-window.js";
import { formatSize } from "./integer.js";
import { nonEmpty } from "./parse-base.js";
import { columnLoc, elemLoc, keyLoc, type Loc, type Reader } from "./reader.js";
import { KERNEL_FIELDS, MEMORY_REGION_COLUMNS } from "./schema.js";
import {
  type ImageLocation,
  type VmKernelConfig,
  type VmMemConfig,
  VmMemMappingType,
} from "./types.js";

const PAGE = 0x1000;
const MAP_TYPES = "0 (MapAlloc), 1 (MapIdentical) or 2 (MapReserved)";

export interface ParsedKernel {
  kernel: VmKernelConfig | undefined;
  /** The regions that parsed, for the device checks (devices must not sit on RAM). */
  memoryWindows: AddressWindow[];
}

/** `[kernel]`: images, where they go, and guest memory. */
export function parseKernel(r: Reader, loc: Loc, value: unknown): ParsedKernel {
  const t = r.table(loc, value, KERNEL_FIELDS);
  if (t === undefined) return { kernel: undefined, memoryWindows: [] };

  const str = (key: string) => r.optional(t, loc, key, (l, v) => nonEmpty(r, l, r.string(l, v)));
  const addr = (key: string) => r.optional(t, loc, key, (l, v) => r.uint(l, v));

  const entryPoint = r.required(t, loc, "entry_point", (l, v) => r.uint(l, v));
  const kernelPath = r.required(t, loc, "kernel_path", (l, v) => nonEmpty(r, l, r.string(l, v)));
  const kernelLoadAddr = r.required(t, loc, "kernel_load_addr", (l, v) => r.uint(l, v));
  const imageLocation = r.optional(t, loc, "image_location", (l, v) => {
    const s = r.string(l, v);
    if (s === undefined) return undefined;
    if (s !== "memory" && s !== "fs") {
      r.report(l, `unknown image location ${JSON.stringify(s)}; expected "memory" or "fs"`);
      return undefined;
    }
    return s as ImageLocation;
  });
  const biosPath = str("bios_path");
  const biosLoadAddr = addr("bios_load_addr");
  const dtbPath = str("dtb_path");
  const dtbLoadAddr = addr("dtb_load_addr");
  const ramdiskPath = str("ramdisk_path");
  const ramdiskLoadAddr = addr("ramdisk_load_addr");
  const cmdline = r.optional(t, loc, "cmdline", (l, v) => r.string(l, v));
  const diskPath = str("disk_path");
  const regions = r.required(t, loc, "memory_regions", (l, v) => parseRegions(r, l, v));

  // A BIOS or ramdisk needs a destination (AxVisor fails at boot otherwise); a DTB without one
  // is placed by the VMM near the top of the first region.
  for (const [pathKey, path, addrKey, a] of [
    ["bios_path", biosPath, "bios_load_addr", biosLoadAddr],
    ["ramdisk_path", ramdiskPath, "ramdisk_load_addr", ramdiskLoadAddr],
  ] as const) {
    if (path !== undefined && a === undefined && !(addrKey in t)) {
      r.report(
        keyLoc(loc, pathKey),
        `is set but ${addrKey} is missing (where should it be loaded?)`,
      );
    }
  }

  const windows = regions?.windows ?? [];
  if (windows.length > 0) {
    const inside = (key: string, a: number | undefined, what: string) => {
      if (a !== undefined && windowHolding(windows, a) === undefined) {
        r.report(
          keyLoc(loc, key),
          `${what} ${formatHex(a)} is outside every memory region (${windows
            .map((w) => formatSpan(w.start, w.end))
            .join(", ")})`,
        );
      }
    };
    inside("entry_point", entryPoint, "entry point");
    inside("kernel_load_addr", kernelLoadAddr, "load address");
    inside("bios_load_addr", biosLoadAddr, "load address");
    inside("dtb_load_addr", dtbLoadAddr, "load address");
    inside("ramdisk_load_addr", ramdiskLoadAddr, "load address");
  }

  if (
    entryPoint === undefined ||
    kernelPath === undefined ||
    kernelLoadAddr === undefined ||
    regions?.regions === undefined
  ) {
    return { kernel: undefined, memoryWindows: windows };
  }
  const kernel: VmKernelConfig = {
    entryPoint,
    kernelPath,
    kernelLoadAddr,
    // AxVisor has no working default (a missing value panics at boot); "memory" means "files
    // on the machine running the VMM", the usual case here.
    imageLocation: imageLocation ?? "memory",
    memoryRegions: regions.regions,
  };
  if (biosPath !== undefined) kernel.biosPath = biosPath;
  if (biosLoadAddr !== undefined) kernel.biosLoadAddr = biosLoadAddr;
  if (dtbPath !== undefined) kernel.dtbPath = dtbPath;
  if (dtbLoadAddr !== undefined) kernel.dtbLoadAddr = dtbLoadAddr;
  if (ramdiskPath !== undefined) kernel.ramdiskPath = ramdiskPath;
  if (ramdiskLoadAddr !== undefined) kernel.ramdiskLoadAddr = ramdiskLoadAddr;
  if (cmdline !== undefined) kernel.cmdline = cmdline;
  if (diskPath !== undefined) kernel.diskPath = diskPath;
  return { kernel, memoryWindows: windows };
}

interface ParsedRegions {
  /** Undefined unless every row parsed: a partial list must not reach a VMM. */
  regions: VmMemConfig[] | undefined;
  windows: AddressWindow[];
}

function parseRegions(r: Reader, l: Loc, v: unknown): ParsedRegions | undefined {
  const rows = r.array(l, v);
  if (rows === undefined) return undefined;
  if (rows.length === 0) {
    r.report(l, "at least one region is required (the first one is the guest's main memory)");
    return undefined;
  }
  const regions: VmMemConfig[] = [];
  const windows: AddressWindow[] = [];
  let complete = true;
  rows.forEach((row, i) => {
    const region = parseRegion(r, elemLoc(l, i), row);
    if (region === undefined) {
      complete = false;
      return;
    }
    regions.push(region);
    windows.push({
      start: region.gpa,
      end: region.gpa + region.size,
      loc: elemLoc(l, i),
      noun: "region",
      name: `region ${i}`,
      crossName: `memory region ${i}`,
    });
  });
  reportOverlapsWithin(r, windows);
  return { regions: complete ? regions : undefined, windows };
}

function parseRegion(r: Reader, loc: Loc, v: unknown): VmMemConfig | undefined {
  const row = r.row(
    loc,
    v,
    MEMORY_REGION_COLUMNS,
    4,
    Array.isArray(v) && v.length === 3
      ? " (old 3-column templates lack map_type: append 0 for MapAlloc)"
      : "",
  );
  if (row === undefined) return undefined;
  const col = (i: number) => columnLoc(loc, i, MEMORY_REGION_COLUMNS[i] as string);
  const gpa = r.uint(col(0), row[0]);
  const size = r.uint(col(1), row[1]);
  const flags = r.uint(col(2), row[2]);
  const mapType = r.uint(col(3), row[3]);
  let ok = gpa !== undefined && size !== undefined && flags !== undefined && mapType !== undefined;

  if (gpa !== undefined && gpa % PAGE !== 0) {
    r.report(col(0), `${formatHex(gpa)} is not 4 KiB aligned`);
    ok = false;
  }
  if (size === 0) {
    r.report(col(1), "must not be zero");
    ok = false;
  } else if (size !== undefined && size % PAGE !== 0) {
    r.report(col(1), `${formatHex(size)} is not a multiple of 4 KiB`);
    ok = false;
  }
  if (gpa !== undefined && size !== undefined && !Number.isSafeInteger(gpa + size)) {
    r.report(loc, `region end ${formatHex(gpa)} + ${formatSize(size)} is beyond 2^53 - 1`);
    ok = false;
  }
  if (flags !== undefined && flags > MAPPING_FLAGS_ALL) {
    r.report(
      col(2),
      `${formatHex(flags)} has bits outside MappingFlags 0x3f (R=1 W=2 X=4 U=8 DEVICE=0x10 UNCACHED=0x20)`,
    );
    ok = false;
  }
  if (mapType !== undefined && !(mapType in VmMemMappingType)) {
    r.report(col(3), `unknown mapping type ${mapType}; expected ${MAP_TYPES}`);
    ok = false;
  }
  if (!ok) return undefined;
  return {
    gpa: gpa as number,
    size: size as number,
    flags: flags as number,
    mapType: mapType as VmMemMappingType,
  };
}
