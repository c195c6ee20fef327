import { UsageError } from "../errors.js";

/**
 * One `-drive`: a raw disk image. `if=virtio` puts it on a virtio-mmio slot by itself;
 * `if=none` only names it (`id=`), for a `-device virtio-blk-device,drive=ID` to attach.
 */
export interface DriveSpec {
  readonly file: string;
  readonly format: "raw";
  readonly interface: "virtio" | "none";
  readonly readonly: boolean;
  readonly id?: string;
}

/**
 * Splits QEMU's `key=value,key=value` syntax; a doubled comma is a literal comma (so paths
 * may contain commas: `file=a,,b.img`).
 */
export function splitQemuKeyValues(spec: string): [string, string][] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ",") {
      if (spec[i + 1] === ",") {
        cur += ",";
        i++;
      } else {
        parts.push(cur);
        cur = "";
      }
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts.map((p) => {
    const eq = p.indexOf("=");
    return eq < 0 ? [p, ""] : [p.slice(0, eq), p.slice(eq + 1)];
  });
}

const BOOL: Record<string, boolean> = { on: true, off: false, true: true, false: false };

/** Parses `file=PATH[,format=raw][,if=virtio|none][,id=ID][,readonly=on]`. */
export function parseDriveSpec(spec: string): DriveSpec {
  let file: string | undefined;
  let readonly = false;
  let iface: DriveSpec["interface"] = "virtio";
  let id: string | undefined;
  for (const [key, value] of splitQemuKeyValues(spec)) {
    switch (key) {
      case "file":
        file = value;
        break;
      case "format":
        if (value !== "raw") {
          throw new UsageError(`-drive: format '${value}' is not supported (only raw)`);
        }
        break;
      case "if":
        if (value !== "virtio" && value !== "none") {
          throw new UsageError(
            `-drive: if='${value}' is not supported (virtio, or none with -device)`,
          );
        }
        iface = value;
        break;
      case "readonly": {
        const b = BOOL[value === "" ? "on" : value];
        if (b === undefined) throw new UsageError(`-drive: readonly='${value}' is not on/off`);
        readonly = b;
        break;
      }
      case "id":
        id = value;
        break;
      case "media":
        break; // accepted for QEMU compatibility; nothing to configure
      default:
        throw new UsageError(
          `-drive: unknown parameter '${key}' (supported: file, format=raw, if=virtio|none, id, readonly)`,
        );
    }
  }
  if (file === undefined || file === "") throw new UsageError("-drive: missing file=PATH");
  if (iface === "none" && (id === undefined || id === "")) {
    throw new UsageError("-drive: if=none needs id=ID, for a -device ...,drive=ID to attach it");
  }
  return { file, format: "raw", interface: iface, readonly, ...(id !== undefined ? { id } : {}) };
}
