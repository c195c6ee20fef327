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
const WASM_PAGE = 65536;
/**
 * One page between the state blocks and RAM for words every thread sharing the memory agrees
 * on; word 0 counts the state blocks claimed, so harts built on different threads (each with
 * its own registry below) never get the same block; word 1 counts the threads that adopted
 * the RAM (`adoptRam`), so CPUs know when their atomics must be atomic across threads.
 */
const SHARED_WORDS_AT = CPU_STATE_BYTES * CPU_STATE_SLOTS;
const HEAD_BYTES = SHARED_WORDS_AT + WASM_PAGE;
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
  /** Hart state blocks claimed so far, by any thread (CPU_STATE_SLOTS or more: all taken). */
  readonly nextSlot: number;
}

/**
 * What another thread needs to reach the same RAM (`adoptRam`): structured-cloneable, so it
 * travels in `postMessage` / `workerData` (a shared WebAssembly.Memory is shared, not copied).
 */
export interface SharedRam {
  readonly memory: WasmMemory;
  readonly ramSize: number;
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
  return register(memory, pages, size);
}

function register(memory: WasmMemory, pages: number, size: number): Uint8Array {
  const words = new Int32Array(memory.buffer, SHARED_WORDS_AT, 1);
  registry.set(memory.buffer, {
    memory,
    pages,
    ramOffset: HEAD_BYTES,
    ramSize: size,
    get nextSlot() {
      return Atomics.load(words, 0);
    },
  });
  return new Uint8Array(memory.buffer, HEAD_BYTES, size);
}

/** The handle another thread passes to `adoptRam`, or undefined when `ram` is not wasm RAM. */
export function shareRam(ram: Uint8Array): SharedRam | undefined {
  const w = wasmRamOf(ram);
  return w === undefined ? undefined : { memory: w.memory, ramSize: w.ramSize };
}

/**
 * The RAM of `shared` on this thread (a worker): the same bytes and the same state blocks as on
 * the thread that allocated it, so harts here can compile code against it. Throws when the
 * memory is not one `allocateRam` made.
 */
export function adoptRam(shared: SharedRam): Uint8Array {
  const { memory, ramSize } = shared;
  const buffer = memory.buffer;
  if (
    typeof SharedArrayBuffer === "undefined" ||
    !(buffer instanceof SharedArrayBuffer) ||
    !Number.isSafeInteger(ramSize) ||
    ramSize <= 0 ||
    buffer.byteLength < HEAD_BYTES + ramSize
  ) {
    throw new RangeError("adoptRam: not a shared RAM made by allocateRam on another thread");
  }
  Atomics.add(new Int32Array(buffer, SHARED_WORDS_AT, 2), 1, 1);
  const known = registry.get(buffer);
  if (known !== undefined) return new Uint8Array(buffer, known.ramOffset, known.ramSize);
  return register(memory, buffer.byteLength / WASM_PAGE, ramSize);
}

/**
 * A word that turns non-zero once `ram` has been handed to another thread (`adoptRam`): until
 * then a CPU may perform AMOs as plain read-modify-writes, which for 64-bit ones avoids
 * JavaScript's BigInt-only 64-bit Atomics. The RAM is adopted before the other thread's CPUs
 * run, so no AMO can be in flight on this thread when the word changes. A zero word of its
 * own for RAM that no other thread can reach.
 */
export function adoptedWord(ram: Uint8Array): Int32Array {
  const w = wasmRamOf(ram);
  if (w === undefined) return new Int32Array(1);
  return new Int32Array(w.memory.buffer, SHARED_WORDS_AT + 4, 1);
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
  if (w === undefined) return undefined;
  const words = new Int32Array(w.memory.buffer, SHARED_WORDS_AT, 1);
  // Claimed with an atomic add, as harts on other threads draw from the same blocks; a
  // failed claim leaves the count past the end, which still reads as "all taken".
  const slot = Atomics.add(words, 0, 1);
  if (slot >= CPU_STATE_SLOTS) return undefined;
  return { wasm: w, offset: slot * CPU_STATE_BYTES };
}
