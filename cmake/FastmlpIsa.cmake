# Which instruction-set extensions the core may compile kernels for. Sets:
#   FASTMLP_AVX2        ON when the TARGET is x86-64 and the compiler accepts the AVX2 + FMA flags
#   FASTMLP_AVX2_FLAGS  those flags (-mavx2;-mfma, or /arch:AVX2 on MSVC)
#   FASTMLP_AVX512      ON when FASTMLP_AVX2 is ON and the compiler accepts the AVX-512 F/VL/BW/DQ
#                       flags (GCC/Clang; MSVC builds keep AVX2 as their widest kernels)
#   FASTMLP_AVX512_FLAGS those flags (with AVX2 + FMA: the AVX-512 files may use both)
#   FASTMLP_NEON        ON when the TARGET is 64-bit Arm (aarch64 / arm64), where NEON (Advanced
#                       SIMD) is part of the baseline ISA: no flags, no run-time check
# Sources whose file name contains "neon" are built only when FASTMLP_NEON is ON.
# Only sources whose file name contains "avx2" get the flags, and only when FASTMLP_AVX2 is ON;
# otherwise they are left out of the build and the portable (scalar) kernels serve alone. The
# kernel actually used is still chosen at run time (native/core/cpu/), so a binary built here
# runs on x86-64 CPUs without AVX2 too. The target is CMAKE_SYSTEM_PROCESSOR (set by a toolchain
# file when cross-compiling), narrowed by CMAKE_OSX_ARCHITECTURES and by MSVC's target
# architecture, never the host's.
include(CheckCXXCompilerFlag)

option(FASTMLP_DISABLE_AVX2 "Build only the portable kernels even on x86-64" OFF)

set(FASTMLP_TARGET_X86_64 OFF)
set(FASTMLP_TARGET_AARCH64 OFF)
string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _fastmlp_cpu)
if(_fastmlp_cpu MATCHES "^(x86_64|amd64|x64)$")
  set(FASTMLP_TARGET_X86_64 ON)
elseif(_fastmlp_cpu MATCHES "^(aarch64|arm64)$")
  set(FASTMLP_TARGET_AARCH64 ON)
endif()
# MSVC reports its target architecture itself (x64, ARM64, X86): trust it over the host name.
if(MSVC AND CMAKE_CXX_COMPILER_ARCHITECTURE_ID)
  string(TOLOWER "${CMAKE_CXX_COMPILER_ARCHITECTURE_ID}" _fastmlp_msvc_arch)
  set(FASTMLP_TARGET_X86_64 OFF)
  set(FASTMLP_TARGET_AARCH64 OFF)
  if(_fastmlp_msvc_arch STREQUAL "x64")
    set(FASTMLP_TARGET_X86_64 ON)
  elseif(_fastmlp_msvc_arch STREQUAL "arm64")
    set(FASTMLP_TARGET_AARCH64 ON)
  endif()
endif()
# Apple: CMAKE_OSX_ARCHITECTURES names the target(s). A single-architecture build gets its own
# kernels; a universal build (x86_64;arm64) compiles every file for both, so it gets neither
# (the AVX2 flags would reach the arm64 compile, and the NEON files would reach the x86-64 one).
if(APPLE AND CMAKE_OSX_ARCHITECTURES)
  set(FASTMLP_TARGET_X86_64 OFF)
  set(FASTMLP_TARGET_AARCH64 OFF)
  if(CMAKE_OSX_ARCHITECTURES STREQUAL "x86_64")
    set(FASTMLP_TARGET_X86_64 ON)
  elseif(CMAKE_OSX_ARCHITECTURES STREQUAL "arm64")
    set(FASTMLP_TARGET_AARCH64 ON)
  endif()
endif()

set(FASTMLP_AVX2 OFF)
set(FASTMLP_AVX2_FLAGS "")
if(FASTMLP_TARGET_X86_64 AND NOT FASTMLP_DISABLE_AVX2)
  if(MSVC)
    check_cxx_compiler_flag("/arch:AVX2" FASTMLP_CXX_HAS_ARCH_AVX2)
    if(FASTMLP_CXX_HAS_ARCH_AVX2)
      set(FASTMLP_AVX2 ON)
      set(FASTMLP_AVX2_FLAGS "/arch:AVX2")
    endif()
  else()
    check_cxx_compiler_flag("-mavx2" FASTMLP_CXX_HAS_MAVX2)
    check_cxx_compiler_flag("-mfma" FASTMLP_CXX_HAS_MFMA)
    if(FASTMLP_CXX_HAS_MAVX2 AND FASTMLP_CXX_HAS_MFMA)
      set(FASTMLP_AVX2 ON)
      set(FASTMLP_AVX2_FLAGS "-mavx2;-mfma")
    endif()
  endif()
endif()

# AVX-512 only in the files whose name contains "avx512", chosen at run time when CPUID and XCR0
# (opmask and ZMM state) allow it: a build here still runs on CPUs without it.
option(FASTMLP_DISABLE_AVX512 "Build no AVX-512 kernels even on x86-64" OFF)
set(FASTMLP_AVX512 OFF)
set(FASTMLP_AVX512_FLAGS "")
if(FASTMLP_AVX2 AND NOT MSVC AND NOT FASTMLP_DISABLE_AVX512)
  check_cxx_compiler_flag("-mavx512f -mavx512vl -mavx512bw -mavx512dq" FASTMLP_CXX_HAS_AVX512)
  if(FASTMLP_CXX_HAS_AVX512)
    set(FASTMLP_AVX512 ON)
    set(FASTMLP_AVX512_FLAGS "-mavx2;-mfma;-mavx512f;-mavx512vl;-mavx512bw;-mavx512dq")
  endif()
endif()

option(FASTMLP_DISABLE_NEON "Build only the portable kernels even on aarch64" OFF)
set(FASTMLP_NEON OFF)
if(FASTMLP_TARGET_AARCH64 AND NOT FASTMLP_DISABLE_NEON)
  set(FASTMLP_NEON ON)
endif()

message(STATUS "fastmlp: target processor '${CMAKE_SYSTEM_PROCESSOR}', AVX2/FMA kernels: ${FASTMLP_AVX2}, AVX-512 kernels: ${FASTMLP_AVX512}, NEON kernels: ${FASTMLP_NEON}")
