/**
 * Guest RAM that compiled code can reach. WebAssembly code sees exactly one linear memory (Node
 * 20 has no multi-memory), so RAM and every CPU's register file and TLBs must live in the
 * same `WebAssembly.Memory`: `allocateRam(size)` makes one, shared (its buffer is a
 * SharedArrayBuffer, as a board's RAM may be), with room for the CPUs' state in front of the
 * RAM. A `Hart` whose `bus.ram` came from here keeps its state in that memory and may compile
 * hot guest code to WebAssembly; on any other RAM it interprets.
 */

import { type WasmMemory, wasmApi } from "./wasm-api.js";

/** Bytes of one hart's state block (registers, pc, data TLBs); see hart-state.ts. */
export const CPU_STATE_BYTES = 1024 * 1024;
/** Hart state blocks reserved in front of the RAM of each allocation (the board's maximum). */
export const CPU_STATE_SLOTS = 8;
const HEAD_BYTES = CPU_STATE_BYTES * CPU_STATE_SLOTS;
const WASM_PAGE = 65536;
/** wasm32 addresses 4 GiB; V8 allows at most that many pages. */
const MAX_PAGES = 65536;

/** What the harts need to know about RAM that lives in a WebAssembly.Memory. */
export interface WasmRam {
  readonly memory: WasmMemory;
  /** Pages the memory has (it never grows: growing would detach every view on it). */
  readonly pages: number;
  /** Byte offset of RAM byte 0 inside the memory. */
  readonly ramOffset: number;
  readonly ramSize: number;
  /** Next free hart state block (0..CPU_STATE_SLOTS-1). */
  nextSlot: number;
}

const registry = new WeakMap<ArrayBufferLike, WasmRam>();

/**
 * Allocates `size` bytes of zeroed guest RAM inside a shared WebAssembly.Memory. Falls back to
 * a plain SharedArrayBuffer (the harts then interpret only) when the size does not fit in a
 * 32-bit wasm memory together with the hart state area.
 */
export function allocateRam(size: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new RangeError(`allocateRam: ${size} is not a positive byte count`);
  }
  const pages = Math.ceil((HEAD_BYTES + size) / WASM_PAGE);
  if (pages > MAX_PAGES || wasmApi === undefined) {
    return new Uint8Array(new SharedArrayBuffer(size));
  }
  let memory: WasmMemory;
  try {
    memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    // No wasm threads (or not enough address space): RAM still works, without a JIT.
    return new Uint8Array(new SharedArrayBuffer(size));
  }
  const ram = new Uint8Array(memory.buffer, HEAD_BYTES, size);
  registry.set(memory.buffer, {
    memory,
    pages,
    ramOffset: HEAD_BYTES,
    ramSize: size,
    nextSlot: 0,
  });
  return ram;
}

/** The wasm memory behind `ram` if `allocateRam` made it (undefined for any other RAM). */
export function wasmRamOf(ram: Uint8Array): WasmRam | undefined {
  const w = registry.get(ram.buffer);
  if (w === undefined || ram.byteOffset !== w.ramOffset) return undefined;
  return w;
}

/**
 * Claims a hart state block in the memory of `ram`: the memory and the block's byte offset in
 * it, or undefined when `ram` is not wasm RAM or every block is taken (that hart then keeps
 * its state in ordinary arrays and interprets).
 */
export function claimCpuState(ram: Uint8Array): { wasm: WasmRam; offset: number } | undefined {
  const w = wasmRamOf(ram);
  if (w === undefined || w.nextSlot >= CPU_STATE_SLOTS) return undefined;
  const offset = w.nextSlot * CPU_STATE_BYTES;
  w.nextSlot++;
  return { wasm: w, offset };
}
