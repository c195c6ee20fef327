import { AxError, axErr } from "@axvisor/axerrno";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import { DeviceTree } from "@axvisor/fdt";
import { MappingFlags } from "@axvisor/memory-addr";
import { GUEST_FDT_SLACK } from "./guest-fdt-slack.js";

export interface PatchGuestFdtOptions {
  readonly initrd?: { readonly start: number; readonly end: number };
  /** RAM to describe (default: the config's memory regions). */
  readonly memory?: readonly {
    readonly gpa: number;
    readonly size: number;
    readonly flags?: number;
  }[];
  /** Names the blob in errors. */
  readonly name?: string;
}

/**
 * Brings a user-provided device tree (`dtb_path`) in line with the VM, as AxVisor's
 * `update_fdt` does, but keeping what AxVisor lost (§11.24):
 *
 * - `/memory*` nodes are replaced by one `memory@<gpa>` node per RAM region of the VM;
 * - `/chosen/linux,initrd-start/-end` describe the loaded ramdisk (and are removed when there
 *   is none, since they could only point at stale memory);
 * - `/chosen/bootargs` becomes the config's `cmdline` when it has one (else it is kept).
 *
 * Everything else - CPUs, devices, phandles - stays as the user wrote it.
 */
export function patchGuestFdt(
  blob: Uint8Array,
  config: AxVMCrateConfig,
  opts: PatchGuestFdtOptions = {},
): Uint8Array {
  const name = opts.name ?? "the provided device tree";
  let dt: DeviceTree;
  try {
    dt = DeviceTree.parse(blob);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw axErr("InvalidData", `${name} is not a valid device tree blob: ${why}`, e);
  }
  try {
    const root = dt.root;
    for (const child of [...root.children]) {
      const type = child.property("device_type");
      if (child.baseName === "memory" || (type !== undefined && type.string() === "memory")) {
        root.removeNode(child.name);
      }
    }
    const memory = opts.memory ?? config.kernel.memoryRegions;
    for (const m of memory) {
      if (((m.flags ?? 0) & MappingFlags.DEVICE) !== 0 || m.size === 0) continue;
      const node = root.addNode(`memory@${m.gpa.toString(16)}`);
      node.setString("device_type", "memory").setReg({ address: m.gpa, size: m.size });
    }

    const chosen = root.ensureNode("chosen");
    chosen.removeProperty("linux,initrd-start");
    chosen.removeProperty("linux,initrd-end");
    if (opts.initrd !== undefined) {
      chosen.setU64("linux,initrd-start", opts.initrd.start);
      chosen.setU64("linux,initrd-end", opts.initrd.end);
    }
    if (config.kernel.cmdline !== undefined) chosen.setString("bootargs", config.kernel.cmdline);
    return dt.toBlob({ padding: GUEST_FDT_SLACK });
  } catch (e) {
    if (e instanceof AxError) {
      throw new AxError(e.kind, `${name}: cannot adapt it to the VM: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
