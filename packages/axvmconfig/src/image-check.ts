import { stat } from "node:fs/promises";
import { formatHex } from "@axvisor/memory-addr";
import { formatSpan } from "./address-window.js";
import { resolveConfigPath } from "./config-file.js";
import type { ConfigProblem } from "./config-problem.js";
import { TomlLocator } from "./toml-locator.js";
import type { AxVMCrateConfig } from "./types.js";

/** One image the VMM copies into guest memory before boot. */
export interface PlacedImage {
  /** The config key naming it: `kernel_path`, `bios_path`, `dtb_path`, `ramdisk_path`. */
  key: string;
  what: string;
  path: string;
  loadAddr: number;
}

/** The images a config places in guest memory, in load order. */
export function placedImages(config: AxVMCrateConfig): PlacedImage[] {
  const k = config.kernel;
  const out: PlacedImage[] = [];
  const add = (key: string, what: string, path: string | undefined, addr: number | undefined) => {
    if (path !== undefined && addr !== undefined) out.push({ key, what, path, loadAddr: addr });
  };
  add("bios_path", "BIOS", k.biosPath, k.biosLoadAddr);
  add("kernel_path", "kernel", k.kernelPath, k.kernelLoadAddr);
  add("dtb_path", "DTB", k.dtbPath, k.dtbLoadAddr);
  add("ramdisk_path", "ramdisk", k.ramdiskPath, k.ramdiskLoadAddr);
  return out;
}

/**
 * For `image_location = "memory"`: checks that every image file exists and fits, whole, inside
 * one memory region without overlapping another image, and that the disk image exists. Sizes
 * are file sizes; a kernel that clears a larger BSS after itself (Linux's image_size) needs the
 * image loader's own check. "fs" images live on the hypervisor's filesystem and are skipped.
 */
export async function checkImageFiles(
  config: AxVMCrateConfig,
  file: string,
  text: string,
): Promise<ConfigProblem[]> {
  if (config.kernel.imageLocation !== "memory") return [];
  const locator = new TomlLocator(text);
  const problems: ConfigProblem[] = [];
  const report = (key: string, message: string) =>
    problems.push({
      file,
      line: locator.nearestLine(["kernel", key]),
      field: `[kernel].${key}`,
      message,
    });

  const sizeOf = async (key: string, path: string): Promise<number | undefined> => {
    const resolved = resolveConfigPath(config, path);
    const shown = resolved === path ? path : `${path} (${resolved})`;
    try {
      const s = await stat(resolved);
      if (s.isFile()) return s.size;
      report(key, `${shown} is not a file`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      report(key, `cannot read ${shown}: ${code === "ENOENT" ? "no such file" : String(code)}`);
    }
    return undefined;
  };

  const regions = config.kernel.memoryRegions.map((m, i) => ({
    start: m.gpa,
    end: m.gpa + m.size,
    index: i,
  }));
  const placed: { image: PlacedImage; start: number; end: number }[] = [];
  const images = placedImages(config);
  for (const image of images) {
    const size = await sizeOf(image.key, image.path);
    if (size === undefined) continue;
    const start = image.loadAddr;
    const end = start + size;
    const span = `${formatSpan(start, end)} (${size} bytes)`;
    const region = regions.find((r) => start >= r.start && start < r.end);
    if (region !== undefined && end > region.end) {
      report(
        image.key,
        `${image.what} image ${span} runs past the end of region ${region.index} (${formatSpan(region.start, region.end)}) by ${end - region.end} bytes`,
      );
    }
    // Load addresses outside every region are reported by the schema check already.
    for (const other of placed) {
      if (start < other.end && other.start < end) {
        report(
          image.key,
          `${image.what} image ${span} overlaps the ${other.image.what} image (${formatSpan(other.start, other.end)})`,
        );
      }
    }
    placed.push({ image, start, end });
  }
  if (config.kernel.diskPath !== undefined) await sizeOf("disk_path", config.kernel.diskPath);
  if (
    placed.length === images.length &&
    config.kernel.entryPoint !== config.kernel.kernelLoadAddr &&
    !placed.some((p) => config.kernel.entryPoint >= p.start && config.kernel.entryPoint < p.end)
  ) {
    report(
      "entry_point",
      `entry point ${formatHex(config.kernel.entryPoint)} is not inside any loaded image`,
    );
  }
  return problems.sort((a, b) => a.line - b.line);
}
