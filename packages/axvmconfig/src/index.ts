export type { CliIo } from "./cli/io.js";
export { runCli } from "./cli/run-cli.js";
export { checkAxVMConfigFile, loadAxVMConfig, resolveConfigPath } from "./config-file.js";
export { AxVMConfigError, type ConfigProblem, formatProblem } from "./config-problem.js";
export { checkImageFiles, type PlacedImage, placedImages } from "./image-check.js";
export { formatSize, parseSize, parseUintText } from "./integer.js";
export {
  type CheckResult,
  checkAxVMConfig,
  type ParseConfigOptions,
  parseAxVMConfig,
} from "./parse.js";
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
