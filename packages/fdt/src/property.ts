import { fdtError } from "./errors.js";
import { cellsToBigInt, cellsToNumber, decodeStrings, decodeU32s } from "./values.js";

/** One property: a name and its raw bytes, with typed views for reading. */
export class FdtProperty {
  constructor(
    readonly name: string,
    readonly value: Uint8Array,
  ) {}

  get isEmpty(): boolean {
    return this.value.length === 0;
  }

  /** All cells. */
  u32s(): number[] {
    return decodeU32s(this.value, `property ${this.name}`);
  }

  /** A single-cell value. */
  u32(): number {
    const cells = this.u32s();
    if (cells.length !== 1) {
      throw fdtError(`property ${this.name}: expected one cell, found ${cells.length}`);
    }
    return cells[0]!;
  }

  /** Pairs of cells read as 64-bit numbers (exact below 2^53). */
  u64s(): number[] {
    const cells = this.u32s();
    if (cells.length % 2 !== 0) throw fdtError(`property ${this.name}: odd number of cells`);
    const out: number[] = [];
    for (let i = 0; i < cells.length; i += 2) {
      out.push(cellsToNumber(cells, i, 2, `property ${this.name}`));
    }
    return out;
  }

  /** A 64-bit value: one or two cells (a one-cell value is zero-extended). */
  u64(): number {
    const cells = this.u32s();
    if (cells.length !== 1 && cells.length !== 2) {
      throw fdtError(`property ${this.name}: expected one or two cells, found ${cells.length}`);
    }
    return cellsToNumber(cells, 0, cells.length, `property ${this.name}`);
  }

  /** A 64-bit value as bigint (any size). */
  bigU64(): bigint {
    const cells = this.u32s();
    if (cells.length !== 1 && cells.length !== 2) {
      throw fdtError(`property ${this.name}: expected one or two cells, found ${cells.length}`);
    }
    return cellsToBigInt(cells, 0, cells.length);
  }

  /** The first string of the value. */
  string(): string {
    return decodeStrings(this.value, `property ${this.name}`)[0] ?? "";
  }

  /** All strings of a string-list value. */
  strings(): string[] {
    return decodeStrings(this.value, `property ${this.name}`);
  }
}
