/**
 * Debugger memory access split at page boundaries: each page of a virtual range is translated
 * on its own (consecutive virtual pages need not be consecutive physically). Shared by the VM
 * debugger and the bare-board debug target, which differ only in how they translate and reach
 * memory.
 */
const PAGE = 4096;

/** Reads `length` bytes from `addr` on; stops short at the first page that cannot be read. */
export function readPaged<A>(
  addr: bigint,
  length: number,
  translate: (at: bigint) => A | null,
  read: (pa: A, n: number) => Uint8Array | undefined,
): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const at = addr + BigInt(done);
    const pa = translate(at);
    if (pa === null) break;
    const n = Math.min(length - done, PAGE - Number(at & BigInt(PAGE - 1)));
    const bytes = read(pa, n);
    if (bytes === undefined) break;
    out.set(bytes, done);
    done += n;
  }
  return out.subarray(0, done);
}

/** Writes `data` at `addr` page by page; false at the first page that cannot be written. */
export function writePaged<A>(
  addr: bigint,
  data: Uint8Array,
  translate: (at: bigint) => A | null,
  write: (pa: A, bytes: Uint8Array) => boolean,
): boolean {
  let done = 0;
  while (done < data.length) {
    const at = addr + BigInt(done);
    const pa = translate(at);
    if (pa === null) return false;
    const n = Math.min(data.length - done, PAGE - Number(at & BigInt(PAGE - 1)));
    if (!write(pa, data.subarray(done, done + n))) return false;
    done += n;
  }
  return true;
}
