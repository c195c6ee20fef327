import { packageProject } from "../../vitest.shared.js";

export default packageProject("x86-vlapic");
