/* Common tail of every program: pass/fail reporting and SYSTEM_OFF. Included at the end. */
pass:
  adr x1, msg_pass
  bl puts
  b off
fail:
  mov x24, x10
  adr x1, msg_fail
  bl puts
  mov x0, x28
  bl putdec
  /* The last exception's ESR, ELR, FAR, SPSR and vector offset, for diagnosis. */
  mov x0, x24
  bl puthex
  mov x0, x11
  bl puthex
  mov x0, x12
  bl puthex
  mov x0, x13
  bl puthex
  mov x0, x14
  bl puthex
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
  mov x26, x30
  sub sp, sp, #32
  mov x2, sp
  add x2, x2, #31
  strb wzr, [x2]
  mov x3, #10
1: udiv x25, x0, x3
  msub x1, x25, x3, x0
  add x1, x1, #'0'
  sub x2, x2, #1
  strb w1, [x2]
  mov x0, x25
  cbnz x0, 1b
  mov x1, x2
  bl puts
  add sp, sp, #32
  ret x26

/* puthex(x0): a space and 16 hex digits; uses x0-x3, x9, x25, x26. */
puthex:
  mov x26, x30
  mov x3, x0
  mov x0, #' '
  bl putc
  mov x2, #60
1: lsr x0, x3, x2
  and x0, x0, #15
  cmp x0, #10
  add x1, x0, #'0'
  add x0, x0, #('a' - 10)
  csel x0, x1, x0, lo
  bl putc
  subs x2, x2, #4
  b.ge 1b
  ret x26

msg_pass: .asciz "PASS\n"
msg_fail: .asciz "FAIL "
.balign 8
.ltorg
