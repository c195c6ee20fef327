/* Common tail of every program: pass/fail reporting and SYSTEM_OFF. Included at the end. */
pass:
  adr x1, msg_pass
  bl puts
  b off
fail:
  adr x1, msg_fail
  bl puts
  mov x0, x28
  bl putdec
  mov x0, #'\n'
  bl putc
off:
  ldr x0, =PSCI_SYSTEM_OFF
  smc #0
  b .

/* putc(x0): uses x9. */
putc:
  ldr x9, =UART
  strb w0, [x9]
  ret

/* puts(x1): NUL-terminated string; uses x0, x9, x10, x1. */
puts:
  mov x10, x30
1: ldrb w0, [x1], #1
  cbz w0, 2f
  bl putc
  b 1b
2: ret x10

/* putdec(x0): unsigned decimal; uses x0-x3, x9-x12. */
putdec:
  mov x12, x30
  sub sp, sp, #32
  mov x2, sp
  add x2, x2, #31
  strb wzr, [x2]
  mov x3, #10
1: udiv x11, x0, x3
  msub x1, x11, x3, x0
  add x1, x1, #'0'
  sub x2, x2, #1
  strb w1, [x2]
  mov x0, x11
  cbnz x0, 1b
  mov x1, x2
  bl puts
  add sp, sp, #32
  ret x12

msg_pass: .asciz "PASS\n"
msg_fail: .asciz "FAIL "
.balign 8
.ltorg
