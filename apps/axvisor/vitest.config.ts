import { packageProject } from "../../vitest.shared.js";

export default packageProject("app", { testTimeout: 60_000 });
