/**
 * A riscv64 guest for PAUSE spin waits, for 2 vCPUs, loaded and entered at 0x8020_0000. Two
 * harts: hart 0 starts hart 1 (SBI HSM), then spins on a flag with PAUSE between its
 * loads, as Linux's cpu_relax() does, and powers off once it is set; hart 1 counts down
 * 300 000 times (600 000 instructions, several slices) and sets the flag. Assembled with
 * riscv64-linux-gnu-as (rv64imac, no RVC), linked at 0x8020_0000:
 *   _start: bnez a0, secondary
 *           li a7, 0x48534d; li a6, 0; li a0, 1; lla a1, _start; li a2, 0; ecall
 *           lla t0, flag
 *   1:      lw t1, 0(t0); bnez t1, done; pause; j 1b
 *   done:   li a7, 0x53525354; li a6, 0; li a0, 0; li a1, 0; ecall; j .
 *   secondary: li t1, 300000
 *   2:      addi t1, t1, -1; bnez t1, 2b
 *           lla t0, flag; li t1, 1; sw t1, 0(t0)
 *   3:      wfi; j 3b
 *   flag:   .word 0
 */
export const SPIN_WAIT_GUEST = Uint32Array.of(
  0x04051c63,
  0x004858b7,
  0x34d8889b,
  0x00000813,
  0x00100513,
  0x00000597,
  0xfec58593,
  0x00000613,
  0x00000073,
  0x00000297,
  0x05c28293,
  0x0002a303,
  0x00031663,
  0x0100000f,
  0xff5ff06f,
  0x535258b7,
  0x3548889b,
  0x00000813,
  0x00000513,
  0x00000593,
  0x00000073,
  0x0000006f,
  0x00049337,
  0x3e03031b,
  0xfff30313,
  0xfe031ee3,
  0x00000297,
  0x01828293,
  0x00100313,
  0x0062a023,
  0x10500073,
  0xffdff06f,
  0x00000000,
);
