import type { LocalApic } from "@axvisor/device-lapic";
import type { BoardBus, PhysBus } from "@axvisor/machine";
import type { AccessWidth, GuestPhysAddr } from "@axvisor/memory-addr";

/**
 * One CPU's view of physical memory: the board's bus, except that its own local APIC answers
 * in the 4 KiB xAPIC window at its current APIC base (every CPU sees its own APIC there).
 */
export class CpuBus implements PhysBus {
  readonly ram: Uint8Array;
  readonly ramBase: number;
  readonly #board: BoardBus;
  readonly #lapic: LocalApic;

  constructor(board: BoardBus, lapic: LocalApic) {
    this.#board = board;
    this.#lapic = lapic;
    this.ram = board.ram;
    this.ramBase = board.ramBase;
  }

  #inApic(paddr: number, width: number): boolean {
    const lapic = this.#lapic;
    if (!lapic.mmioActive) return false;
    const base = lapic.baseAddress;
    return paddr >= base && paddr + width <= base + 0x1000;
  }

  load(paddr: number, width: 1 | 2 | 4 | 8): bigint | null {
    if (this.#inApic(paddr, width)) {
      return BigInt.asUintN(
        width * 8,
        this.#lapic.handleRead(paddr as GuestPhysAddr, width as AccessWidth),
      );
    }
    return this.#board.load(paddr, width);
  }

  store(paddr: number, width: 1 | 2 | 4 | 8, value: bigint): boolean {
    if (this.#inApic(paddr, width)) {
      this.#lapic.handleWrite(paddr as GuestPhysAddr, width as AccessWidth, value);
      return true;
    }
    return this.#board.store(paddr, width, value);
  }
}
