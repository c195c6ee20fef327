/**
 * The Berkeley host-target interface as Spike and the riscv-tests use it: the guest writes a
 * command to the 64-bit `tohost` word in RAM, the host answers in `fromhost`. A command is
 * device (bits 63:56), command (55:48) and payload (47:0). Supported:
 * - device 0, command 0, payload odd: exit with code payload >> 1 (0 = pass);
 * - device 0, command 0, payload even: a syscall block (`magic_mem`) at the payload address;
 *   write (64) to fd 1/2 and exit (93) are served;
 * - device 1, command 1: console putchar; device 1, command 0: getchar.
 * `tohost` lives in RAM, which the harts write directly, so the board polls it between slices.
 */
export interface HtifMemory {
  load(paddr: number, width: 8): bigint | null;
  store(paddr: number, width: 8, value: bigint): boolean;
  readRam(paddr: number, len: number): Uint8Array;
}

export interface HtifHost {
  putBytes(bytes: Uint8Array): void;
  exit(code: number): void;
  /** The next input byte, or undefined. */
  getchar(): number | undefined;
}

const SYS_WRITE = 64n;
const SYS_EXIT = 93n;
const ENOSYS = -38n;
const PAYLOAD_MASK = (1n << 48n) - 1n;

export class Htif {
  #pendingGetchar = false;

  constructor(
    private readonly mem: HtifMemory,
    readonly tohost: number,
    readonly fromhost: number | undefined,
    private readonly host: HtifHost,
  ) {}

  /** Serves one pending command, if any. Returns true when one was handled. */
  poll(): boolean {
    if (this.#pendingGetchar) this.#answerGetchar();
    const cmdWord = this.mem.load(this.tohost, 8);
    if (cmdWord === null || cmdWord === 0n) return false;
    const device = Number(cmdWord >> 56n);
    const command = Number((cmdWord >> 48n) & 0xffn);
    const payload = cmdWord & PAYLOAD_MASK;
    this.mem.store(this.tohost, 8, 0n);
    if (device === 0 && command === 0) {
      if ((payload & 1n) === 1n) {
        this.host.exit(Number(payload >> 1n));
        return true;
      }
      this.#syscall(Number(payload));
      this.#reply(0, 0, 1n);
    } else if (device === 1 && command === 1) {
      this.host.putBytes(Uint8Array.of(Number(payload & 0xffn)));
      this.#reply(1, 1, 0n);
    } else if (device === 1 && command === 0) {
      this.#pendingGetchar = true;
      this.#answerGetchar();
    }
    return true;
  }

  #answerGetchar(): void {
    if (this.fromhost === undefined) return;
    const busy = this.mem.load(this.fromhost, 8);
    if (busy !== 0n) return;
    const c = this.host.getchar();
    if (c === undefined) return;
    this.#pendingGetchar = false;
    this.#reply(1, 0, BigInt(c & 0xff));
  }

  #reply(device: number, command: number, payload: bigint): void {
    if (this.fromhost === undefined) return;
    this.mem.store(
      this.fromhost,
      8,
      (BigInt(device) << 56n) | (BigInt(command) << 48n) | (payload & PAYLOAD_MASK),
    );
  }

  #syscall(addr: number): void {
    const arg = (i: number) => this.mem.load(addr + 8 * i, 8) ?? 0n;
    const n = arg(0);
    let ret = ENOSYS;
    if (n === SYS_WRITE) {
      const fd = arg(1);
      const buf = Number(arg(2));
      const len = Number(arg(3));
      if ((fd === 1n || fd === 2n) && len >= 0) {
        try {
          this.host.putBytes(this.mem.readRam(buf, len));
          ret = BigInt(len);
        } catch {
          ret = -14n; // EFAULT
        }
      } else {
        ret = -9n; // EBADF
      }
    } else if (n === SYS_EXIT) {
      this.host.exit(Number(BigInt.asIntN(32, arg(1))));
      return;
    }
    this.mem.store(addr, 8, BigInt.asUintN(64, ret));
  }
}
