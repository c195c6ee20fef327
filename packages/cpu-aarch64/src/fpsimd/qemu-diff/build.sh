#!/bin/sh
# Rebuilds the differential-test harness (committed as ./harness so the test needs no cross compiler).
set -e
cd "$(dirname "$0")"
aarch64-linux-gnu-gcc -O2 -static -s -o harness harness.c
