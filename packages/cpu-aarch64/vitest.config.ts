import { packageProject } from "../../vitest.shared.js";

export default packageProject("cpu-aarch64");
