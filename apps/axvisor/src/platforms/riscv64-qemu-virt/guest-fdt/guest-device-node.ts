/** A property value: u32 cells (a number or a list), a string, a string list, bytes, or empty (true). */
export type GuestFdtValue =
  | number
  | readonly number[]
  | string
  | readonly string[]
  | Uint8Array
  | true;

/**
 * A leaf device the guest's device tree describes under `/soc`: `name@base` with `reg`,
 * `compatible`, and, when it has a PLIC source and the VM has a PLIC, `interrupts` and
 * `interrupt-parent`. The VMM passes these for devices it creates beyond what the config
 * lists; one with the same base address as a device from the config replaces it.
 */
export interface GuestDeviceNode {
  /** Node name without the unit address: "serial", "virtio_mmio", "rtc". */
  readonly name: string;
  readonly compatible: readonly string[];
  readonly base: number;
  readonly size: number;
  /** PLIC source number. */
  readonly irq?: number;
  /** The guest console: /chosen/stdout-path points at it. */
  readonly stdout?: boolean;
  /** More properties, written after the standard ones in this order. */
  readonly properties?: Readonly<Record<string, GuestFdtValue>>;
}

/** The guest's PLIC: QEMU virt's layout, context 2h for hart h's M mode and 2h + 1 for S mode. */
export interface GuestPlic {
  readonly base: number;
  readonly size: number;
  /** Contexts the PLIC has (AxVisor's cfg_list[0]); absent: two per hart (a board PLIC). */
  readonly contexts?: number;
  /** `riscv,ndev`: the highest source number. */
  readonly ndev: number;
}

/** A CLINT passed through from the board (M-mode timer and software interrupts of each hart). */
export interface GuestClint {
  readonly base: number;
  readonly size: number;
}

/** Everything the device part of a guest's tree holds. */
export interface GuestDeviceSet {
  plic?: GuestPlic;
  clint?: GuestClint;
  nodes: GuestDeviceNode[];
}
