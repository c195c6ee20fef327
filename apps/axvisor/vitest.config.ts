import { packageProject } from "../../vitest.shared.js";

// The tests run the VMM on Node: its host files are the file system, as under the CLI.
export default packageProject("app", {
  testTimeout: 60_000,
  setupFiles: ["src/test-support/node-host.ts"],
});
