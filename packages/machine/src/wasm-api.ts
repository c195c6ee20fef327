/**
 * The part of the WebAssembly JS API this package uses, typed here because the project's
 * TypeScript lib (ES2023, no DOM) does not declare `WebAssembly`. Undefined where the host
 * has no WebAssembly (the harts then interpret).
 */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** A compiled WebAssembly module (opaque here; it is instantiated with `wasmApi.Instance`). */
export type WasmModule = object;

export interface WasmTable {
  readonly length: number;
  grow(delta: number): number;
  set(index: number, value: unknown): void;
}

interface WasmApi {
  Table: new (descriptor: { element: "anyfunc"; initial: number }) => WasmTable;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
}

export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
