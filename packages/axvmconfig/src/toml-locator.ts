/**
 * smol-toml returns plain values without source positions, so error messages find their line
 * by scanning the source text once and recording where every key, table header and array
 * element starts. The scanner only ever runs on text smol-toml has already accepted, so it can
 * be forgiving: it tracks structure (tables, keys, arrays, inline tables, strings, comments)
 * and never judges validity.
 */
export type TomlPath = readonly (string | number)[];

export class TomlLocator {
  private readonly lines = new Map<string, number>();

  constructor(source: string) {
    new Scanner(source, (path, line) => {
      const key = pathKey(path);
      if (!this.lines.has(key)) this.lines.set(key, line);
    }).scanDocument();
  }

  /** The 1-based line where the value (or table header) at `path` starts, if it exists. */
  lineOf(path: TomlPath): number | undefined {
    return this.lines.get(pathKey(path));
  }

  /**
   * The line of `path`, or of its nearest recorded ancestor (a missing key reports the line of
   * its table header); 1 when nothing of the path exists.
   */
  nearestLine(path: TomlPath): number {
    for (let n = path.length; n > 0; n--) {
      const line = this.lines.get(pathKey(path.slice(0, n)));
      if (line !== undefined) return line;
    }
    return 1;
  }
}

const pathKey = (path: TomlPath): string => JSON.stringify(path);

const BARE_KEY = /[A-Za-z0-9_-]/;

class Scanner {
  private pos = 0;
  private line = 1;
  private readonly arrayTableCounts = new Map<string, number>();

  constructor(
    private readonly s: string,
    private readonly record: (path: TomlPath, line: number) => void,
  ) {}

  scanDocument(): void {
    let table: (string | number)[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.pos >= this.s.length) return;
      const headerLine = this.line;
      if (this.s.startsWith("[[", this.pos)) {
        this.pos += 2;
        const keys = this.readKeyPath("]");
        this.pos += 2; // "]]"
        const k = pathKey(keys);
        const index = this.arrayTableCounts.get(k) ?? 0;
        this.arrayTableCounts.set(k, index + 1);
        table = [...keys, index];
        this.record(keys, headerLine);
        this.record(table, headerLine);
      } else if (this.s[this.pos] === "[") {
        this.pos += 1;
        const keys = this.readKeyPath("]");
        this.pos += 1;
        table = keys;
        this.record(table, headerLine);
      } else {
        this.scanKeyValue(table);
      }
    }
  }

  /** `key = value` inside `table`; records the key path with the line the key is on. */
  private scanKeyValue(table: readonly (string | number)[]): void {
    const keyLine = this.line;
    const keys = this.readKeyPath("=");
    // Dotted keys create intermediate tables: record each prefix so they can be located.
    for (let n = 1; n < keys.length; n++) this.record([...table, ...keys.slice(0, n)], keyLine);
    this.pos += 1; // "="
    this.skipBlank(false);
    this.scanValue([...table, ...keys]);
  }

  private scanValue(path: readonly (string | number)[]): void {
    this.record(path, this.line);
    const c = this.s[this.pos];
    if (this.s.startsWith('"""', this.pos)) this.skipMultilineString('"""');
    else if (this.s.startsWith("'''", this.pos)) this.skipMultilineString("'''");
    else if (c === '"' || c === "'") this.skipString(c);
    else if (c === "[") this.scanArray(path);
    else if (c === "{") this.scanInlineTable(path);
    else {
      while (this.pos < this.s.length && !",]}#\r\n".includes(this.s[this.pos] as string)) {
        this.pos += 1;
      }
    }
  }

  private scanArray(path: readonly (string | number)[]): void {
    this.pos += 1; // "["
    for (let index = 0; ; index++) {
      this.skipBlank(true);
      if (this.pos >= this.s.length || this.s[this.pos] === "]") break;
      this.scanValue([...path, index]);
      this.skipBlank(true);
      if (this.s[this.pos] === ",") this.pos += 1;
    }
    this.pos += 1; // "]"
  }

  private scanInlineTable(path: readonly (string | number)[]): void {
    this.pos += 1; // "{"
    for (;;) {
      this.skipBlank(true);
      if (this.pos >= this.s.length || this.s[this.pos] === "}") break;
      this.scanKeyValue(path);
      this.skipBlank(true);
      if (this.s[this.pos] === ",") this.pos += 1;
    }
    this.pos += 1; // "}"
  }

  /** Reads `a.b."c d"` up to (not including) the terminator character. */
  private readKeyPath(terminator: string): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipBlank(false);
      const c = this.s[this.pos];
      if (c === '"' || c === "'") {
        const start = this.pos;
        this.skipString(c);
        keys.push(unquoteKey(this.s.slice(start, this.pos)));
      } else {
        const start = this.pos;
        while (this.pos < this.s.length && BARE_KEY.test(this.s[this.pos] as string)) this.pos += 1;
        keys.push(this.s.slice(start, this.pos));
      }
      this.skipBlank(false);
      if (this.s[this.pos] === ".") {
        this.pos += 1;
        continue;
      }
      if (this.pos >= this.s.length || this.s[this.pos] === terminator) return keys;
      // Not valid TOML (cannot happen after smol-toml accepted it); stop scanning this line.
      this.pos += 1;
      return keys;
    }
  }

  private skipString(quote: string): void {
    this.pos += 1;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === "\\" && quote === '"') {
        this.pos += 2;
        continue;
      }
      this.pos += 1;
      if (c === quote) return;
      if (c === "\n") {
        this.line += 1;
        return;
      }
    }
  }

  private skipMultilineString(delimiter: string): void {
    this.pos += 3;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === "\\" && delimiter === '"""') {
        if (this.s[this.pos + 1] === "\n") this.line += 1;
        this.pos += 2;
        continue;
      }
      if (this.s.startsWith(delimiter, this.pos)) {
        this.pos += 3;
        // Up to two quotes directly before the closing delimiter belong to the string.
        for (let extra = 0; extra < 2 && this.s[this.pos] === delimiter[0]; extra++) this.pos += 1;
        return;
      }
      if (c === "\n") this.line += 1;
      this.pos += 1;
    }
  }

  /** Skips spaces, tabs, comments and (when `newlines`) line breaks. */
  private skipBlank(newlines: boolean): void {
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === " " || c === "\t" || c === "\r") this.pos += 1;
      else if (c === "#") {
        while (this.pos < this.s.length && this.s[this.pos] !== "\n") this.pos += 1;
      } else if (c === "\n" && newlines) {
        this.pos += 1;
        this.line += 1;
      } else return;
    }
  }
}

function unquoteKey(quoted: string): string {
  const body = quoted.slice(1, -1);
  if (quoted.startsWith("'")) return body;
  return body.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, esc: string) => {
    switch (esc[0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "u":
      case "U":
        return String.fromCodePoint(Number.parseInt(esc.slice(1), 16));
      default:
        return esc;
    }
  });
}
