export { runCli } from "./cli.js";
export {
  ExpectEngine,
  type ExpectScript,
  type SendAfter,
  unescapeText,
} from "./console/expect-engine.js";
export {
  CONSOLE_ESCAPE_HELP,
  type ConsoleInput,
  type ConsoleOutput,
  HostConsole,
  type HostConsoleOptions,
} from "./console/host-console.js";
export { type DriveSpec, parseDriveSpec, splitQemuKeyValues } from "./emu/drive-spec.js";
export { runEmu } from "./emu/emu-command.js";
export {
  DEFAULT_MEMORY,
  EMU_OPTIONS,
  type EmuOptions,
  emuHelp,
  KNOWN_MACHINES,
  MAX_HARTS,
  parseEmuArgs,
} from "./emu/emu-options.js";
export { DEFAULT_BIOS, resolveBios } from "./emu/firmware.js";
export { parseMemorySize } from "./emu/size.js";
export { formatHostError, UsageError } from "./errors.js";
export {
  describeOutcome,
  EXIT_STATUS_HELP,
  ExitStatus,
  type ExitStatusCode,
  exitStatusFor,
  type RunOutcome,
} from "./exit-status.js";
export { type CliIo, processIo } from "./io.js";
