/**
 * The snapshot container refuses, with one line naming the problem, a file that is not a
 * snapshot, one of another format version, a corrupt one and one of another architecture.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_VERSION } from "./snapshot-file.js";

const sample = () =>
  encodeSnapshot("riscv64", [
    { name: "meta", data: new TextEncoder().encode('{"platform":"riscv64-qemu-virt"}') },
    { name: "ram", data: new Uint8Array(64 << 10).fill(7, 100, 200), compress: true },
  ]);

/** Rewrites the trailing SHA-256 so only the edited field is wrong. */
function resealed(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const body = out.subarray(0, out.length - 32);
  out.set(createHash("sha256").update(body).digest(), out.length - 32);
  return out;
}

function refusal(bytes: Uint8Array, arch: "riscv64" | "aarch64" = "riscv64"): string {
  try {
    decodeSnapshot(bytes, arch, "vm.snap");
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the snapshot was accepted");
}

describe("snapshot file container", () => {
  it("round-trips sections (RAM deflated) and is deterministic", () => {
    const a = sample();
    expect(Buffer.compare(Buffer.from(a), Buffer.from(sample()))).toBe(0);
    expect(a.length).toBeLessThan(4096); // 64 KiB of mostly zeros, compressed
    const d = decodeSnapshot(a, "riscv64", "vm.snap");
    expect(d.version).toBe(SNAPSHOT_VERSION);
    expect(d.arch).toBe("riscv64");
    expect(d.sections.get("ram")?.[150]).toBe(7);
    expect(d.sections.get("ram")?.length).toBe(64 << 10);
  });

  it("refuses a file that is not a snapshot", () => {
    const msg = refusal(new TextEncoder().encode("[base]\nid = 1\n".repeat(8)));
    expect(msg).toBe("snapshot vm.snap is not an AxVisor snapshot (no AXVSNAP header)");
  });

  it("refuses another format version", () => {
    const bytes = sample();
    new DataView(bytes.buffer).setUint32(8, SNAPSHOT_VERSION + 1, true);
    expect(refusal(resealed(bytes))).toBe(
      `snapshot vm.snap has format version ${SNAPSHOT_VERSION + 1}; this axvisor reads version ${SNAPSHOT_VERSION}`,
    );
  });

  it("refuses a corrupt file (checksum), whether a byte flipped or the file was cut short", () => {
    const flipped = sample();
    flipped[flipped.length - 100]! ^= 0x40;
    const expected =
      "snapshot vm.snap is corrupt: its SHA-256 checksum does not match its contents";
    expect(refusal(flipped)).toBe(expected);
    expect(refusal(sample().subarray(0, 300))).toBe(expected);
  });

  it("refuses a snapshot of another architecture", () => {
    expect(refusal(sample(), "aarch64")).toBe(
      "snapshot vm.snap holds a riscv64 VM; this host is aarch64 and restores only aarch64 VMs",
    );
  });

  it("refuses a section table that points outside the file even with a valid checksum", () => {
    const bytes = sample();
    new DataView(bytes.buffer).setBigUint64(32 + 24, 1n << 40n, true);
    expect(refusal(resealed(bytes))).toBe(
      'snapshot vm.snap is corrupt: section "meta" lies outside the file',
    );
  });
});
