import { describe, expect, it } from "vitest";
import { parseChildOutput, runInChild } from "./child-process.js";
import { RESULT_PREFIX } from "./job.js";

const exited = { code: 0, signal: null, killedForTime: false, hardTimeoutMs: 1000 };
const job = { kind: "vmm-start", count: 1, timeoutMs: 1000 } as const;

describe("parseChildOutput", () => {
  it("takes the last result line, ignoring other output", () => {
    const out = `noise\n${RESULT_PREFIX}{"ok":false,"why":"old"}\n${RESULT_PREFIX}{"ok":true,"figures":{"ms":12.5}}\n`;
    expect(parseChildOutput(out, "", exited)).toEqual({ ok: true, figures: { ms: 12.5 } });
  });

  it("passes a failure through", () => {
    const out = `${RESULT_PREFIX}{"ok":false,"why":"timeout after 150 s (no GUEST-INIT-OK)"}\n`;
    expect(parseChildOutput(out, "", exited)).toEqual({
      ok: false,
      why: "timeout after 150 s (no GUEST-INIT-OK)",
    });
  });

  it("reports a garbled result line", () => {
    const r = parseChildOutput(`${RESULT_PREFIX}{"ok":tru\n`, "", exited);
    expect(r).toEqual({
      ok: false,
      why: expect.stringMatching(/^unreadable result from the child/),
    });
    const wrongShape = parseChildOutput(`${RESULT_PREFIX}{"ok":true}\n`, "", exited);
    expect(wrongShape.ok).toBe(false);
  });

  it("reports a crash with the end of stderr, and a kill for time", () => {
    const crash = parseChildOutput("", "line1\nline2\nline3\nRangeError: Invalid array length\n", {
      ...exited,
      code: 1,
    });
    expect(crash).toEqual({
      ok: false,
      why: "child exited with status 1: line2 | line3 | RangeError: Invalid array length",
    });
    const killed = parseChildOutput("", "", {
      code: null,
      signal: "SIGKILL",
      killedForTime: true,
      hardTimeoutMs: 90_000,
    });
    expect(killed).toEqual({ ok: false, why: "timeout after 90 s (child killed)" });
    const oom = parseChildOutput("", "", {
      code: null,
      signal: "SIGABRT",
      killedForTime: false,
      hardTimeoutMs: 1,
    });
    expect(oom).toEqual({ ok: false, why: "child killed by SIGABRT without a result" });
  });
});

describe("runInChild", () => {
  const node = process.execPath;

  it("hands the job to the child and reads its result", async () => {
    const script = `const j = JSON.parse(process.argv[1]); console.log("hello"); console.log(${JSON.stringify(RESULT_PREFIX)} + JSON.stringify({ ok: true, figures: { count: j.count, env: Number(process.env.AXVISOR_JIT) } }))`;
    const r = await runInChild(job, {
      hardTimeoutMs: 10_000,
      env: { AXVISOR_JIT: "0" },
      command: [node, "-e", script],
    });
    expect(r).toEqual({ ok: true, figures: { count: 1, env: 0 } });
  });

  it("kills a child that hangs and says so", async () => {
    const r = await runInChild(job, {
      hardTimeoutMs: 300,
      command: [node, "-e", "setInterval(() => {}, 1000)"],
    });
    expect(r).toEqual({ ok: false, why: "timeout after 0.3 s (child killed)" });
  });

  it("reports a child that cannot be started", async () => {
    const r = await runInChild(job, {
      hardTimeoutMs: 1000,
      command: ["/nonexistent/axvisor-bench-child"],
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.why).toMatch(/^cannot start the child: .*ENOENT/);
  });
});
