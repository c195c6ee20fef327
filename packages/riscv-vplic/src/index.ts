export { VPlic, type VPlicOptions } from "./vplic.js";
