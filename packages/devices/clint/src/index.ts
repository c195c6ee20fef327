export {
  CLINT_DEFAULT_SIZE,
  CLINT_MAX_HARTS,
  CLINT_MSIP,
  CLINT_MTIME,
  CLINT_MTIMECMP,
  Clint,
  type ClintOptions,
  type TimeSource,
} from "./clint.js";
