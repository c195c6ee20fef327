import { describe, expect, it } from "vitest";
import { ExpectEngine, unescapeText } from "./expect-engine.js";

function engine(script: ConstructorParameters<typeof ExpectEngine>[0]) {
  const sent: string[] = [];
  const e = new ExpectEngine(script, (t) => sent.push(t));
  let matches = 0;
  e.onMatch(() => matches++);
  return { e, sent, matches: () => matches };
}

const enc = (s: string) => new TextEncoder().encode(s);

describe("ExpectEngine", () => {
  it("types each send-after text once its pattern appears, in order", () => {
    const { e, sent } = engine({
      sendAfter: [
        { pattern: /login: /, text: "root\n" },
        { pattern: /# /, text: "ls\n" },
      ],
    });
    e.feed("Welcome\n# "); // the second pattern first: nothing may fire out of order
    expect(sent).toEqual([]);
    e.feed("login: ");
    expect(sent).toEqual(["root\n"]);
    e.feed("root\nLast login\n");
    expect(sent).toEqual(["root\n"]);
    e.feed("# ");
    expect(sent).toEqual(["root\n", "ls\n"]);
    expect(e.pendingSteps).toBe(0);
  });

  it("matches patterns split across chunks and multi-byte UTF-8 split across chunks", () => {
    const { e, matches } = engine({ expect: /SHELL-42 ✓/, sendAfter: [] });
    const bytes = enc("xx SHELL-4");
    e.feed(bytes);
    const tail = enc("2 ✓");
    e.feed(tail.subarray(0, tail.length - 1));
    expect(matches()).toBe(0);
    e.feed(tail.subarray(tail.length - 1));
    expect(matches()).toBe(1);
    expect(e.matched).toBe(true);
  });

  it("checks expect only after the last send-after fired, in output after its match", () => {
    const { e, sent, matches } = engine({
      expect: /DONE/,
      sendAfter: [{ pattern: /READY/, text: "go\n" }],
    });
    e.feed("DONE too early\n");
    expect(matches()).toBe(0);
    e.feed("READY\n");
    expect(sent).toEqual(["go\n"]);
    expect(matches()).toBe(0); // the earlier DONE does not count
    e.feed("DONE\n");
    expect(matches()).toBe(1);
    e.feed("DONE again\n");
    expect(matches()).toBe(1);
  });

  it("can fire several steps from one chunk", () => {
    const { e, sent } = engine({
      sendAfter: [
        { pattern: /a/, text: "1" },
        { pattern: /b/, text: "2" },
      ],
    });
    e.feed("ab");
    expect(sent).toEqual(["1", "2"]);
    e.feed("ab");
    expect(sent).toEqual(["1", "2"]);
  });
});

describe("ExpectEngine.start", () => {
  it("fires steps whose pattern matches before any output", () => {
    const { e, sent } = engine({
      sendAfter: [
        { pattern: /^/, text: "now" },
        { pattern: /x/, text: "later" },
      ],
    });
    e.start();
    expect(sent).toEqual(["now"]);
  });
});

describe("unescapeText", () => {
  it("understands the escapes users type", () => {
    expect(unescapeText("a\\nb\\r\\t\\e\\x41\\\\\\q")).toBe("a\nb\r\t\x1bA\\q");
  });
});
