export { computeGeometry, type Fat32Geometry, minimumVolumeBytes } from "./geometry.js";
export { type ImageSource, type ImageTarget, MemoryImage } from "./image-io.js";
export { type Fat32Entry, Fat32Volume } from "./reader.js";
export {
  type CreateFat32Options,
  createFat32,
  type Fat32File,
  type Fat32Layout,
} from "./writer.js";
