import { packageProject } from "../../../vitest.shared.js";

export default packageProject("device-i8254");
