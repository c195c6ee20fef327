/**
 * Register offsets and bit fields of the ARM PrimeCell UART (PL011), from the PL011 Technical
 * Reference Manual (ARM DDI 0183).
 */
export const Pl011Reg = {
  /** Data: read pops the receive FIFO (bits 11:8 carry its error flags), write transmits. */
  DR: 0x000,
  /** Receive status (read) / error clear (write). */
  RSR: 0x004,
  /** Flags (read only). */
  FR: 0x018,
  /** IrDA low-power counter. */
  ILPR: 0x020,
  /** Integer baud-rate divisor (16 bits). */
  IBRD: 0x024,
  /** Fractional baud-rate divisor (6 bits). */
  FBRD: 0x028,
  /** Line control (word length, FIFO enable, parity...). */
  LCR_H: 0x02c,
  /** Control (UARTEN, TXE, RXE, loopback...). */
  CR: 0x030,
  /** Interrupt FIFO level select. */
  IFLS: 0x034,
  /** Interrupt mask set/clear. */
  IMSC: 0x038,
  /** Raw interrupt status. */
  RIS: 0x03c,
  /** Masked interrupt status. */
  MIS: 0x040,
  /** Interrupt clear (write only). */
  ICR: 0x044,
  /** DMA control. */
  DMACR: 0x048,
  /** First of the eight PrimeCell identification registers (0xFE0..0xFFC). */
  ID_FIRST: 0xfe0,
} as const;

export const FR_CTS = 1 << 0;
export const FR_DSR = 1 << 1;
export const FR_DCD = 1 << 2;
export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;
export const FR_RI = 1 << 8;

/** LCR_H.FEN: FIFOs enabled (16 entries), else a one-character holding register. */
export const LCR_H_FEN = 1 << 4;

export const CR_UARTEN = 1 << 0;
export const CR_LBE = 1 << 7;
export const CR_TXE = 1 << 8;
export const CR_RXE = 1 << 9;

/** Interrupt bits shared by IMSC, RIS, MIS and ICR. */
export const INT_RI = 1 << 0;
export const INT_CTS = 1 << 1;
export const INT_DCD = 1 << 2;
export const INT_DSR = 1 << 3;
export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
export const INT_RT = 1 << 6;
export const INT_FE = 1 << 7;
export const INT_PE = 1 << 8;
export const INT_BE = 1 << 9;
export const INT_OE = 1 << 10;
export const INT_MASK = 0x7ff;

/** DR bits 11:8 and RSR bits 3:0: framing, parity, break and overrun errors. */
export const DR_OE = 1 << 11;

/** The PrimeCell IDs QEMU's "pl011" reports: part 0x011, designer ARM (0x41), revision 1. */
export const PL011_ID: readonly number[] = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export const FIFO_DEPTH = 16;
