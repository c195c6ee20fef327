import { AxError, axErr } from "@axvisor/axerrno";
import { type AxVMCrateConfig, resolveConfigPath } from "@axvisor/axvmconfig";
import { Fat32Volume } from "@axvisor/fat32";
import { hostFiles, type OpenedImage } from "../host/host-files.js";

/** A file an image came from, with the name errors and reports use for it. */
export interface ImageFile {
  /** What the user will recognise: the resolved host path, or `disk.img:/Image`. */
  readonly shown: string;
  readonly bytes: Uint8Array;
}

/**
 * Where a VM's image files live: the host's file system (`image_location = "memory"`, AxVisor's
 * images embedded at build time) or a FAT32 disk image (`"fs"`, AxVisor's root file system).
 */
export interface ImageStore {
  /** One line for error messages: "the host" or "FAT32 disk image /x/disk.img". */
  readonly description: string;
  /** `what` is "kernel", "BIOS", "DTB" or "ramdisk"; errors name it and the path. */
  read(path: string, what: string): ImageFile;
  close(): void;
}

function errnoKind(
  code: string | undefined,
): "NotFound" | "PermissionDenied" | "IsADirectory" | "Io" {
  if (code === "ENOENT") return "NotFound";
  if (code === "EACCES" || code === "EPERM") return "PermissionDenied";
  if (code === "EISDIR") return "IsADirectory";
  return "Io";
}

function errnoText(e: NodeJS.ErrnoException): string {
  if (e.code === "ENOENT") return "no such file";
  if (e.code === "EISDIR") return "is a directory";
  if (e.code === "EACCES" || e.code === "EPERM") return "permission denied";
  return e.message;
}

/** Images as host files; relative paths start at the config file's folder. */
export function hostImageStore(config: Pick<AxVMCrateConfig, "source">): ImageStore {
  return {
    description: "the host",
    read(path, what) {
      const resolved = resolveConfigPath(config, path);
      const shown = resolved === path ? path : `${path} (${resolved})`;
      try {
        return { shown: resolved, bytes: hostFiles().readFile(resolved) };
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const from = config.source === undefined ? "" : ` (config ${config.source})`;
        throw axErr(
          errnoKind(err.code),
          `cannot read the ${what} image ${shown}${from}: ${errnoText(err)}`,
          e,
        );
      }
    },
    close() {},
  };
}

/**
 * Images as files on a FAT32 disk image (whole-disk or MBR-partitioned). Paths inside it are
 * absolute from its root whether or not they start with "/", and match case-insensitively.
 */
export function fatImageStore(diskPath: string): ImageStore {
  let image: OpenedImage;
  try {
    image = hostFiles().openImage(diskPath);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw axErr(
      errnoKind(err.code),
      `cannot open the disk image ${diskPath} (image_location = "fs"): ${errnoText(err)}`,
      e,
    );
  }
  let volume: Fat32Volume;
  try {
    volume = Fat32Volume.open(image);
  } catch (e) {
    image.close();
    const why = e instanceof Error ? e.message : String(e);
    throw axErr(
      "InvalidData",
      `the disk image ${diskPath} has no readable FAT32 file system (image_location = "fs"): ${why}`,
      e,
    );
  }
  return {
    description: `FAT32 disk image ${diskPath}`,
    read(path, what) {
      const inside = path.startsWith("/") ? path : `/${path}`;
      try {
        return { shown: `${diskPath}:${inside}`, bytes: volume.readFile(inside) };
      } catch (e) {
        if (e instanceof AxError) {
          const missing = e.kind === "NotFound" ? "no such file" : e.message;
          throw new AxError(
            e.kind,
            `cannot read the ${what} image ${inside} from the disk image ${diskPath}: ${missing}`,
            { cause: e },
          );
        }
        throw e;
      }
    },
    close() {
      image.close();
    },
  };
}
