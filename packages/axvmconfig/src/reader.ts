import type { ConfigProblem } from "./config-problem.js";
import { describeValue } from "./describe-value.js";
import { didYouMean } from "./did-you-mean.js";
import { toUint } from "./integer.js";
import { tableOfField } from "./schema.js";
import type { TomlLocator, TomlPath } from "./toml-locator.js";

/** A place in the config: the TOML path (to find the line) and the label users read. */
export interface Loc {
  readonly path: TomlPath;
  readonly label: string;
}

export const ROOT: Loc = { path: [], label: "" };

export const tableLoc = (table: string): Loc => ({ path: [table], label: `[${table}]` });

export const keyLoc = (parent: Loc, key: string): Loc => ({
  path: [...parent.path, key],
  label: parent.label === "" ? key : `${parent.label}.${key}`,
});

export const elemLoc = (parent: Loc, index: number): Loc => ({
  path: [...parent.path, index],
  label: `${parent.label}[${index}]`,
});

/** A column of a positional row: found by index, labelled by its schema name. */
export const columnLoc = (row: Loc, index: number, name: string): Loc => ({
  path: [...row.path, index],
  label: `${row.label}.${name}`,
});

export type TomlRecord = Record<string, unknown>;

const isRecord = (v: unknown): v is TomlRecord =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);

/**
 * Reads typed values out of the parsed TOML tree, recording a located problem (and returning
 * undefined) for every value of the wrong shape, so one pass reports everything wrong.
 */
export class Reader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly file: string,
    private readonly locator: TomlLocator,
  ) {}

  report(loc: Loc, message: string): void {
    this.problems.push({
      file: this.file,
      line: this.locator.nearestLine(loc.path),
      field: loc.label,
      message,
    });
  }

  uint(loc: Loc, v: unknown): number | undefined {
    if (typeof v !== "bigint") {
      this.report(loc, `expected an unsigned integer, got ${describeValue(v)}`);
      return undefined;
    }
    const n = toUint(v);
    if (typeof n === "string") {
      this.report(loc, n);
      return undefined;
    }
    return n;
  }

  string(loc: Loc, v: unknown): string | undefined {
    if (typeof v !== "string") {
      this.report(loc, `expected a string, got ${describeValue(v)}`);
      return undefined;
    }
    return v;
  }

  array(loc: Loc, v: unknown): unknown[] | undefined {
    if (!Array.isArray(v)) {
      this.report(loc, `expected an array, got ${describeValue(v)}`);
      return undefined;
    }
    return v;
  }

  uintArray(loc: Loc, v: unknown): number[] | undefined {
    const items = this.array(loc, v);
    if (items === undefined) return undefined;
    const out: number[] = [];
    let ok = true;
    items.forEach((item, i) => {
      const n = this.uint(elemLoc(loc, i), item);
      if (n === undefined) ok = false;
      else out.push(n);
    });
    return ok ? out : undefined;
  }

  /**
   * The table at `loc`, after reporting every key that is not one of `fields` (with the closest
   * known name, or the table the key belongs to when it was written in the wrong one).
   */
  table(loc: Loc, v: unknown, fields: readonly string[]): TomlRecord | undefined {
    if (!isRecord(v)) {
      this.report(loc, `expected a table, got ${describeValue(v)}`);
      return undefined;
    }
    for (const key of Object.keys(v)) {
      if (fields.includes(key)) continue;
      const home = tableOfField(key);
      const guess = didYouMean(key, fields);
      const hint =
        home !== undefined
          ? `; it belongs in [${home}]`
          : guess !== undefined
            ? `; did you mean "${guess}"?`
            : ` (known fields: ${fields.join(", ")})`;
      this.report(keyLoc(loc, key), `unknown field${hint}`);
    }
    return v;
  }

  /** A required field: reports it missing at its table's header line. */
  required<T>(
    table: TomlRecord,
    loc: Loc,
    key: string,
    read: (l: Loc, v: unknown) => T | undefined,
  ): T | undefined {
    const l = keyLoc(loc, key);
    if (!(key in table)) {
      this.report(l, "missing required field");
      return undefined;
    }
    return read(l, table[key]);
  }

  optional<T>(
    table: TomlRecord,
    loc: Loc,
    key: string,
    read: (l: Loc, v: unknown) => T | undefined,
  ): T | undefined {
    return key in table ? read(keyLoc(loc, key), table[key]) : undefined;
  }

  /** A positional row with `min`..`max` columns (AxVisor lets trailing defaulted ones go). */
  row(
    loc: Loc,
    v: unknown,
    columns: readonly string[],
    min: number,
    hint = "",
  ): unknown[] | undefined {
    const items = this.array(loc, v);
    if (items === undefined) return undefined;
    if (items.length < min || items.length > columns.length) {
      const want = min === columns.length ? `${min}` : `${min} to ${columns.length}`;
      this.report(
        loc,
        `expected ${want} values [${columns.join(", ")}], got ${items.length}${hint}`,
      );
      return undefined;
    }
    return items;
  }
}
