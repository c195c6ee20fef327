export { ByteReader } from "./byte-reader.js";
export { assertNotCompressed, type Compression, detectCompression } from "./compression.js";
export {
  type Elf64Image,
  type ElfSymbol,
  findSection,
  findSymbol,
  isElf,
  type LoadSegment,
  type ParseElfOptions,
  type ProgramHeader,
  parseElf64,
  type SectionHeader,
  symbolAddress,
} from "./elf.js";
export {
  ElfMachine,
  ElfType,
  machineName,
  ProgramType,
  SectionFlags,
  SectionType,
  SegmentFlags,
  SHN_ABS,
  SHN_UNDEF,
  SymbolBind,
  SymbolType,
} from "./elf-constants.js";
export { type IdentifiedImage, type IdentifyOptions, identifyImage } from "./identify.js";
export { ImageFormatError, type ImageProblem } from "./image-error.js";
export {
  ARM64_IMAGE_MAGIC,
  type Arm64ImageHeader,
  isArm64LinuxImage,
  isRiscvLinuxImage,
  isX86LinuxBzImage,
  linuxImageLoadAddress,
  parseArm64ImageHeader,
  parseRiscvImageHeader,
  RISCV_IMAGE_MAGIC,
  RISCV_IMAGE_MAGIC2,
  type RiscvImageHeader,
} from "./linux-image.js";
export {
  type LoadElfOptions,
  type LoadedImage,
  loadElf,
  loadRaw,
  type WriteMemory,
  zeroFill,
} from "./load.js";
