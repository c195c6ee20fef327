import { packageProject } from "../../vitest.shared.js";

export default packageProject("fuzz", { testTimeout: 180_000 });
