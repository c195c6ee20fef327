export { type AddSpec, type ImageFileSource, parseAddSpec, readAddSpec } from "./add-spec.js";
export {
  type CreateDiskImageOptions,
  createDiskImage,
  type DiskImageSummary,
  minimumDiskImageBytes,
  type PartitionScheme,
} from "./create-disk-image.js";
export { addDiskImgCommand } from "./disk-img-command.js";
export { type DiskImageEntry, listDiskImage, readDiskImageFile } from "./read-disk-image.js";
