#include "test.h"
.section .text.init
.globl _start
_start:
  ldr x0, =stack_top
  mov sp, x0
  TEST 1
  mov x1, #5
  add x2, x1, #7
  EXPECT x2, 12
  b pass
#include "common.S"
.bss
.balign 16
stack: .skip 4096
stack_top:
