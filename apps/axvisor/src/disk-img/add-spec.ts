import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { UsageError } from "../errors.js";

/** One `--add HOSTFILE[:NAME]`: a host file or folder and where it goes in the image. */
export interface AddSpec {
  /** The argument as typed, for messages. */
  readonly arg: string;
  readonly host: string;
  /** Path inside the image ("/" separated, absolute); absent: the host file's name in the root. */
  readonly name?: string;
}

/** A file to put in the image, with the --add that brought it. */
export interface ImageFileSource {
  /** Absolute path inside the image, e.g. "/boot/Image". */
  readonly path: string;
  readonly data: Uint8Array;
  readonly from: string;
}

/**
 * Splits `HOSTFILE[:NAME]`. FAT names cannot contain ":", so the last colon separates the name,
 * unless the whole argument is an existing host path (a file name with a colon in it).
 */
export function parseAddSpec(arg: string): AddSpec {
  if (arg.length === 0) throw new UsageError("--add: empty argument (expected HOSTFILE[:NAME])");
  const colon = arg.lastIndexOf(":");
  if (colon < 0 || existsSync(arg)) return { arg, host: arg };
  const host = arg.slice(0, colon);
  const name = arg.slice(colon + 1);
  if (host.length === 0) throw new UsageError(`--add ${arg}: no host file before the ":"`);
  if (name.length === 0) throw new UsageError(`--add ${arg}: no name after the ":"`);
  return { arg, host, name };
}

function normalise(path: string): string {
  const parts = path.split("/").filter((p) => p.length > 0);
  return `/${parts.join("/")}`;
}

function hostError(spec: AddSpec, path: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT"
      ? "no such file or folder"
      : code === "EACCES"
        ? "permission denied"
        : (e as Error).message;
  return new UsageError(`--add ${spec.arg}: cannot read host file ${path}: ${why}`);
}

/**
 * Reads what one --add names. A file goes to NAME (or NAME/its-name when NAME ends with "/",
 * or /its-name without NAME). A folder is added with everything below it, under NAME (or
 * /its-name); empty sub-folders are not kept.
 */
export function readAddSpec(spec: AddSpec): ImageFileSource[] {
  let isDir: boolean;
  try {
    isDir = statSync(spec.host).isDirectory();
  } catch (e) {
    throw hostError(spec, spec.host, e);
  }
  const hostName = basename(spec.host);
  if (!isDir) {
    const target =
      spec.name === undefined
        ? `/${hostName}`
        : spec.name.endsWith("/")
          ? `${spec.name}${hostName}`
          : spec.name;
    const path = normalise(target);
    if (path === "/") throw new UsageError(`--add ${spec.arg}: the name is empty`);
    try {
      return [{ path, data: new Uint8Array(readFileSync(spec.host)), from: spec.arg }];
    } catch (e) {
      throw hostError(spec, spec.host, e);
    }
  }
  const root = normalise(spec.name ?? hostName);
  const out: ImageFileSource[] = [];
  const walk = (dir: string, inside: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (e) {
      throw hostError(spec, dir, e);
    }
    for (const entry of entries) {
      const host = join(dir, entry);
      const target = inside === "/" ? `/${entry}` : `${inside}/${entry}`;
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(host);
      } catch (e) {
        throw hostError(spec, host, e);
      }
      if (st.isDirectory()) walk(host, target);
      else if (st.isFile()) {
        try {
          out.push({ path: target, data: new Uint8Array(readFileSync(host)), from: spec.arg });
        } catch (e) {
          throw hostError(spec, host, e);
        }
      }
    }
  };
  walk(spec.host, root);
  return out;
}
