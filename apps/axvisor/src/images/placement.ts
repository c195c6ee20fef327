import { axErr } from "@axvisor/axerrno";
import { formatSize } from "@axvisor/axvmconfig";
import { formatHex } from "@axvisor/memory-addr";
import type { ImagePiece } from "./kernel-plan.js";

/** An image about to be written: what it is, where from, and the guest memory it occupies. */
export interface PlannedImage {
  /** "kernel", "BIOS", "DTB", "ramdisk". */
  readonly what: string;
  /** File name as the user knows it (or "generated device tree"). */
  readonly shown: string;
  readonly pieces: readonly ImagePiece[];
}

/** Guest RAM as the VM mapped it. */
export interface RamRegion {
  readonly gpa: number;
  readonly size: number;
}

export const formatSpan = (start: number, end: number): string =>
  `[${formatHex(start)}, ${formatHex(end)})`;

function describePiece(image: PlannedImage, p: ImagePiece): string {
  const bytes = p.data.length + p.tail;
  const size =
    p.tail === 0
      ? `${bytes} bytes`
      : `${bytes} bytes: ${p.data.length} from the file + ${p.tail} ${p.zeroTail ? "of bss" : "up to the image_size in its header"}`;
  return `the ${image.what} image ${image.shown} (${size}) at ${formatSpan(p.gpa, p.gpa + bytes)}`;
}

function describeRegions(ram: readonly RamRegion[]): string {
  if (ram.length === 0) return "the VM has no memory regions";
  const list = ram
    .map((r, i) => `region ${i} ${formatSpan(r.gpa, r.gpa + r.size)} (${formatSize(r.size)})`)
    .join(", ");
  return `guest RAM is ${list}`;
}

/**
 * Checks that every piece of every image lies inside one memory region and that no two images
 * overlap (pieces of one ELF may sit side by side). Throws an AxError naming the file, its size
 * and the region or the other image.
 */
export function checkPlacements(images: readonly PlannedImage[], ram: readonly RamRegion[]): void {
  const placed: { image: PlannedImage; start: number; end: number }[] = [];
  for (const image of images) {
    for (const p of image.pieces) {
      const start = p.gpa;
      const end = p.gpa + p.data.length + p.tail;
      if (end === start) continue;
      const index = ram.findIndex((r) => start >= r.gpa && start < r.gpa + r.size);
      const region = ram[index];
      if (region === undefined) {
        throw axErr(
          "BadAddress",
          `${describePiece(image, p)} is outside guest RAM (${describeRegions(ram)})`,
        );
      }
      const regionEnd = region.gpa + region.size;
      if (end > regionEnd) {
        throw axErr(
          "OutOfRange",
          `${describePiece(image, p)} does not fit in memory region ${index} ${formatSpan(region.gpa, regionEnd)}: it runs ${end - regionEnd} bytes past its end`,
        );
      }
      for (const other of placed) {
        if (other.image !== image && start < other.end && other.start < end) {
          throw axErr(
            "AddrInUse",
            `${describePiece(image, p)} overlaps the ${other.image.what} image ${other.image.shown} at ${formatSpan(other.start, other.end)}`,
          );
        }
      }
      placed.push({ image, start, end });
    }
  }
}
