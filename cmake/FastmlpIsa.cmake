# Which instruction-set extensions the core may compile kernels for. Sets:
#   FASTMLP_AVX2        ON when the TARGET is x86-64 and the compiler accepts the AVX2 + FMA flags
#   FASTMLP_AVX2_FLAGS  those flags (-mavx2;-mfma, or /arch:AVX2 on MSVC)
# Only sources whose file name contains "avx2" get the flags, and only when FASTMLP_AVX2 is ON;
# otherwise they are left out of the build and the portable (scalar) kernels serve alone. The
# kernel actually used is still chosen at run time (native/core/cpu/), so a binary built here
# runs on x86-64 CPUs without AVX2 too. The target is CMAKE_SYSTEM_PROCESSOR (set by a toolchain
# file when cross-compiling), narrowed by CMAKE_OSX_ARCHITECTURES and by MSVC's target
# architecture, never the host's.
include(CheckCXXCompilerFlag)

option(FASTMLP_DISABLE_AVX2 "Build only the portable kernels even on x86-64" OFF)

set(FASTMLP_TARGET_X86_64 OFF)
string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _fastmlp_cpu)
if(_fastmlp_cpu MATCHES "^(x86_64|amd64|x64)$")
  set(FASTMLP_TARGET_X86_64 ON)
endif()
# MSVC reports its target architecture itself (x64, ARM64, X86): trust it over the host name.
if(MSVC AND CMAKE_CXX_COMPILER_ARCHITECTURE_ID)
  string(TOLOWER "${CMAKE_CXX_COMPILER_ARCHITECTURE_ID}" _fastmlp_msvc_arch)
  if(_fastmlp_msvc_arch STREQUAL "x64")
    set(FASTMLP_TARGET_X86_64 ON)
  else()
    set(FASTMLP_TARGET_X86_64 OFF)
  endif()
endif()
# Apple: one x86_64-only build may use the flags; arm64 or universal (x86_64;arm64) builds may
# not (the same file would be compiled for arm64 with x86 flags).
if(APPLE AND CMAKE_OSX_ARCHITECTURES AND NOT CMAKE_OSX_ARCHITECTURES STREQUAL "x86_64")
  set(FASTMLP_TARGET_X86_64 OFF)
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

message(STATUS "fastmlp: target processor '${CMAKE_SYSTEM_PROCESSOR}', AVX2/FMA kernels: ${FASTMLP_AVX2}")
