import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AxError } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import {
  BoardConfigError,
  defaultBoardConfig,
  KNOWN_PLATFORMS,
  loadBoardConfig,
  parseBoardConfig,
} from "./board-config.js";

const SHIPPED = fileURLToPath(
  new URL("../../../../configs/board/riscv64-qemu-virt.toml", import.meta.url),
);

function problemsOf(text: string): string[] {
  try {
    parseBoardConfig(text, { file: "b.toml" });
  } catch (e) {
    expect(e).toBeInstanceOf(BoardConfigError);
    return (e as Error).message.split("\n");
  }
  throw new Error("expected the board config to be refused");
}

describe("board config", () => {
  it("has defaults that need no file", () => {
    expect(loadBoardConfig()).toEqual({
      platform: "riscv64-qemu-virt",
      platformGiven: false,
      cpuNum: 2,
      memorySize: 1024 * 1024 * 1024,
      logLevel: "warn",
      vmConfigs: [],
      ignoredFields: [],
    });
    expect(parseBoardConfig("")).toEqual(defaultBoardConfig());
  });

  it("ships configs/board/riscv64-qemu-virt.toml with exactly those defaults", () => {
    const shipped = loadBoardConfig(SHIPPED);
    const { source, ...rest } = shipped;
    expect(source).toBe(SHIPPED);
    expect(rest).toEqual({ ...defaultBoardConfig(), platformGiven: true });
  });

  it("reads every field, sizes as text or bytes, AxVisor's smp and log spelling", () => {
    const dir = mkdtempSync(join(tmpdir(), "board-"));
    const path = join(dir, "board.toml");
    writeFileSync(
      path,
      `platform = "riscv64-qemu-virt"
smp = 4
memory = "512M"
log = "Info"
vm_configs = ["vms/a.toml", "/abs/b.toml"]
target = "riscv64gc-unknown-none-elf"
features = ["fs"]
`,
    );
    expect(loadBoardConfig(path)).toEqual({
      platform: "riscv64-qemu-virt",
      platformGiven: true,
      cpuNum: 4,
      memorySize: 512 * 1024 * 1024,
      logLevel: "info",
      vmConfigs: [join(dir, "vms/a.toml"), "/abs/b.toml"],
      ignoredFields: ["target", "features"],
      source: path,
    });
    expect(parseBoardConfig("memory = 0x400_0000").memorySize).toBe(64 * 1024 * 1024);
    expect(parseBoardConfig('log = "WARNING"').logLevel).toBe("warn");
  });

  it("names an unknown platform and lists the known ones", () => {
    expect(problemsOf('\nplatform = "mips-malta"')).toEqual([
      `b.toml:2: platform: unknown platform "mips-malta"; known platforms: ${KNOWN_PLATFORMS.join(", ")}`,
    ]);
  });

  it("reports every bad field with its line", () => {
    expect(
      problemsOf(`cpu_num = 9
memory = "12M"
log = "loud"
vm_configs = "a.toml"
colour = "blue"
`),
    ).toEqual([
      "b.toml:1: cpu_num: the riscv64-qemu-virt board has 1..8 CPUs, got 9",
      'b.toml:2: memory: must be a multiple of 4 KiB from 16 MiB to 4 GiB, got "12M"',
      'b.toml:3: log: unknown log level "loud"; use one of error, warn, info, debug, trace',
      'b.toml:4: vm_configs: expected an array of file paths, got "a.toml"',
      "b.toml:5: colour: unknown field; a board file has platform, cpu_num, memory, log, vm_configs",
    ]);
    expect(problemsOf('memory = "lots"')).toEqual([
      'b.toml:1: memory: expected a size like "1G", "512M" or a byte count, got "lots"',
    ]);
    expect(problemsOf("cpu_num = 2\nsmp = 2")).toEqual([
      "b.toml:2: smp: give cpu_num or AxVisor's smp, not both",
    ]);
  });

  it("points at TOML syntax errors", () => {
    const [line] = problemsOf("cpu_num = 2\nmemory = \n");
    expect(line).toMatch(/^b\.toml:2:\d+: /);
  });

  it("names a missing file", () => {
    try {
      loadBoardConfig("/nonexistent/board.toml");
      throw new Error("expected an error");
    } catch (e) {
      expect(e).toBeInstanceOf(AxError);
      expect((e as AxError).kind).toBe("NotFound");
      expect((e as Error).message).toBe(
        "cannot read the board config /nonexistent/board.toml: no such file",
      );
    }
  });
});
