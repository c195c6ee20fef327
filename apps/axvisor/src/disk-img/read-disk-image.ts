import { AxError, axErr } from "@axvisor/axerrno";
import { Fat32Volume } from "@axvisor/fat32";
import { FileImage } from "@axvisor/fat32/node";

/** One file or folder in a disk image. */
export interface DiskImageEntry {
  /** Absolute path inside the image, with the case stored in it. */
  readonly path: string;
  readonly isDirectory: boolean;
  /** Bytes (0 for folders). */
  readonly size: number;
}

function withVolume<T>(img: string, fn: (volume: Fat32Volume) => T): T {
  let image: FileImage;
  try {
    image = FileImage.openRead(img);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw axErr(
      code === "ENOENT" ? "NotFound" : "Io",
      `cannot open the disk image ${img}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`,
      e,
    );
  }
  try {
    let volume: Fat32Volume;
    try {
      volume = Fat32Volume.open(image);
    } catch (e) {
      throw axErr("InvalidData", `${img}: ${(e as Error).message}`, e);
    }
    try {
      return fn(volume);
    } catch (e) {
      if (e instanceof AxError) throw new AxError(e.kind, `${img}: ${e.message}`, { cause: e });
      throw e;
    }
  } finally {
    image.close();
  }
}

const join = (dir: string, name: string) => (dir === "/" ? `/${name}` : `${dir}/${name}`);

/**
 * The entries of folder `path` (default "/"), or the one entry when `path` is a file; with
 * `recursive`, everything below it, parents before children. Also returns the volume label.
 */
export function listDiskImage(
  img: string,
  path = "/",
  opts: { recursive?: boolean } = {},
): { label: string; entries: DiskImageEntry[] } {
  return withVolume(img, (volume) => {
    const start = `/${path
      .split("/")
      .filter((p) => p.length > 0)
      .join("/")}`;
    const entries: DiskImageEntry[] = [];
    if (start !== "/") {
      const st = volume.stat(start);
      if (!st.isDirectory) {
        return {
          label: volume.label,
          entries: [{ path: start, isDirectory: false, size: st.size }],
        };
      }
    }
    const walk = (dir: string) => {
      for (const e of volume.list(dir)) {
        const p = join(dir, e.name);
        entries.push({ path: p, isDirectory: e.isDirectory, size: e.isDirectory ? 0 : e.size });
        if (e.isDirectory && opts.recursive === true) walk(p);
      }
    };
    walk(start);
    return { label: volume.label, entries };
  });
}

/** The bytes of file `path` in the image. */
export function readDiskImageFile(img: string, path: string): Uint8Array {
  return withVolume(img, (volume) => volume.readFile(path.startsWith("/") ? path : `/${path}`));
}
