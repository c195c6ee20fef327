import { axErr } from "@axvisor/axerrno";
import type { VmDevicesConfig } from "@axvisor/axvmconfig";
import { alignDown4K, alignUp4K, formatHex, pageOffset4K } from "@axvisor/memory-addr";

/** One linear device window: guest-physical `[gpa, gpa + size)` onto host-physical `hpa`. */
export interface PassthroughWindow {
  readonly gpa: number;
  readonly hpa: number;
  readonly size: number;
  /** The config rows it came from, for messages. */
  readonly names: readonly string[];
}

export interface PassthroughPlan {
  readonly windows: readonly PassthroughWindow[];
  /** Name-only rows (FDT node paths); the VMM resolves those from a device tree. */
  readonly byNodePath: readonly string[];
}

/**
 * Turns `passthrough_devices` (GPA -> HPA, honouring `base_hpa`, which AxVisor ignored) and
 * `passthrough_addresses` (identity) into 4 KiB-aligned windows. Windows that overlap or touch
 * at the same GPA->HPA offset merge, as AxVisor merges its identity windows; windows that
 * overlap with different offsets cannot both be mapped and are a config error naming both.
 */
export function planPassthrough(devices: VmDevicesConfig): PassthroughPlan {
  const raw: PassthroughWindow[] = [];
  const byNodePath: string[] = [];
  for (const d of devices.passthroughDevices) {
    if (d.length === 0) {
      byNodePath.push(d.name);
      continue;
    }
    if (pageOffset4K(d.baseGpa) !== pageOffset4K(d.baseHpa)) {
      throw axErr(
        "InvalidInput",
        `passthrough device "${d.name}": GPA ${formatHex(d.baseGpa)} and HPA ${formatHex(d.baseHpa)} ` +
          "differ in their offset within a 4 KiB page, so no page mapping can join them",
      );
    }
    raw.push(window(d.baseGpa, d.baseHpa, d.length, `passthrough device "${d.name}"`));
  }
  devices.passthroughAddresses.forEach((a, i) => {
    if (a.length > 0) {
      raw.push(
        window(
          a.baseGpa,
          a.baseGpa,
          a.length,
          `passthrough address ${i} (${formatHex(a.baseGpa)})`,
        ),
      );
    }
  });

  raw.sort((a, b) => a.gpa - b.gpa);
  const merged: PassthroughWindow[] = [];
  for (const w of raw) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined && w.gpa <= prev.gpa + prev.size) {
      const sameOffset = w.hpa - w.gpa === prev.hpa - prev.gpa;
      if (!sameOffset) {
        if (w.gpa < prev.gpa + prev.size) {
          throw axErr(
            "InvalidInput",
            `${w.names[0]} [${formatHex(w.gpa)}, ${formatHex(w.gpa + w.size)}) overlaps ` +
              `${prev.names.join(" + ")} [${formatHex(prev.gpa)}, ${formatHex(prev.gpa + prev.size)}) ` +
              "but maps to different host addresses",
          );
        }
        merged.push(w);
        continue;
      }
      const end = Math.max(prev.gpa + prev.size, w.gpa + w.size);
      merged[merged.length - 1] = {
        gpa: prev.gpa,
        hpa: prev.hpa,
        size: end - prev.gpa,
        names: [...prev.names, ...w.names],
      };
      continue;
    }
    merged.push(w);
  }
  return { windows: merged, byNodePath };
}

function window(gpa: number, hpa: number, length: number, name: string): PassthroughWindow {
  const start = alignDown4K(gpa);
  const end = alignUp4K(gpa + length);
  return { gpa: start, hpa: hpa - (gpa - start), size: end - start, names: [name] };
}
