import { packageProject } from "../../../vitest.shared.js";

export default packageProject("platform-riscv64-qemu-virt", { testTimeout: 60_000 });
