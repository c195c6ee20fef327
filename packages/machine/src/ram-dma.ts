import { axErr } from "@axvisor/axerrno";

/** What a DMA-capable device sees of memory (the contract shared with the VMM's guest memory). */
export interface DmaMemory {
  read(addr: number, len: number): Uint8Array;
  write(addr: number, data: Uint8Array): void;
}

/** Whoever caches decoded code from RAM (the harts) and must forget writes made behind its back. */
export interface ExternalWriteObserver {
  notifyExternalWrite(paddr: number, len: number): void;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * Device DMA into the board's RAM. Every write is reported to every hart so no hart executes
 * stale decoded instructions from a buffer a device just filled (a kernel loaded from disk).
 */
export class RamDma implements DmaMemory {
  constructor(
    private readonly ram: Uint8Array,
    private readonly ramBase: number,
    private readonly observers: () => readonly ExternalWriteObserver[],
  ) {}

  #offset(addr: number, len: number): number {
    const off = addr - this.ramBase;
    if (!Number.isSafeInteger(addr) || len < 0 || off < 0 || off + len > this.ram.length) {
      throw axErr("BadAddress", `DMA of ${len} bytes at ${hex(addr)} is outside RAM`);
    }
    return off;
  }

  read(addr: number, len: number): Uint8Array {
    const off = this.#offset(addr, len);
    return this.ram.slice(off, off + len);
  }

  write(addr: number, data: Uint8Array): void {
    const off = this.#offset(addr, data.length);
    this.ram.set(data, off);
    for (const o of this.observers()) o.notifyExternalWrite(addr, data.length);
  }
}
