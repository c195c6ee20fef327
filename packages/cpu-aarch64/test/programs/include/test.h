/* Shared macros of the self-checking programs: UART output, PSCI SYSTEM_OFF, checks. */
#define UART 0x09000000
#define PSCI_SYSTEM_OFF 0x84000008

/* x28 holds the current test number; FAIL prints it. */
.macro TEST n
  mov x28, #\n
.endm

/* Branches to fail unless reg == imm (64-bit, via x27). */
.macro EXPECT reg, imm
  ldr x27, =\imm
  cmp \reg, x27
  b.ne fail
.endm

/* Branches to fail unless the flags NZCV equal nzcv (4-bit). */
.macro EXPECT_NZCV nzcv
  mrs x27, nzcv
  lsr x27, x27, #28
  cmp x27, #\nzcv
  b.ne fail
.endm
