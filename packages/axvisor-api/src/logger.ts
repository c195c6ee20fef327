import type { HostLog, LogLevel } from "./host-services.js";

/** Per-level shorthands bound to one log target, so components write `log.warn("...")`. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  trace(message: string): void;
}

export function logger(log: HostLog, target: string): Logger {
  const at = (level: LogLevel) => (message: string) => log.log(level, target, message);
  return {
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    trace: at("trace"),
  };
}

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

/** True when a message at `level` passes a `max` filter (e.g. "info" passes "debug"). */
export const logLevelEnabled = (level: LogLevel, max: LogLevel): boolean =>
  SEVERITY[level] <= SEVERITY[max];
