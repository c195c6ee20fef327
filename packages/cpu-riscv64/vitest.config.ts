import { packageProject } from "../../vitest.shared.js";

export default packageProject("cpu-riscv64");
