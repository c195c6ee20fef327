import { open, stat } from "node:fs/promises";
import {
  isArm64LinuxImage,
  isRiscvLinuxImage,
  parseArm64ImageHeader,
  parseRiscvImageHeader,
} from "@axvisor/guest-image";
import { formatHex, isAligned, PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { formatSpan } from "./address-window.js";
import { resolveConfigPath } from "./config-path.js";
import type { ConfigProblem } from "./config-problem.js";
import { type PlacedImage, placedImages } from "./placed-images.js";
import { TomlLocator } from "./toml-locator.js";
import type { AxVMCrateConfig } from "./types.js";

/** What a Linux Image header says about the memory the kernel needs, if it is one. */
interface KernelFootprint {
  /** Bytes from the load address the kernel occupies (image_size, BSS included). */
  imageSize: number;
  /** The problem with its load address, if any. */
  placement?: string;
}

async function linuxFootprint(
  path: string,
  loadAddr: number,
): Promise<KernelFootprint | string | undefined> {
  const head = new Uint8Array(64);
  const file = await open(path, "r");
  try {
    await file.read(head, 0, 64, 0);
  } finally {
    await file.close();
  }
  try {
    if (isRiscvLinuxImage(head)) {
      const h = parseRiscvImageHeader(head, path);
      // The RISC-V boot protocol: a 64-bit kernel must start 2 MiB aligned.
      return isAligned(loadAddr, PAGE_SIZE_2M)
        ? { imageSize: h.imageSize }
        : {
            imageSize: h.imageSize,
            placement: `a RISC-V Linux Image must be loaded at a 2 MiB-aligned address, not ${formatHex(loadAddr)}`,
          };
    }
    if (isArm64LinuxImage(head)) {
      const h = parseArm64ImageHeader(head, path);
      // arm64: the image goes text_offset bytes above a 2 MiB-aligned base.
      const base = loadAddr - h.textOffset;
      return isAligned(base, PAGE_SIZE_2M)
        ? { imageSize: h.imageSize }
        : {
            imageSize: h.imageSize,
            placement: `an arm64 Linux Image must be loaded text_offset (${formatHex(h.textOffset)}) above a 2 MiB-aligned address, not at ${formatHex(loadAddr)}`,
          };
    }
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/**
 * For `image_location = "memory"`: checks that every image file exists and fits, whole, inside
 * one memory region without overlapping another image, and that the disk image exists. An
 * image's extent is its file size, or for a Linux RISC-V/arm64 Image the header's image_size
 * when larger (the BSS after the file). "fs" images live on the hypervisor's filesystem and are
 * skipped.
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
    const fileSize = await sizeOf(image.key, image.path);
    if (fileSize === undefined) continue;
    let size = fileSize;
    let sizeNote = "";
    if (image.key === "kernel_path") {
      const linux = await linuxFootprint(resolveConfigPath(config, image.path), image.loadAddr);
      if (typeof linux === "string") report(image.key, linux);
      else if (linux !== undefined) {
        if (linux.placement !== undefined) report(image.key, linux.placement);
        if (linux.imageSize > size) {
          size = linux.imageSize;
          sizeNote = ", image_size from its Linux header";
        }
      }
    }
    const start = image.loadAddr;
    const end = start + size;
    const span = `${formatSpan(start, end)} (${size} bytes${sizeNote})`;
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
