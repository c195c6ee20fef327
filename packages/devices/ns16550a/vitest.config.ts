import { packageProject } from "../../../vitest.shared.js";

export default packageProject("device-ns16550a");
