import { type HostLog, LOG_LEVELS, type LogLevel, logLevelEnabled } from "@axvisor/axvisor-api";
import { UsageError } from "../errors.js";

/** Which physical CPU and VM a log line comes from (0 when none). */
export interface LogContext {
  cpu(): number;
  vm(): number;
}

export interface VmmLogOptions {
  readonly level: LogLevel;
  /** Receives one finished line, without the line ending. */
  readonly sink: (line: string) => void;
  /** Seconds since the VMM started (default: since this logger was made). */
  readonly uptime?: () => number;
  readonly context?: LogContext;
}

/**
 * The VMM's log, formatted as AxVisor's ArceOS logger prints it:
 * `[  1.234567 0:1 INFO  axvisor::vmm] message` — uptime, pCPU:VM ids, level, target.
 * Component targets (axvm, riscv_vcpu, ...) are printed as given; the app's own use
 * `axvisor::<module>`, as the Rust module paths read.
 */
export class VmmLog implements HostLog {
  level: LogLevel;
  readonly #sink: (line: string) => void;
  readonly #uptime: () => number;
  #context: LogContext | undefined;

  constructor(options: VmmLogOptions) {
    this.level = options.level;
    this.#sink = options.sink;
    const start = performance.now();
    this.#uptime = options.uptime ?? (() => (performance.now() - start) / 1000);
    this.#context = options.context;
  }

  /** Where pCPU and VM ids come from (the scheduler, once it exists). */
  setContext(context: LogContext): void {
    this.#context = context;
  }

  enabled(level: LogLevel): boolean {
    return logLevelEnabled(level, this.level);
  }

  log(level: LogLevel, target: string, message: string): void {
    if (!this.enabled(level)) return;
    const cpu = this.#context?.cpu() ?? 0;
    const vm = this.#context?.vm() ?? 0;
    const t = this.#uptime().toFixed(6).padStart(10);
    const lines = message.split("\n");
    const head = `[${t} ${cpu}:${vm} ${level.toUpperCase().padEnd(5)} ${target}]`;
    for (const line of lines) this.#sink(`${head} ${line}`);
  }
}

/** A log level from `--log` or `LOG=`; throws UsageError naming the accepted ones. */
export function parseLogLevel(text: string, what = "--log"): LogLevel {
  const l = text.trim().toLowerCase();
  if (l === "warning") return "warn";
  if ((LOG_LEVELS as readonly string[]).includes(l)) return l as LogLevel;
  throw new UsageError(`${what}: unknown log level '${text}' (use ${LOG_LEVELS.join(", ")})`);
}
