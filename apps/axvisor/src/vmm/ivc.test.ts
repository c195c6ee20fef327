import { IvcChannelAllocator } from "@axvisor/axdevice";
import { err, OK_VOID, ok } from "@axvisor/axerrno";
import { RamHostMemory } from "@axvisor/axvisor-api";
import { gpa, hpa, MappingFlags } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { executeHypercall, HyperCallCode, type HypercallVm } from "./hypercall.js";
import { IvcChannels } from "./ivc.js";

/** A VM as the hypercalls see it: an IVC window, a mapping log and 64 KiB of RAM at 0x8000_0000. */
function fakeVm(id: number, ivcWindow = true) {
  const alloc = new IvcChannelAllocator();
  if (ivcWindow) alloc.addPool(gpa(0x9000_0000), 0x10_0000, "ivc");
  const ram = new Uint8Array(0x1_0000);
  const maps = new Map<number, { hpa: number; size: number; flags: number }>();
  const inRam = (at: number, len: number) => at >= 0x8000_0000 && at + len <= 0x8001_0000;
  const vm: HypercallVm = {
    id,
    allocIvcChannel: (size) => alloc.alloc(size),
    releaseIvcChannel: (base, size) => alloc.release(base, size),
    mapRegion: (at, h, size, flags) => {
      maps.set(at, { hpa: h, size, flags });
    },
    unmapRegion: (at) => {
      maps.delete(at);
    },
    readGuest: (at, len) =>
      inRam(at, len) ? ok(ram.slice(at - 0x8000_0000, at - 0x8000_0000 + len)) : err("BadAddress"),
    writeGuest: (at, data) => {
      if (!inRam(at, data.length)) return err("BadAddress");
      ram.set(data, at - 0x8000_0000);
      return OK_VOID;
    },
  };
  const u64 = (at: number) => new DataView(ram.buffer).getBigUint64(at - 0x8000_0000, true);
  const setU64 = (at: number, v: bigint) =>
    new DataView(ram.buffer).setBigUint64(at - 0x8000_0000, v, true);
  return { vm, maps, u64, setU64, alloc };
}

function host() {
  return new RamHostMemory({ ram: new Uint8Array(1 << 20), ramBase: hpa(0x8000_0000) });
}

const BASE_PTR = 0x8000_0100n;
const SIZE_PTR = 0x8000_0108n;
const {
  HIVCPublishChannel: PUB,
  HIVCSubscribChannel: SUB,
  HIVCUnPublishChannel: UNPUB,
  HIVCUnSubscribChannel: UNSUB,
} = HyperCallCode;

describe("IVC hypercalls", () => {
  it("publish maps pages with a {publisher, key} header; subscribe maps the same frames", () => {
    const mem = host();
    const ivc = new IvcChannels(mem);
    const a = fakeVm(1);
    const b = fakeVm(2);
    a.setU64(Number(SIZE_PTR), 5000n);
    expect(executeHypercall(a.vm, ivc, BigInt(PUB), [7n, BASE_PTR, SIZE_PTR])).toEqual({
      value: 0n,
    });
    expect(a.u64(Number(BASE_PTR))).toBe(0x9000_0000n);
    expect(a.u64(Number(SIZE_PTR))).toBe(0x2000n); // 5000 bytes round up to two pages
    const shared = a.maps.get(0x9000_0000)!;
    expect(shared.size).toBe(0x2000);
    expect(shared.flags).toBe(MappingFlags.READ | MappingFlags.WRITE | MappingFlags.USER);
    const header = mem.hostBuffer(hpa(shared.hpa), 16);
    expect(new DataView(header.buffer, header.byteOffset).getBigUint64(0, true)).toBe(1n);
    expect(new DataView(header.buffer, header.byteOffset).getBigUint64(8, true)).toBe(7n);

    expect(executeHypercall(b.vm, ivc, BigInt(SUB), [1n, 7n, BASE_PTR, SIZE_PTR])).toEqual({
      value: 0n,
    });
    expect(b.maps.get(0x9000_0000)?.hpa).toBe(shared.hpa);
    expect(b.u64(Number(SIZE_PTR))).toBe(0x2000n);
    expect(mem.stats().used).toBe(2);

    // The publisher leaves first: the pages stay for the subscriber until it leaves too.
    expect(executeHypercall(a.vm, ivc, BigInt(UNPUB), [7n]).value).toBe(0n);
    expect(a.maps.size).toBe(0);
    expect(mem.stats().used).toBe(2);
    expect(executeHypercall(b.vm, ivc, BigInt(UNSUB), [1n, 7n]).value).toBe(0n);
    expect(mem.stats().used).toBe(0);
    expect(ivc.size).toBe(0);
    expect(a.alloc.allocatedBytes + b.alloc.allocatedBytes).toBe(0);
  });

  it("answers -1 for every call it cannot carry out, with the reason", () => {
    const ivc = new IvcChannels(host());
    const a = fakeVm(1);
    const noWindow = fakeVm(3, false);
    a.setU64(Number(SIZE_PTR), 4096n);
    noWindow.setU64(Number(SIZE_PTR), 4096n);
    const call = (vm: HypercallVm, nr: number, args: bigint[]) =>
      executeHypercall(vm, ivc, BigInt(nr), args);
    expect(call(a.vm, 0, [])).toEqual({ value: -1n, error: "hypercall 0 is not supported" });
    expect(call(a.vm, 99, [])).toEqual({ value: -1n, error: "unknown hypercall 99" });
    expect(call(noWindow.vm, PUB, [1n, BASE_PTR, SIZE_PTR]).error).toBe(
      "this VM has no IVC channel range",
    );
    expect(call(a.vm, PUB, [1n, BASE_PTR, 0x10n]).error).toBe(
      "the size pointer is not guest memory",
    );
    a.setU64(Number(SIZE_PTR), 0n);
    expect(call(a.vm, PUB, [1n, BASE_PTR, SIZE_PTR]).error).toMatch(
      /IVC channel size 0 is not in 1\.\./,
    );
    a.setU64(Number(SIZE_PTR), 4096n);
    // A result pointer outside guest memory: nothing stays published.
    expect(call(a.vm, PUB, [1n, 0x10n, SIZE_PTR]).error).toBe(
      "the result pointers are not guest memory",
    );
    expect(ivc.size).toBe(0);
    expect(call(a.vm, PUB, [1n, BASE_PTR, SIZE_PTR]).value).toBe(0n);
    expect(call(a.vm, PUB, [1n, BASE_PTR, SIZE_PTR]).error).toBe(
      "VM 1 already published channel key 1",
    );
    expect(call(noWindow.vm, SUB, [1n, 2n, BASE_PTR, SIZE_PTR]).error).toBe(
      "no channel key 2 published by VM 1",
    );
    expect(call(noWindow.vm, SUB, [1n, 1n, BASE_PTR, SIZE_PTR]).error).toBe(
      "this VM has no IVC channel range",
    );
    expect(call(noWindow.vm, UNSUB, [1n, 1n]).error).toBe(
      "VM 3 is not subscribed to channel 1 of VM 1",
    );
    expect(call(noWindow.vm, UNPUB, [1n]).error).toBe("VM 3 has not published channel key 1");
  });

  it("withdraws a stopped VM's channels and subscriptions", () => {
    const mem = host();
    const ivc = new IvcChannels(mem);
    const a = fakeVm(1);
    const b = fakeVm(2);
    a.setU64(Number(SIZE_PTR), 4096n);
    executeHypercall(a.vm, ivc, BigInt(PUB), [5n, BASE_PTR, SIZE_PTR]);
    executeHypercall(b.vm, ivc, BigInt(SUB), [1n, 5n, BASE_PTR, SIZE_PTR]);
    ivc.forgetVm(1);
    expect(a.maps.size).toBe(0);
    expect(b.maps.size).toBe(1);
    expect(
      executeHypercall(fakeVm(4).vm, ivc, BigInt(SUB), [1n, 5n, BASE_PTR, SIZE_PTR]).value,
    ).toBe(-1n);
    ivc.forgetVm(2);
    expect(b.maps.size).toBe(0);
    expect(mem.stats().used).toBe(0);
  });
});
