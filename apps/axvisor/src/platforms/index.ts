import { PlatformRegistry } from "../platform/registry.js";
import { aarch64QemuVirt } from "./aarch64-qemu-virt/index.js";
import { riscv64QemuVirt } from "./riscv64-qemu-virt/index.js";
import { x86_64QemuQ35 } from "./x86_64-qemu-q35/index.js";

/**
 * The platforms this build of axvisor knows. The only file that names them: adding a
 * platform is adding its folder (or package) and one `register` line here.
 */
export const platforms = new PlatformRegistry();
platforms.register(riscv64QemuVirt);
platforms.register(aarch64QemuVirt);
platforms.register(x86_64QemuQ35);
