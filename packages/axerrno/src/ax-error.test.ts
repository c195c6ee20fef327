import { describe, expect, it } from "vitest";
import { AxError, axErr } from "./ax-error.js";
import { err, ok, tryAx, unwrap } from "./result.js";

describe("AxError", () => {
  it("carries its kind, errno and a default message", () => {
    const e = axErr("NoMemory");
    expect(e).toBeInstanceOf(Error);
    expect(e.kind).toBe("NoMemory");
    expect(e.errno).toBe(12);
    expect(e.message).toBe("Out of memory");
    expect(AxError.is(e, "NoMemory")).toBe(true);
    expect(AxError.is(e, "NotFound")).toBe(false);
  });

  it("keeps a specific message and cause", () => {
    const cause = new Error("disk gone");
    const e = axErr("Io", "cannot read kernel image", cause);
    expect(e.message).toBe("cannot read kernel image");
    expect(e.cause).toBe(cause);
  });
});

describe("AxResult", () => {
  it("unwraps values and throws errors", () => {
    expect(unwrap(ok(42))).toBe(42);
    expect(() => unwrap(err("BadAddress", "GPA 0x0 is unmapped"))).toThrow("GPA 0x0 is unmapped");
  });

  it("turns thrown AxErrors into values but lets other exceptions through", () => {
    const r = tryAx(() => {
      throw axErr("Unsupported");
    });
    expect(r.ok).toBe(false);
    expect(() =>
      tryAx(() => {
        throw new TypeError("bug");
      }),
    ).toThrow(TypeError);
  });
});
