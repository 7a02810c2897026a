# Toolchain for cross-compiling the core and its C++ tests to 64-bit Arm Linux with Debian's
# g++-aarch64-linux-gnu (sysroot /usr/aarch64-linux-gnu). The tests run under qemu-user through
# CMAKE_CROSSCOMPILING_EMULATOR, so a plain `ctest` executes them. Used by
# scripts/test-native-aarch64.sh (npm run test:native:aarch64).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
