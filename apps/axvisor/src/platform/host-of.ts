import { axErr } from "@axvisor/axerrno";
import type { DefaultGuest, HostBoard, HostBoardOptions, HostPlatform } from "./host-platform.js";

/** The platform's host board for the hypervisor, or a one-line error when it has none yet. */
export function createHostBoard(platform: HostPlatform, options: HostBoardOptions): HostBoard {
  if (platform.createHost === undefined) {
    throw axErr(
      "Unsupported",
      `platform ${platform.name} has no hypervisor backend yet; its bare machine runs with 'axvisor emu -M ${platform.name}'`,
    );
  }
  return platform.createHost(options);
}

/** The platform's built-in demo guest, or a one-line error when it has none. */
export function defaultGuestOf(platform: HostPlatform): DefaultGuest {
  if (platform.defaultGuest === undefined) {
    throw axErr("Unsupported", `platform ${platform.name} has no built-in demo guest yet`);
  }
  return platform.defaultGuest();
}
