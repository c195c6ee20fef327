export { resolveConfigPath } from "./config-path.js";
export { AxVMConfigError, type ConfigProblem, formatProblem } from "./config-problem.js";
export { formatSize, parseSize, parseUintText } from "./integer.js";
export {
  type CheckResult,
  checkAxVMConfig,
  type ParseConfigOptions,
  parseAxVMConfig,
} from "./parse.js";
export { type PlacedImage, placedImages } from "./placed-images.js";
export {
  ARCH_DEFAULTS,
  ARCHES,
  type Arch,
  type ArchDefaults,
  isArch,
  type TemplateParams,
  vmConfigTemplate,
} from "./templates.js";
export { type ToTomlOptions, tomlString, toToml } from "./to-toml.js";
export { TomlLocator, type TomlPath } from "./toml-locator.js";
export {
  type AxVMCrateConfig,
  type EmulatedDeviceConfig,
  type ImageLocation,
  type PassThroughAddressConfig,
  type PassThroughDeviceConfig,
  type VmBaseConfig,
  type VmDevicesConfig,
  type VmInterruptMode,
  type VmKernelConfig,
  type VmMemConfig,
  VmMemMappingType,
  VmType,
} from "./types.js";
