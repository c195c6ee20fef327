import { describe, expect, it } from "vitest";
import { LineEditor } from "./line-editor.js";
import { tokenize } from "./tokenize.js";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("tokenize", () => {
  it("splits on blanks and honours quotes and backslashes", () => {
    expect(tokenize("  vm   start 1 2 ")).toEqual(["vm", "start", "1", "2"]);
    expect(tokenize(`vm create "my vm.toml" 'it''s' a\\ b ""`)).toEqual([
      "vm",
      "create",
      "my vm.toml",
      "its",
      "a b",
      "",
    ]);
    expect(tokenize(`echo "a \\"q\\" b" 'x\\y'`)).toEqual(["echo", 'a "q" b', "x\\y"]);
    expect(() => tokenize("vm create 'x")).toThrow("unterminated single quote");
  });
});

describe("LineEditor", () => {
  it("echoes typing, erases with backspace and completes lines on Enter", () => {
    const echo: string[] = [];
    const e = new LineEditor((t) => echo.push(t));
    expect(e.feed(bytes("vm lisx\x7ft"))).toEqual([]);
    expect(e.line).toBe("vm list");
    expect(e.feed(bytes("\r"))).toEqual(["vm list"]);
    expect(echo.join("")).toBe("vm lisx\b \bt\r\n");
  });

  it("recalls history with the arrow keys, drops repeats, clears with Ctrl-U and Ctrl-C", () => {
    const e = new LineEditor(() => {});
    e.feed(bytes("help\rhelp\rvm list\r"));
    e.feed(bytes("\x1b[A"));
    expect(e.line).toBe("vm list");
    e.feed(bytes("\x1b[A\x1b[A"));
    expect(e.line).toBe("help");
    e.feed(bytes("\x1b[B"));
    expect(e.line).toBe("vm list");
    e.feed(bytes("\x1b[B"));
    expect(e.line).toBe("");
    e.feed(bytes("abc\x15"));
    expect(e.line).toBe("");
    expect(e.feed(bytes("xyz\x03"))).toEqual([""]);
    expect(e.line).toBe("");
    // Cursor keys inside the line are ignored rather than typed.
    e.feed(bytes("ab\x1b[D\x1b[Cc"));
    expect(e.line).toBe("abc");
  });

  it("turns Ctrl-D on an empty line into exit", () => {
    const e = new LineEditor(() => {});
    expect(e.feed(bytes("x\x04"))).toEqual([]);
    expect(e.feed(bytes("\x7f\x04"))).toEqual(["exit"]);
  });
});
