import { AxError } from "@axvisor/axerrno";

/** One thing wrong with a config file, pinned to the line a user has to edit. */
export interface ConfigProblem {
  /** The config file as the user named it (or "<config>" for text without a file). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, known for TOML syntax errors only. */
  column?: number;
  /** Where in the schema, e.g. `[kernel].memory_regions[1]`; empty for syntax errors. */
  field: string;
  message: string;
}

/** `file:line: field: message`, the one line `axvmconfig check` prints per problem. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.column === undefined ? `${p.file}:${p.line}` : `${p.file}:${p.line}:${p.column}`;
  return p.field === "" ? `${where}: ${p.message}` : `${where}: ${p.field}: ${p.message}`;
}

/** Thrown by `parseAxVMConfig` when a config is invalid; carries every problem found. */
export class AxVMConfigError extends AxError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super("InvalidInput", problems.map(formatProblem).join("\n"));
    this.problems = problems;
  }
}
