#!/bin/sh
# Builds the differential-test harness (a static x86-64 Linux program) beside this script.
set -e
cd "$(dirname "$0")"
gcc -O1 -static -o harness harness.c
