export { encodeLr, LrState, lrIntid, lrState } from "./list-register.js";
export { VGicV3, VGicV3Cpu, type VGicV3Options } from "./vgicv3.js";
