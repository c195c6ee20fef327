import { packageProject } from "../../vitest.shared.js";

// The e2e tests build the site once and drive Debian's chromium; booting Linux is opt-in.
export default packageProject("web", { testTimeout: 120_000 });
