import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { TomlLocator } from "./toml-locator.js";

const DOC = `# leading comment
title = "x" # trailing

[base]
id = 1
name = "a # not a comment [not] = header"
"quoted key" = 2
dotted.inner = 3

[kernel]
memory_regions = [
  [0x8000_0000, 0x100_0000, 0x7, 0], # first
  # a comment line with ] and [
  [
    0x9000_0000,
    0x1000,
    0xf,
    2,
  ],
]
cmdline = """
multi
line "" with ] and [
"""
literal = '''
x'''
after = 5

[devices]
emu_devices = [["uart", 0x1000_0000, 0x1000, 10, 2, []], ["plic", 0xc00_0000, 0x60_0000, 0, 0x30, [2]]]
inline = { a = 1, b = [1,
  2] }

[[vm]]
n = 1
[[vm]]
n = 2
`;

describe("TomlLocator", () => {
  // The fixture must be valid TOML: the locator only runs on documents smol-toml accepted.
  it("runs on a document smol-toml accepts", () => {
    expect(() => parse(DOC)).not.toThrow();
  });

  const loc = new TomlLocator(DOC);
  const cases: [string, (string | number)[], number][] = [
    ["root key", ["title"], 2],
    ["table header", ["base"], 4],
    ["key in table", ["base", "id"], 5],
    ["key after a string holding # and [", ["base", "name"], 6],
    ["quoted key", ["base", "quoted key"], 7],
    ["dotted key", ["base", "dotted", "inner"], 8],
    ["dotted key prefix", ["base", "dotted"], 8],
    ["array key", ["kernel", "memory_regions"], 11],
    ["first row", ["kernel", "memory_regions", 0], 12],
    ["field of first row", ["kernel", "memory_regions", 0, 3], 12],
    ["second row after a comment holding brackets", ["kernel", "memory_regions", 1], 14],
    ["field of a multi-line row", ["kernel", "memory_regions", 1, 2], 17],
    ["multi-line basic string", ["kernel", "cmdline"], 21],
    ["key after a multi-line string", ["kernel", "literal"], 25],
    ["key after a multi-line literal string", ["kernel", "after"], 27],
    ["second row on one line", ["devices", "emu_devices", 1], 30],
    ["nested cfg list", ["devices", "emu_devices", 1, 5, 0], 30],
    ["inline table key", ["devices", "inline", "b"], 31],
    ["inline table array element on the next line", ["devices", "inline", "b", 1], 32],
    ["array of tables, second entry", ["vm", 1, "n"], 37],
  ];
  for (const [what, path, line] of cases) {
    it(`finds the ${what}`, () => {
      expect(loc.lineOf(path)).toBe(line);
    });
  }

  it("reports the nearest existing ancestor for a missing key", () => {
    expect(loc.lineOf(["kernel", "entry_point"])).toBeUndefined();
    expect(loc.nearestLine(["kernel", "entry_point"])).toBe(10);
    expect(loc.nearestLine(["nothing", "here"])).toBe(1);
  });

  it("counts CRLF line endings like LF", () => {
    const crlf = new TomlLocator("a = 1\r\n\r\n[t]\r\nb = [\r\n 1,\r\n 2]\r\n");
    expect(crlf.lineOf(["t", "b", 1])).toBe(6);
  });
});
