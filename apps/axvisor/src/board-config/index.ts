export {
  BOARD_DEFAULTS,
  type BoardConfig,
  BoardConfigError,
  type BoardPlatform,
  defaultBoardConfig,
  KNOWN_PLATFORMS,
  loadBoardConfig,
  type ParseBoardConfigOptions,
  parseBoardConfig,
} from "./board-config.js";
