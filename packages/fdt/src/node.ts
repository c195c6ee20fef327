import { fdtError, fdtUsage } from "./errors.js";
import { FdtProperty } from "./property.js";
import {
  cellsToNumber,
  encodeString,
  encodeStrings,
  encodeU32s,
  encodeU64s,
  numberToCells,
} from "./values.js";

// Devicetree Specification 2.2.1 / 2.2.4: the characters allowed in node and property names.
const NODE_NAME = /^[0-9A-Za-z,._+-]{1,31}(@[0-9A-Za-z,._+-]*)?$/;
const PROPERTY_NAME = /^[0-9A-Za-z,._+?#-]{1,31}$/;

/** A `reg` entry. */
export interface RegEntry {
  readonly address: number;
  readonly size: number;
}

/**
 * A device tree node: ordered properties and children. The same class serves the builder and
 * the parser, so a parsed tree can be edited and written back.
 */
export class FdtNode {
  private readonly props: FdtProperty[] = [];
  private readonly kids: FdtNode[] = [];

  constructor(
    /** `name@unit-address`; the root's name is the empty string. */
    readonly name: string,
    readonly parent: FdtNode | null = null,
  ) {}

  get properties(): readonly FdtProperty[] {
    return this.props;
  }

  get children(): readonly FdtNode[] {
    return this.kids;
  }

  /** The part of the name before `@`. */
  get baseName(): string {
    const at = this.name.indexOf("@");
    return at < 0 ? this.name : this.name.slice(0, at);
  }

  /** The part after `@`, or undefined. */
  get unitAddress(): string | undefined {
    const at = this.name.indexOf("@");
    return at < 0 ? undefined : this.name.slice(at + 1);
  }

  /** The absolute path, `/` for the root. */
  get path(): string {
    if (this.parent === null) return "/";
    const up = this.parent.path;
    return up === "/" ? `/${this.name}` : `${up}/${this.name}`;
  }

  // ---- children ----

  /** Adds a child; names must be unique among siblings. */
  addNode(name: string): FdtNode {
    if (!NODE_NAME.test(name)) throw fdtUsage(`invalid node name ${JSON.stringify(name)}`);
    if (this.kids.some((k) => k.name === name)) {
      throw fdtUsage(`node ${this.path} already has a child ${name}`);
    }
    const node = new FdtNode(name, this);
    this.kids.push(node);
    return node;
  }

  /**
   * Appends without checking the name's characters: a parsed blob keeps whatever names its
   * author wrote. Duplicates are still refused, as a path could not tell them apart.
   * @internal
   */
  appendParsedChild(name: string): FdtNode {
    if (this.kids.some((k) => k.name === name)) {
      throw fdtError(`node ${this.path} has two children named ${name}`);
    }
    const node = new FdtNode(name, this);
    this.kids.push(node);
    return node;
  }

  /** @internal See appendParsedChild. */
  appendParsedProperty(prop: FdtProperty): void {
    if (this.has(prop.name)) throw fdtError(`node ${this.path} has two properties ${prop.name}`);
    this.props.push(prop);
  }

  /** The existing child, or a new one. */
  ensureNode(name: string): FdtNode {
    return this.child(name) ?? this.addNode(name);
  }

  /**
   * The child with this exact name, or, when `name` has no unit address, the only child whose
   * base name matches (as libfdt resolves paths).
   */
  child(name: string): FdtNode | undefined {
    const exact = this.kids.find((k) => k.name === name);
    if (exact !== undefined || name.includes("@")) return exact;
    const matches = this.kids.filter((k) => k.baseName === name);
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** Follows a relative path of `/`-separated names. */
  getNode(relPath: string): FdtNode | undefined {
    let node: FdtNode | undefined = this;
    for (const part of relPath.split("/")) {
      if (part === "") continue;
      node = node.child(part);
      if (node === undefined) return undefined;
    }
    return node;
  }

  removeNode(name: string): boolean {
    const i = this.kids.findIndex((k) => k.name === name);
    if (i < 0) return false;
    this.kids.splice(i, 1);
    return true;
  }

  /** This node and every descendant, depth first, parents before children. */
  *walk(): Generator<FdtNode> {
    yield this;
    for (const k of this.kids) yield* k.walk();
  }

  // ---- properties ----

  property(name: string): FdtProperty | undefined {
    return this.props.find((p) => p.name === name);
  }

  has(name: string): boolean {
    return this.property(name) !== undefined;
  }

  /** The property, or an error naming the node and the missing property. */
  require(name: string): FdtProperty {
    const p = this.property(name);
    if (p === undefined) throw fdtError(`node ${this.path} has no property ${name}`);
    return p;
  }

  /** Sets raw bytes; replaces an existing property in place, keeping the order. */
  setProperty(name: string, value: Uint8Array): this {
    if (!PROPERTY_NAME.test(name)) throw fdtUsage(`invalid property name ${JSON.stringify(name)}`);
    const prop = new FdtProperty(name, value);
    const i = this.props.findIndex((p) => p.name === name);
    if (i >= 0) this.props[i] = prop;
    else this.props.push(prop);
    return this;
  }

  removeProperty(name: string): boolean {
    const i = this.props.findIndex((p) => p.name === name);
    if (i < 0) return false;
    this.props.splice(i, 1);
    return true;
  }

  /** A property with no value (a boolean flag such as `interrupt-controller`). */
  setEmpty(name: string): this {
    return this.setProperty(name, new Uint8Array(0));
  }

  /** `<a b c ...>`: u32 cells. */
  setU32(name: string, ...cells: number[]): this {
    return this.setProperty(name, encodeU32s(cells));
  }

  /** 64-bit values, two cells each. */
  setU64(name: string, ...values: (number | bigint)[]): this {
    return this.setProperty(name, encodeU64s(values));
  }

  setString(name: string, value: string): this {
    return this.setProperty(name, encodeString(value));
  }

  setStrings(name: string, ...values: string[]): this {
    return this.setProperty(name, encodeStrings(values));
  }

  setBytes(name: string, value: Uint8Array): this {
    return this.setProperty(name, value.slice());
  }

  // ---- addressing ----

  /** This node's `#address-cells` as seen by its children (default 2, spec 2.3.5). */
  get addressCells(): number {
    return this.property("#address-cells")?.u32() ?? 2;
  }

  /** This node's `#size-cells` as seen by its children (default 1, spec 2.3.5). */
  get sizeCells(): number {
    return this.property("#size-cells")?.u32() ?? 1;
  }

  /** Writes `reg` in the parent's cell sizes. */
  setReg(...entries: RegEntry[]): this {
    const { addressCells, sizeCells } = this.requireParent("reg");
    const cells = entries.flatMap((e) => [
      ...numberToCells(e.address, addressCells),
      ...numberToCells(e.size, sizeCells),
    ]);
    return this.setU32("reg", ...cells);
  }

  /** Reads `reg` in the parent's cell sizes. */
  reg(): RegEntry[] {
    const { addressCells, sizeCells } = this.requireParent("reg");
    const cells = this.require("reg").u32s();
    const stride = addressCells + sizeCells;
    if (stride === 0 || cells.length % stride !== 0) {
      throw fdtError(
        `node ${this.path}: reg has ${cells.length} cells, not a multiple of ${addressCells}+${sizeCells}`,
      );
    }
    const out: RegEntry[] = [];
    for (let i = 0; i < cells.length; i += stride) {
      out.push({
        address: cellsToNumber(cells, i, addressCells, `${this.path} reg`),
        size: cellsToNumber(cells, i + addressCells, sizeCells, `${this.path} reg`),
      });
    }
    return out;
  }

  private requireParent(what: string): FdtNode {
    if (this.parent === null) throw fdtUsage(`the root node has no parent to define ${what} cells`);
    return this.parent;
  }

  /** The strings of `compatible`, or none. */
  get compatible(): string[] {
    return this.property("compatible")?.strings() ?? [];
  }

  isCompatible(compat: string): boolean {
    return this.compatible.includes(compat);
  }
}
