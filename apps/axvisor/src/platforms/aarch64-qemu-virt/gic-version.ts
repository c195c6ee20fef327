import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";

export type GicVersion = 2 | 3;

/**
 * The vGIC a VM asks for: its interrupt-controller row (type 0x1) names the version in
 * `cfg_list[0]` (2 or 3, QEMU's `gic-version`); no row or an empty list is a GICv3, what
 * AxVisor's aarch64 configs assume.
 */
export function vgicVersionOf(config: AxVMCrateConfig): GicVersion {
  const row = config.devices.emuDevices.find(
    (r) => r.emuType === EmulatedDeviceType.InterruptController,
  );
  const v = row?.cfgList[0];
  if (v === undefined) return 3;
  if (v !== 2 && v !== 3) {
    throw axErr("InvalidInput", `${row?.name}: cfg_list[0] is the GIC version, 2 or 3, not ${v}`);
  }
  return v;
}

/** The host GIC that can serve every VM given at start: one version for all. */
export function hostGicVersion(vms: readonly AxVMCrateConfig[]): GicVersion {
  const wanted = new Set(vms.map(vgicVersionOf));
  if (wanted.size > 1) {
    throw axErr(
      "InvalidInput",
      "the VMs ask for both a vGICv2 and a vGICv3, but the host GIC is one or the other; give them the same version",
    );
  }
  return wanted.has(2) ? 2 : 3;
}
