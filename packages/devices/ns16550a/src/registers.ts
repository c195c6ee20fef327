/**
 * Register indices and bit fields of the NS16550A (National Semiconductor / TI PC16550D
 * datasheet). Indices are multiplied by the board's register stride (reg-shift).
 */
export const Reg = {
  /** RBR (read) / THR (write); DLL when LCR.DLAB = 1. */
  Data: 0,
  /** IER; DLM when LCR.DLAB = 1. */
  Ier: 1,
  /** IIR (read) / FCR (write). */
  IirFcr: 2,
  Lcr: 3,
  Mcr: 4,
  Lsr: 5,
  Msr: 6,
  Scr: 7,
} as const;

export const IER_RDA = 0x01; // ERBFI: received data available (and character timeout)
export const IER_THRE = 0x02; // ETBEI: transmitter holding register empty
export const IER_RLS = 0x04; // ELSI: receiver line status
export const IER_MS = 0x08; // EDSSI: modem status
export const IER_MASK = 0x0f;

/** Interrupt identification codes (IIR bits 3:0), highest priority first. */
export const IIR_NO_INT = 0x01;
export const IIR_RLS = 0x06;
export const IIR_RDA = 0x04;
export const IIR_CTI = 0x0c;
export const IIR_THRE = 0x02;
export const IIR_MS = 0x00;
/** IIR bits 7:6 read as ones while the FIFOs are enabled. */
export const IIR_FIFOS_ENABLED = 0xc0;

export const FCR_ENABLE = 0x01;
export const FCR_CLEAR_RX = 0x02;
export const FCR_CLEAR_TX = 0x04;
export const FCR_TRIGGER_SHIFT = 6;
/** RX FIFO trigger levels selected by FCR bits 7:6. */
export const RX_TRIGGER_LEVELS: readonly number[] = [1, 4, 8, 14];

export const LCR_BREAK = 0x40;
export const LCR_DLAB = 0x80;

export const MCR_DTR = 0x01;
export const MCR_RTS = 0x02;
export const MCR_OUT1 = 0x04;
export const MCR_OUT2 = 0x08;
export const MCR_LOOP = 0x10;
export const MCR_MASK = 0x1f;

export const LSR_DR = 0x01;
export const LSR_OE = 0x02;
export const LSR_PE = 0x04;
export const LSR_FE = 0x08;
export const LSR_BI = 0x10;
export const LSR_THRE = 0x20;
export const LSR_TEMT = 0x40;
export const LSR_RX_FIFO_ERROR = 0x80;
/** The bits that raise a receiver-line-status interrupt and clear when LSR is read. */
export const LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

export const MSR_DCTS = 0x01;
export const MSR_DDSR = 0x02;
export const MSR_TERI = 0x04;
export const MSR_DDCD = 0x08;
export const MSR_DELTAS = 0x0f;
export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_RI = 0x40;
export const MSR_DCD = 0x80;

export const FIFO_SIZE = 16;
