/**
 * The parameter block every benchmark workload carries (see workloads/bench.h):
 *   "AXBENCH1", iterations, instructions per iteration, instructions outside the loop,
 *   reserved — five little-endian 64-bit words, 8-byte aligned in the image.
 * It is found by its magic, in a raw image or an ELF file alike, so the iteration count can
 * be changed in the file a runner loads (the copy is patched, never the committed binary).
 */
export const PARAMS_MAGIC = "AXBENCH1";
const BLOCK_BYTES = 40;

export interface WorkloadParams {
  /** File offset of the magic. */
  readonly offset: number;
  readonly iterations: number;
  readonly perIteration: number;
  readonly fixed: number;
}

function magicBytes(): Uint8Array {
  return new TextEncoder().encode(PARAMS_MAGIC);
}

function findMagic(image: Uint8Array): number {
  const m = magicBytes();
  const found: number[] = [];
  outer: for (let i = 0; i + BLOCK_BYTES <= image.length; i += 8) {
    for (let j = 0; j < m.length; j++) if (image[i + j] !== m[j]) continue outer;
    found.push(i);
  }
  if (found.length === 0) throw new Error(`no benchmark parameter block ("${PARAMS_MAGIC}")`);
  if (found.length > 1) {
    throw new Error(
      `${found.length} benchmark parameter blocks (offsets ${found.join(", ")}); expected one`,
    );
  }
  return found[0]!;
}

function readCount(view: DataView, at: number, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what} ${v} is too large`);
  return Number(v);
}

/** Reads the block; throws naming the problem when there is none or more than one. */
export function readWorkloadParams(image: Uint8Array): WorkloadParams {
  const offset = findMagic(image);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  return {
    offset,
    iterations: readCount(view, offset + 8, "iteration count"),
    perIteration: readCount(view, offset + 16, "instructions per iteration"),
    fixed: readCount(view, offset + 24, "fixed instruction count"),
  };
}

/** A copy of the image that runs `iterations` iterations. */
export function withIterations(image: Uint8Array, iterations: number): Uint8Array {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError(`iteration count ${iterations} must be a positive integer`);
  }
  const { offset } = readWorkloadParams(image);
  const copy = Uint8Array.from(image);
  new DataView(copy.buffer).setBigUint64(offset + 8, BigInt(iterations), true);
  return copy;
}

/** Dynamic instructions between the markers for a given iteration count. */
export function instructionCount(
  p: Pick<WorkloadParams, "perIteration" | "fixed">,
  iterations: number,
): number {
  return p.perIteration * iterations + p.fixed;
}
