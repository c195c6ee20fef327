import { packageProject } from "../../vitest.shared.js";

export default packageProject("cpu-x86_64");
