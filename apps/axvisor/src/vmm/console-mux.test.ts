import { describe, expect, it } from "vitest";
import { ConsoleMux } from "./console-mux.js";
import { VmmLog } from "./vmm-log.js";

function mux(raw = false) {
  const out: string[] = [];
  const err: string[] = [];
  const dec = new TextDecoder();
  const m = new ConsoleMux({
    out: { write: (d) => out.push(typeof d === "string" ? d : dec.decode(d)) },
    err: { write: (d) => err.push(typeof d === "string" ? d : dec.decode(d)) },
    raw,
  });
  return { m, out: () => out.join(""), err: () => err.join("") };
}
const b = (s: string) => new TextEncoder().encode(s);

describe("ConsoleMux", () => {
  it("passes one VM's output through unchanged", () => {
    const t = mux();
    t.m.guest("vm1 a", b("hello\r\nwor"));
    t.m.guest("vm1 a", b("ld\r\n"));
    expect(t.out()).toBe("hello\r\nworld\r\n");
  });

  it("labels every line of several VMs and ends a line another VM interrupted", () => {
    const t = mux();
    t.m.labelled = true;
    const shown = new TextDecoder().decode(t.m.guest("vm1 a", b("one\r\ntw")));
    expect(shown).toBe("[vm1 a] one\r\n[vm1 a] tw");
    t.m.guest("vm2 b", b("x\n"));
    t.m.guest("vm1 a", b("o\n"));
    expect(t.out()).toBe("[vm1 a] one\r\n[vm1 a] tw\r\n[vm2 b] x\n[vm1 a] o\n");
  });

  it("starts shell answers on a fresh line and labels the guest's next line again", () => {
    const t = mux();
    t.m.labelled = true;
    t.m.guest("vm1 a", b("demo> "));
    t.m.answer("VM 1 stopped\n");
    t.m.guest("vm1 a", b("more\n"));
    expect(t.out()).toBe("[vm1 a] demo> \nVM 1 stopped\n[vm1 a] more\n");
  });

  it("holds guest output while the shell has the terminal and shows it afterwards", () => {
    const t = mux();
    t.m.hold();
    t.m.guest("vm1 a", b("later"));
    t.m.print("axvisor:$ ");
    expect(t.out()).toBe("axvisor:$ ");
    t.m.release();
    expect(t.out()).toBe("axvisor:$ later");
  });

  it("ends lines with CR LF on a raw terminal and starts a log line on a fresh line", () => {
    const t = mux(true);
    t.m.guest("vm1 a", b("prompt> "));
    t.m.line("[log] one\ntwo");
    expect(t.err()).toBe("\r\n[log] one\r\ntwo\r\n");
    t.m.print("a\nb\n");
    expect(t.out()).toBe("prompt> a\r\nb\r\n");
  });
});

describe("VmmLog", () => {
  it("prints AxVisor's format: uptime, pCPU:VM, level, target; and filters by level", () => {
    const lines: string[] = [];
    const log = new VmmLog({ level: "info", sink: (l) => lines.push(l), uptime: () => 1.2345678 });
    log.setContext({ cpu: () => 1, vm: () => 2 });
    log.log("info", "axvisor::vmm", "VM 2 started");
    log.log("debug", "axvm", "hidden");
    log.log("error", "axvm", "two\nlines");
    expect(lines).toEqual([
      "[  1.234568 1:2 INFO  axvisor::vmm] VM 2 started",
      "[  1.234568 1:2 ERROR axvm] two",
      "[  1.234568 1:2 ERROR axvm] lines",
    ]);
  });
});
