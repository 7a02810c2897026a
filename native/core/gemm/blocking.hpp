// Block sizes of the packed sgemm, in one table, with the cache reasoning behind each.
// Both micro-kernels (AVX2 and scalar) share MR x NR so the packed layout is one layout.
#pragma once

#include <cstddef>

namespace fastmlp {
namespace gemm_blocking {

// Register block: a 6 x 16 tile of C lives in 12 ymm accumulators (6 rows x 2 vectors of 8
// floats), plus 2 ymm for the current B row and 1 for the broadcast A value = 15 of the 16 ymm
// registers. 12 independent FMA chains cover the FMA latency (4 cycles x 2 pipes = 8 needed).
// Per k step: 2 B loads + 6 broadcasts feed 12 FMAs, within the 2-3 loads/cycle of the core.
constexpr std::size_t MR = 6;
constexpr std::size_t NR = 16;

// KC: depth of one rank-kc update. The B micro-panel (KC x NR floats = 16 KiB at 256) is reused
// by every A micro-panel of the MC block, so it must stay in L1 (32 KiB) next to the streaming
// A micro-panel (KC x MR = 6 KiB).
constexpr std::size_t KC = 256;

// MC: rows of the packed A block (MC x KC = 144 KiB at 144), which stays in L2 (512 KiB-1 MiB per
// core on the targets) while the JR loop walks all of B's micro-panels. A multiple of MR.
constexpr std::size_t MC = 144;

// NC: columns of the packed B block (KC x NC = 4 MiB at 4080), sized for a share of L3 and
// reused by every MC block. A multiple of NR.
constexpr std::size_t NC = 4080;

static_assert(MC % MR == 0, "MC must be a multiple of MR");
static_assert(NC % NR == 0, "NC must be a multiple of NR");

}  // namespace gemm_blocking
}  // namespace fastmlp
