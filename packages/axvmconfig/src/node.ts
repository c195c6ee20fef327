// The Node.js adapter of this package: config files and image files read from the host's file
// system, and the `axvmconfig` command line. Parsing, validation, templates and serialisation
// are in the main entry and run in any JavaScript host.
export type { CliIo } from "./cli/io.js";
export { runCli } from "./cli/run-cli.js";
export { checkAxVMConfigFile, loadAxVMConfig } from "./config-file.js";
export { checkImageFiles } from "./image-check.js";
