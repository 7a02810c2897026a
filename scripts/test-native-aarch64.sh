#!/usr/bin/env bash
# npm run test:native:aarch64 -- cross-compiles native/core and its C++ tests for 64-bit Arm
# Linux (Debian's g++-aarch64-linux-gnu, toolchain cmake/aarch64-linux-gnu.cmake) with warnings
# as errors, and runs the tests under qemu-aarch64 (qemu-user) through ctest: correctness only,
# emulated speed means nothing. There the NEON kernels are the table in use (cpu_dispatch_test
# asserts it); the gemm, losses and kernel_twins tests also run the scalar twin by name, and a
# second pass with FASTMLP_FORCE_SCALAR=1 runs every other test (mlp, model, ...) on the scalar
# table end to end (gemm_test and gemm_packing_test name their tables, so they run once). The
# sweeps of gemm_test are sized down under emulation (FASTMLP_TEST_SCALE, see
# native/test/check.hpp); every case class still runs.
# Needs: apt-get install -y g++-aarch64-linux-gnu qemu-user
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in aarch64-linux-gnu-g++ qemu-aarch64; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test:native:aarch64: $tool not found (Debian/Ubuntu: apt-get install -y g++-aarch64-linux-gnu qemu-user)" >&2
    exit 1
  fi
done
build=build-native-aarch64
cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" -DFASTMLP_TESTS=ON \
  -DFASTMLP_WERROR=ON -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j2
export FASTMLP_TEST_SCALE="${FASTMLP_TEST_SCALE:-small}"
echo "test:native:aarch64: the NEON kernels (the aarch64 default)"
FASTMLP_FORCE_SCALAR=0 ctest --test-dir "$build" --output-on-failure
echo "test:native:aarch64: again on the scalar twin (FASTMLP_FORCE_SCALAR=1)"
FASTMLP_FORCE_SCALAR=1 ctest --test-dir "$build" --output-on-failure --exclude-regex '^gemm_'
