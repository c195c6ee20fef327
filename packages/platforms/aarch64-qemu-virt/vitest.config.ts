import { packageProject } from "../../../vitest.shared.js";

export default packageProject("platform-aarch64-qemu-virt", { testTimeout: 60_000 });
