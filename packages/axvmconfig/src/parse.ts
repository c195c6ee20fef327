import { parse as parseToml, TomlError } from "smol-toml";
import { AxVMConfigError, type ConfigProblem } from "./config-problem.js";
import { didYouMean } from "./did-you-mean.js";
import { parseBase } from "./parse-base.js";
import { parseDevices } from "./parse-devices.js";
import { parseKernel } from "./parse-kernel.js";
import { keyLoc, Reader, ROOT, tableLoc } from "./reader.js";
import { TABLES, tableOfField } from "./schema.js";
import { TomlLocator } from "./toml-locator.js";
import type { AxVMCrateConfig } from "./types.js";

export interface ParseConfigOptions {
  /** Name used in problem messages (default `<config>`). */
  file?: string;
  /** Stored as `config.source`: the path relative image paths resolve against. */
  source?: string;
}

export type CheckResult =
  | { ok: true; config: AxVMCrateConfig }
  | { ok: false; problems: ConfigProblem[] };

/**
 * Parses and validates an AxVisor VM config. Never throws for bad input: every problem is
 * returned, each with its file, line and field.
 */
export function checkAxVMConfig(text: string, options: ParseConfigOptions = {}): CheckResult {
  const file = options.file ?? "<config>";
  let doc: Record<string, unknown>;
  try {
    // Every integer as a bigint, so values beyond 2^53 are rejected instead of rounded.
    doc = parseToml(text, { integersAsBigInt: true });
  } catch (e) {
    return { ok: false, problems: [syntaxProblem(file, e)] };
  }

  const r = new Reader(file, new TomlLocator(text));
  for (const key of Object.keys(doc)) {
    if (key in TABLES) continue;
    const home = tableOfField(key);
    const isTable = doc[key] !== null && typeof doc[key] === "object" && !Array.isArray(doc[key]);
    const guess = didYouMean(key, Object.keys(TABLES));
    r.report(
      isTable ? { path: [key], label: `[${key}]` } : keyLoc(ROOT, key),
      home !== undefined
        ? `unknown top-level field; it belongs in [${home}]`
        : isTable && guess !== undefined
          ? `unknown table; did you mean [${guess}]?`
          : `unknown ${isTable ? "table" : "top-level field"} (a VM config has [base], [kernel] and [devices])`,
    );
  }
  const section = (name: string) => {
    if (!(name in doc)) r.report(tableLoc(name), "missing required table");
    return doc[name];
  };

  const baseValue = section("base");
  const kernelValue = section("kernel");
  const devicesValue = section("devices");
  const base = baseValue === undefined ? undefined : parseBase(r, tableLoc("base"), baseValue);
  const { kernel, memoryWindows } =
    kernelValue === undefined
      ? { kernel: undefined, memoryWindows: [] }
      : parseKernel(r, tableLoc("kernel"), kernelValue);
  const devices =
    devicesValue === undefined
      ? undefined
      : parseDevices(r, tableLoc("devices"), devicesValue, memoryWindows);

  if (
    r.problems.length > 0 ||
    base === undefined ||
    kernel === undefined ||
    devices === undefined
  ) {
    // Sorted by line so the list reads top to bottom like the file.
    const problems = [...r.problems].sort((a, b) => a.line - b.line);
    return { ok: false, problems };
  }
  const config: AxVMCrateConfig = { base, kernel, devices };
  if (options.source !== undefined) config.source = options.source;
  return { ok: true, config };
}

/** Like `checkAxVMConfig`, but throws an `AxVMConfigError` listing the problems. */
export function parseAxVMConfig(text: string, options: ParseConfigOptions = {}): AxVMCrateConfig {
  const result = checkAxVMConfig(text, options);
  if (!result.ok) throw new AxVMConfigError(result.problems);
  return result.config;
}

function syntaxProblem(file: string, e: unknown): ConfigProblem {
  if (e instanceof TomlError) {
    // smol-toml's message is "Invalid TOML document: <what>\n\n<code excerpt>"; keep <what>.
    const what = (e.message.split("\n")[0] ?? "").replace(/^Invalid TOML document:\s*/, "");
    return {
      file,
      line: e.line,
      column: e.column,
      field: "",
      message: `TOML syntax error: ${what}`,
    };
  }
  // Not expected from smol-toml, but a config must never crash its reader.
  return { file, line: 1, field: "", message: `cannot parse: ${String(e)}` };
}
