import { describe, expect, it } from "vitest";
import { describeOutcome, ExitStatus, exitStatusFor } from "./exit-status.js";

describe("exit statuses", () => {
  const off = (success: boolean, code = success ? 0 : 3) =>
    ({ kind: "poweroff", success, code, source: "finisher" }) as const;

  it("maps outcomes to the documented codes", () => {
    expect(exitStatusFor({ kind: "expect-matched" }, true)).toBe(0);
    expect(exitStatusFor(off(true), false)).toBe(0);
    expect(exitStatusFor(off(false), false)).toBe(1);
    expect(exitStatusFor({ kind: "host-error", message: "x" }, false)).toBe(2);
    expect(exitStatusFor({ kind: "timeout", seconds: 1 }, true)).toBe(3);
    expect(exitStatusFor({ kind: "timeout", seconds: 1 }, false)).toBe(3);
    expect(exitStatusFor(off(true), true)).toBe(4);
    expect(exitStatusFor(off(false), true)).toBe(4);
    expect(exitStatusFor({ kind: "quit" }, false)).toBe(0);
    expect(ExitStatus).toEqual({
      Success: 0,
      GuestFailure: 1,
      HostError: 2,
      Timeout: 3,
      PoweredOffBeforeExpect: 4,
      Interrupted: 130,
      Terminated: 143,
    });
  });

  it("a signal is 128 + its number, with a one-line note that the disks were flushed", () => {
    expect(exitStatusFor({ kind: "signal", signal: "SIGINT" }, false)).toBe(130);
    expect(exitStatusFor({ kind: "signal", signal: "SIGTERM" }, true)).toBe(143);
    expect(describeOutcome({ kind: "signal", signal: "SIGTERM" }, false)).toBe(
      "SIGTERM: VMs stopped, disks flushed and closed",
    );
  });

  it("explains the failures on one line", () => {
    expect(describeOutcome(off(false, 5), false)).toBe(
      "guest reported failure through finisher: code 5",
    );
    expect(describeOutcome(off(true), true)).toMatch(/before --expect matched/);
    expect(describeOutcome({ kind: "timeout", seconds: 2 }, false)).toBe("timeout: 2 s expired");
    expect(describeOutcome(off(true), false)).toBeUndefined();
  });
});
