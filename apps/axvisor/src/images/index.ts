export { fatImageStore, hostImageStore, type ImageFile, type ImageStore } from "./image-store.js";
export { type ImagePiece, type KernelFormat, type KernelPlan, planKernel } from "./kernel-plan.js";
export {
  type LoadedImages,
  type LoadVmImagesOptions,
  loadVmImages,
  type PlacedBootImages,
} from "./load-vm-images.js";
export { type PatchGuestFdtOptions, patchGuestFdt } from "./patch-guest-fdt.js";
export { checkPlacements, type PlannedImage, type RamRegion } from "./placement.js";
