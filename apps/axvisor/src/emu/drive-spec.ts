import { UsageError } from "../errors.js";

/** One `-drive`: a raw disk image on a virtio-mmio slot. */
export interface DriveSpec {
  readonly file: string;
  readonly format: "raw";
  readonly interface: "virtio";
  readonly readonly: boolean;
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

/** Parses `file=PATH[,format=raw][,if=virtio][,readonly=on]`. */
export function parseDriveSpec(spec: string): DriveSpec {
  let file: string | undefined;
  let readonly = false;
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
        if (value !== "virtio") {
          throw new UsageError(`-drive: if='${value}' is not supported (only virtio)`);
        }
        break;
      case "readonly": {
        const b = BOOL[value === "" ? "on" : value];
        if (b === undefined) throw new UsageError(`-drive: readonly='${value}' is not on/off`);
        readonly = b;
        break;
      }
      case "id":
      case "media":
        break; // accepted for QEMU compatibility; nothing to configure
      default:
        throw new UsageError(
          `-drive: unknown parameter '${key}' (supported: file, format=raw, if=virtio, readonly)`,
        );
    }
  }
  if (file === undefined || file === "") throw new UsageError("-drive: missing file=PATH");
  return { file, format: "raw", interface: "virtio", readonly };
}
