import type { Arch } from "@axvisor/arch";
import { axErr } from "@axvisor/axerrno";
import type { HostPlatform } from "./host-platform.js";

/**
 * The platforms `axvisor` knows, by name and alias. Platforms register themselves from
 * `src/platforms/index.ts`; adding one is adding its folder (or package) and one line there.
 */
export class PlatformRegistry {
  readonly #byName = new Map<string, HostPlatform>();
  readonly #all: HostPlatform[] = [];

  register(platform: HostPlatform): void {
    for (const n of [platform.name, ...platform.aliases]) {
      const other = this.#byName.get(n);
      if (other !== undefined) {
        throw axErr("AlreadyExists", `platform name '${n}' is taken by ${other.name}`);
      }
    }
    this.#all.push(platform);
    for (const n of [platform.name, ...platform.aliases]) this.#byName.set(n, platform);
  }

  /** Every platform, in registration order. */
  get all(): readonly HostPlatform[] {
    return this.#all;
  }

  /** Canonical names, for help texts. */
  get names(): readonly string[] {
    return this.#all.map((p) => p.name);
  }

  find(name: string): HostPlatform | undefined {
    return this.#byName.get(name);
  }

  /** The platform called `name` (or an alias), or an error listing the known ones. */
  get(name: string): HostPlatform {
    const p = this.#byName.get(name);
    if (p === undefined) {
      throw axErr(
        "NotFound",
        `unknown platform '${name}'; known platforms: ${this.names.join(", ") || "none"}`,
      );
    }
    return p;
  }

  /** The first platform of an architecture (a VM config or image names only its arch). */
  forArch(arch: Arch): HostPlatform | undefined {
    return this.#all.find((p) => p.arch === arch);
  }
}
