export { DevEnv, DevEnvError, type Localization, packageName } from "./localize.js";
export { main } from "./main.js";
