export {
  encodeGichLr,
  encodeLr,
  GICH,
  gichLrState,
  LrState,
  lrIntid,
  lrPhysical,
  lrState,
} from "./list-register.js";
export {
  GICV_MAPPING,
  type GichAccess,
  type GicvMapping,
  VGicV2,
  VGicV2Cpu,
  type VGicV2Options,
} from "./vgicv2.js";
export { VGicV3, VGicV3Cpu, type VGicV3Options } from "./vgicv3.js";
