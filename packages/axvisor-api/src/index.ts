export { FrameAllocator, type FrameStats } from "./frame-allocator.js";
export {
  type HostInfo,
  type HostLog,
  type HostMemory,
  type HostServices,
  type HostTime,
  type HostVmm,
  LOG_LEVELS,
  type LogLevel,
  type TimerCallback,
  type TimerToken,
} from "./host-services.js";
export { type Logger, logger, logLevelEnabled } from "./logger.js";
export { RamHostMemory, type RamHostMemoryOptions } from "./ram-host-memory.js";
export { type TickConverter, tickConverter } from "./tick-converter.js";
export { TimerQueue } from "./timer-queue.js";
