import { packageProject } from "../../../vitest.shared.js";

export default packageProject("platform-x86_64-qemu-q35", { testTimeout: 60_000 });
