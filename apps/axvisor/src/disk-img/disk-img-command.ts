import { formatSize, parseSize } from "@axvisor/axvmconfig";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { type ImageFileSource, parseAddSpec, readAddSpec } from "./add-spec.js";
import { createDiskImage, type PartitionScheme } from "./create-disk-image.js";
import { listDiskImage, readDiskImageFile } from "./read-disk-image.js";

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

const CREATE_HELP = `
Examples:
  axvisor disk-img create disk.img --size 64M --add Image --add initramfs.cpio.gz:/initrd.gz
  axvisor disk-img create boot.img --size 64M --partition mbr --label GUEST \\
      --add u-boot.bin --add extlinux.conf:/extlinux/extlinux.conf --add bench/:/tests

NAME may contain folders (they are created); a NAME ending in "/" keeps the host file's name;
a host folder is added with everything below it. FAT32 needs at least 33 MiB (34 MiB with
--partition mbr). A VM config reads files from the image with image_location = "fs".`;

function parsePartition(text: string): PartitionScheme {
  if (text === "mbr" || text === "none") return text;
  throw new UsageError(`--partition: expected "mbr" or "none", got "${text}"`);
}

/**
 * `axvisor disk-img`: FAT32 disk images for guests and for `image_location = "fs"`, made and
 * read without root, mount or mtools.
 */
export function addDiskImgCommand(program: Command, io: CliIo): void {
  const diskImg = program
    .command("disk-img")
    .summary("create and read FAT32 disk images (no root or mount needed)")
    .description("Create FAT32 disk images holding host files, and list or read their contents.");

  diskImg
    .command("create")
    .description("Create a FAT32 disk image with the given host files in it.")
    .argument("<IMG>", "the image file to write")
    .requiredOption("--size <SIZE>", "image size: 64M, 1G, or bytes (FAT32 needs at least 33M)")
    .option(
      "--add <HOSTFILE[:NAME]>",
      "put a host file (or folder) in the image, at NAME; repeatable",
      collect,
    )
    .option("--label <LABEL>", "volume label, up to 11 of A-Z 0-9 space _ -", "AXVISOR")
    .option("--partition <mbr|none>", "mbr: an MBR with one FAT32 partition at 1 MiB", "none")
    .option("--force", "replace IMG if it exists")
    .addHelpText("after", CREATE_HELP)
    .action(
      (
        img: string,
        opts: { size: string; add?: string[]; label: string; partition: string; force?: boolean },
      ) => {
        const size = parseSize(opts.size);
        if (size === undefined) {
          throw new UsageError(`--size: bad size "${opts.size}" (examples: 64M, 1G, 67108864)`);
        }
        const partition = parsePartition(opts.partition);
        const files: ImageFileSource[] = [];
        for (const arg of opts.add ?? []) files.push(...readAddSpec(parseAddSpec(arg)));
        const s = createDiskImage({
          output: img,
          sizeBytes: size,
          files,
          label: opts.label,
          partition,
          force: opts.force === true,
        });
        const layout =
          s.partition === "mbr" ? "FAT32 in an MBR partition at 1 MiB" : "FAT32 (whole disk)";
        io.stdout.write(
          `${s.output}: ${formatSize(s.sizeBytes)}, ${layout}, label ${s.label}, ` +
            `${s.files} file${s.files === 1 ? "" : "s"} (${s.fileBytes} bytes), ` +
            `${s.usedClusters} of ${s.totalClusters} ${s.clusterBytes}-byte clusters used\n`,
        );
      },
    );

  diskImg
    .command("list")
    .description("List a folder (default the root) or a file of a FAT32 disk image.")
    .argument("<IMG>", "the disk image (whole-disk FAT32, or MBR with a FAT32 partition)")
    .argument("[PATH]", "folder or file inside the image", "/")
    .option("-r, --recursive", "list everything below PATH")
    .action((img: string, path: string, opts: { recursive?: boolean }) => {
      const { entries } = listDiskImage(img, path, { recursive: opts.recursive === true });
      const width = Math.max(1, ...entries.map((e) => String(e.size).length));
      for (const e of entries) {
        const size = e.isDirectory ? "-".padStart(width) : String(e.size).padStart(width);
        io.stdout.write(`${size}  ${e.path}${e.isDirectory ? "/" : ""}\n`);
      }
    });

  diskImg
    .command("cat")
    .description("Write a file of a FAT32 disk image to stdout.")
    .argument("<IMG>", "the disk image")
    .argument("<PATH>", "file inside the image, e.g. /extlinux/extlinux.conf")
    .action((img: string, path: string) => {
      io.stdout.write(readDiskImageFile(img, path));
    });
}
