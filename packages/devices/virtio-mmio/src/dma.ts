/**
 * The memory a device reaches by DMA (the board implements it over RAM and tells the harts
 * about the write; a VM implements it over the guest address space). Implementations may throw
 * for addresses they cannot serve.
 */
export interface DmaMemory {
  read(addr: number, len: number): Uint8Array;
  write(addr: number, data: Uint8Array): void;
}

/** A DMA access the memory could not serve: the guest handed the device a bad address. */
export class DmaFault extends Error {
  override readonly name = "DmaFault";

  constructor(
    readonly addr: number,
    readonly len: number,
    cause?: unknown,
  ) {
    super(
      `DMA access of ${len} bytes at 0x${addr.toString(16)} is outside guest memory`,
      cause === undefined ? undefined : { cause },
    );
  }
}

function checkSpan(addr: number, len: number): void {
  if (
    !Number.isSafeInteger(addr) ||
    !Number.isSafeInteger(len) ||
    addr < 0 ||
    len < 0 ||
    !Number.isSafeInteger(addr + len)
  ) {
    throw new DmaFault(addr, len);
  }
}

/** Reads through `mem`, turning whatever it throws (or a short answer) into a DmaFault. */
export function dmaRead(mem: DmaMemory, addr: number, len: number): Uint8Array {
  checkSpan(addr, len);
  let data: Uint8Array;
  try {
    data = mem.read(addr, len);
  } catch (e) {
    throw new DmaFault(addr, len, e);
  }
  if (data.length !== len) throw new DmaFault(addr, len);
  return data;
}

/** Writes through `mem`, turning whatever it throws into a DmaFault. */
export function dmaWrite(mem: DmaMemory, addr: number, data: Uint8Array): void {
  checkSpan(addr, data.length);
  try {
    mem.write(addr, data);
  } catch (e) {
    throw new DmaFault(addr, data.length, e);
  }
}
