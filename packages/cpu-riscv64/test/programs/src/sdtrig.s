# Sdtrig as QEMU 7.2 implements it: two triggers, tinfo = types 2 and 6, the WARL rules of
# tdata1 (what a write of each field keeps), tdata3 reading 0, no tcontrol/mcontext, the trigger
# CSRs M-only; mcontrol6 execute breakpoints and load/store watchpoints in M, S and U raising a
# breakpoint exception (cause 3, tval 0, epc = the instruction) before the instruction or the
# access happens, per trigger and per mode; an mcontrol (type 2) trigger and an mcontrol6 one
# in VS-mode. Validated on qemu-system-riscv64 7.2 (validate-qemu.sh).
.include "common.inc"
PROGRAM sdtrig

.equ T6, 0x6000000000000000
.equ T2, 0x2000000000000000
.equ LD, 1
.equ ST, 2
.equ EX, 4
.equ TU, 8
.equ TS, 16
.equ TM, 64
.equ TVU, (1 << 23)
.equ TVS, (1 << 24)

# Writes `val` to tdata1 and checks what reads back.
.macro T1 val, expected
  li t5, \val
  csrw tdata1, t5
  csrr a0, tdata1
  CHECK a0, \expected
.endm

# Ends the trap an EXPECT_TRAP armed: back in M-mode, with the trap's cause, tval, epc and
# handler level in a3, a4, a5, a6 (the handlers overwrite s2-s8 on the way).
.macro BACK_TO_M label
  mv a3, s2
  mv a4, s3
  mv a5, s4
  mv a6, s8
  GOTO_M \label
.endm

# ---- the CSRs
  TEST 1
  csrw tselect, zero
  csrr a0, tselect
  CHECK a0, 0
  li t5, 1
  csrw tselect, t5
  csrr a0, tselect
  CHECK a0, 1
  li t5, 2                  # only two triggers: the write is ignored
  csrw tselect, t5
  csrr a0, tselect
  CHECK a0, 1
  li t5, -1
  csrw tselect, t5
  csrr a0, tselect
  CHECK a0, 1
  TEST 2
  csrr a0, tinfo            # mcontrol and mcontrol6
  CHECK a0, 0x44
  csrw tinfo, zero          # read-only content, the write is ignored
  csrr a0, tinfo
  CHECK a0, 0x44
  csrr a0, tdata1           # reset value: type 2, nothing enabled
  CHECK a0, T2
  csrw tselect, zero
  csrr a0, tdata1
  CHECK a0, T2
  csrr a0, tdata2
  CHECK a0, 0
  li t5, 0x55
  csrw tdata3, t5
  csrr a0, tdata3
  CHECK a0, 0
  TEST 3
  # No tcontrol, mcontext, scontext, hcontext.
  EXPECT_TRAP 1f
  csrr a0, tcontrol
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  EXPECT_TRAP 1f
  csrr a0, mcontext
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  EXPECT_TRAP 1f
  csrr a0, scontext
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  TEST 4
  # tdata1 WARL: mcontrol6.
  T1 T6 | TU | EX, T6 | TU | EX
  T1 T6 | (1 << 59) | (1 << 12), T6               # dmode, action 1 (debug mode): dropped
  T1 T6 | (2 << 12) | LD, T6 | LD                  # other actions: dropped
  T1 T6 | (1 << 11) | TU | EX, T6 | TU | EX        # chain
  T1 T6 | (2 << 7) | TU | EX, T6 | TU | EX         # match
  T1 T6 | TM | TS | TU | EX | ST | LD, T6 | 0x5f
  T1 T6 | (1 << 21) | TU | LD, T6 | TU | LD        # select
  T1 T6 | TVS | TVU | LD, T6 | TVS | TVU | LD
  T1 T6 | (1 << 22) | (1 << 25) | (1 << 26) | (1 << 5) | LD, T6 | LD   # hit, uncertain
  T1 T6 | (1 << 20) | LD, T6 | LD
  T1 0x6fffffffffffffff, T6 | TVS | TVU | 0x5f
  TEST 5
  # mcontrol6 size: any, 1, 2, 4, 8 bytes (codes 0, 1, 2, 3, 5) stay; the others read 0.
  T1 T6 | (1 << 16) | LD, T6 | (1 << 16) | LD
  T1 T6 | (2 << 16) | LD, T6 | (2 << 16) | LD
  T1 T6 | (3 << 16) | LD, T6 | (3 << 16) | LD
  T1 T6 | (4 << 16) | LD, T6 | LD
  T1 T6 | (5 << 16) | LD, T6 | (5 << 16) | LD
  T1 T6 | (6 << 16) | LD, T6 | LD
  T1 T6 | (8 << 16) | LD, T6 | LD
  TEST 6
  # mcontrol (type 2): m/s/u/execute/store/load and a valid sizehi:sizelo stay.
  T1 T2 | TU | EX, T2 | TU | EX
  T1 0x2fffffffffffffff, T2 | 0x5f
  T1 T2 | (1 << 19) | (1 << 20) | (1 << 11) | (1 << 12) | LD, T2 | LD
  T1 T2 | (1 << 18) | (1 << 7) | (1 << 21) | (1 << 16) | LD, T2 | (1 << 21) | (1 << 16) | LD
  TEST 7
  # A write of any other type leaves tdata1 as it was.
  T1 T2 | TM | LD, T2 | TM | LD
  T1 0, T2 | TM | LD
  T1 0xf000000000000000, T2 | TM | LD
  T1 0x3000000000000000 | TU | EX, T2 | TM | LD
  T1 0x4000000000000000, T2 | TM | LD
  T1 0x5000000000000000, T2 | TM | LD
  TEST 8
  # tdata2 holds 64 bits; each trigger has its own tdata1/tdata2.
  li t5, 0x123456789abcdef0
  csrw tdata2, t5
  csrr a0, tdata2
  CHECK_EQ a0, t5
  li t5, 1
  csrw tselect, t5
  csrr a0, tdata1
  CHECK a0, T2
  csrr a0, tdata2
  CHECK a0, 0
  csrw tselect, zero
  csrr a0, tdata1
  CHECK a0, T2 | TM | LD
  T1 T2, T2
  csrw tdata2, zero
  TEST 9
  # The trigger CSRs are M-only.
  EXPECT_TRAP 1f
  ENTER MODE_S, s_read_tselect
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_ILLEGAL

# ---- breakpoints and watchpoints
  TEST 20
  # U-mode execute breakpoint: fires before the instruction, tval 0, tdata1 unchanged.
  li s10, 0
  la t5, u_count
  csrw tdata2, t5
  T1 T6 | TU | EX, T6 | TU | EX
  EXPECT_TRAP 1f
  ENTER MODE_U, u_count
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  CHECK a4, 0
  la t5, u_count
  CHECK_EQ a5, t5
  CHECK s10, 0              # the instruction did not execute
  csrr a0, tdata1
  CHECK a0, T6 | TU | EX
  TEST 21
  # The same trigger with only S enabled does not fire in U: the code runs to its ecall.
  T1 T6 | TS | EX, T6 | TS | EX
  EXPECT_TRAP 1f
  ENTER MODE_U, u_count
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_ECALL_U
  CHECK s10, 1
  TEST 22
  # S-mode execute breakpoint on the second (compressed) instruction.
  li s10, 0
  la t5, s_two
  addi t5, t5, 2
  csrw tdata2, t5
  T1 T6 | TS | EX, T6 | TS | EX
  EXPECT_TRAP 1f
  ENTER MODE_S, s_two
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  la t5, s_two
  addi t5, t5, 2
  CHECK_EQ a5, t5
  CHECK s10, 1              # the first one ran
  TEST 23
  # M-mode execute breakpoint (m bit).
  la t5, 1f
  csrw tdata2, t5
  T1 T6 | TM | EX, T6 | TM | EX
  EXPECT_TRAP 2f
  nop
1:
  li s10, 77
  FAIL_NOW
2:
  CHECK s2, CAUSE_BREAKPOINT
  CHECK s3, 0
  la t5, 1b
  CHECK_EQ s4, t5
  T1 T2, T2
  TEST 24
  # U-mode load watchpoint: fires on the load, which does not complete.
  la t5, data
  csrw tdata2, t5
  T1 T6 | TU | LD, T6 | TU | LD
  li t4, 0
  EXPECT_TRAP 1f
  ENTER MODE_U, u_load
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  CHECK a4, 0
  la t5, u_load
  addi t5, t5, 8
  CHECK_EQ a5, t5
  CHECK t4, 0
  TEST 25
  # A load trigger ignores stores; a store trigger fires before memory changes.
  la t5, data
  addi t5, t5, 8
  csrw tdata2, t5
  T1 T6 | TU | ST, T6 | TU | ST
  li t4, 0x7777
  EXPECT_TRAP 1f
  ENTER MODE_U, u_store
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  la t5, u_store
  addi t5, t5, 8
  CHECK_EQ a5, t5
  la t5, data
  ld a0, 8(t5)
  CHECK a0, 0x2222
  T1 T6 | TU | LD, T6 | TU | LD
  EXPECT_TRAP 1f
  ENTER MODE_U, u_store     # now only loads of data+8 would fire
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_ECALL_U
  la t5, data
  ld a0, 8(t5)
  CHECK a0, 0x7777
  li t4, 0x2222
  sd t4, 8(t5)
  TEST 26
  # Size any covers 8 bytes from tdata2: an aligned 8-byte load at data hits a trigger at
  # data+4; a 4-byte-size trigger at data+1 is hit by a 4-byte load at data.
  la t5, data
  addi t5, t5, 4
  csrw tdata2, t5
  T1 T6 | TS | LD, T6 | TS | LD
  EXPECT_TRAP 1f
  ENTER MODE_S, s_load
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  la t5, data
  addi t5, t5, 1
  csrw tdata2, t5
  T1 T6 | (1 << 16) | TS | LD, T6 | (1 << 16) | TS | LD
  EXPECT_TRAP 1f
  ENTER MODE_S, s_load_w
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  # ... but not a 1-byte load beside it.
  la t5, data
  addi t5, t5, 2
  csrw tdata2, t5
  EXPECT_TRAP 1f
  ENTER MODE_S, s_load_b
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_ECALL_S
  TEST 27
  # M-mode load watchpoint.
  la t5, data
  csrw tdata2, t5
  T1 T6 | TM | LD, T6 | TM | LD
  la t5, data
  EXPECT_TRAP 1f
  ld a0, 0(t5)
  FAIL_NOW
1:
  CHECK s2, CAUSE_BREAKPOINT
  T1 T2, T2
  TEST 28
  # Trigger 1 works on its own.
  li t5, 1
  csrw tselect, t5
  la t5, u_count
  csrw tdata2, t5
  T1 T6 | TU | EX, T6 | TU | EX
  csrw tselect, zero
  EXPECT_TRAP 1f
  ENTER MODE_U, u_count
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  li t5, 1
  csrw tselect, t5
  T1 T2, T2
  csrw tselect, zero
  TEST 29
  # An mcontrol (type 2) execute breakpoint in U.
  la t5, u_count
  csrw tdata2, t5
  T1 T2 | TU | EX, T2 | TU | EX
  EXPECT_TRAP 1f
  ENTER MODE_U, u_count
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  T1 T2, T2
  TEST 30
  # Breakpoint exceptions delegate like any other: medeleg bit 3 sends it to S.
  li t5, 1 << CAUSE_BREAKPOINT
  csrw medeleg, t5
  la t5, s_handler
  csrw stvec, t5
  la t5, u_count
  csrw tdata2, t5
  T1 T6 | TU | EX, T6 | TU | EX
  EXPECT_TRAP 1f
  ENTER MODE_U, u_count
1:
  BACK_TO_M 2f
2:
  CHECK a3, CAUSE_BREAKPOINT
  CHECK a6, 1
  csrw medeleg, zero
  T1 T2, T2
  PASS

S_TRAP_HANDLER s_handler, 1, 0

s_read_tselect:
  csrr a0, tselect
  ecall
u_count:
  addi s10, s10, 1
  ecall
.option push
.option rvc
s_two:
  c.addi s10, 1
  c.addi s10, 1
  ecall
.option pop
u_load:
  la t5, data
  ld t4, 0(t5)
  ecall
u_store:
  la t5, data
  sd t4, 8(t5)
  ecall
s_load:
  la t5, data
  ld t4, 0(t5)
  ecall
s_load_w:
  la t5, data
  lw t4, 0(t5)
  ecall
s_load_b:
  la t5, data
  lbu t4, 1(t5)
  ecall

.section .data
.balign 64
data: .dword 0x1111, 0x2222, 0x3333
