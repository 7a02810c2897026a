// Block sizes of the packed sgemm, in one table, with the cache reasoning behind each, and the
// thresholds that choose between the direct (unpacked) path and packing, and threads.
// Each micro-kernel has its panel shape (PanelShape: MR x NR and the KC / MC blocks sized for
// it): the AVX2, NEON and scalar kernels share 6 x 16, the AVX-512 one is 12 x 32.
#pragma once

#include <cstddef>

namespace fastmlp {
namespace gemm_blocking {

// Register block: a 6 x 16 tile of C lives in 12 ymm accumulators (6 rows x 2 vectors of 8
// floats), plus 2 ymm for the current B row and 1 for the broadcast A value = 15 of the 16 ymm
// registers. 12 independent FMA chains cover the FMA latency (4 cycles x 2 pipes = 8 needed).
// Per k step: 2 B loads + 6 broadcasts feed 12 FMAs, within the 2-3 loads/cycle of the core.
// NEON (32 x 128-bit registers): the same tile is 24 accumulators (6 rows x 4 vectors of 4) + 4
// for the B row + 2 for the 6 A values, used by lane (FMLA by element) = 30 of 32; 6 loads feed
// 24 FMAs per k step, like BLIS's armv8a 8x12 sgemm (24 accumulators, 5 loads), so 6 x 16 costs
// arm64 nothing and keeps one packed layout for every kernel table.
constexpr std::size_t MR = 6;
constexpr std::size_t NR = 16;

// KC: depth of one rank-kc update. The B micro-panel (KC x NR floats = 16 KiB at 256) is reused
// by every A micro-panel of the MC block, so it must stay in L1 (32 KiB) next to the streaming
// A micro-panel (KC x MR = 6 KiB).
constexpr std::size_t KC = 256;

// MC: rows of the packed A block (MC x KC = 144 KiB at 144), which stays in L2 (512 KiB-1 MiB per
// core on the targets) while the JR loop walks all of B's micro-panels. A multiple of MR.
constexpr std::size_t MC = 144;

// NC: columns of the packed B block (KC x NC = 4 MiB at 4096), sized for a share of L3 and
// reused by every MC block. A multiple of every kernel's NR (PanelShape below).
constexpr std::size_t NC = 4096;

static_assert(MC % MR == 0, "MC must be a multiple of MR");
static_assert(NC % NR == 0, "NC must be a multiple of NR");

// A micro-kernel's register block and the cache blocks sized for it (kernel.hpp's MicroKernel
// carries one; gemm_packed.cpp and pack.cpp block and pack by it).
struct PanelShape {
  std::size_t mr;  // rows of C per micro-tile (A micro-panels of mr rows)
  std::size_t nr;  // columns of C per micro-tile (B micro-panels of nr columns)
  std::size_t kc;  // depth of one rank-kc update
  std::size_t mc;  // rows of a packed A block, a multiple of mr
};
constexpr PanelShape kPanels6x16 = {MR, NR, KC, MC};

// AVX-512 12 x 32 (kernel_avx512_12x32.cpp: 24 zmm accumulators). Zen 5 (the CPU it was tuned
// on): L1d 48 KiB, L2 1 MiB per core.
// KC_AVX512: the B micro-panel (KC x 32 floats = 32 KiB at 256) stays in L1 with the streaming
// A micro-panel (KC x 12 = 12 KiB), as KC does for 6 x 16 (`gemm_bench --set avx512kc` compares).
// MC_AVX512: the A block (MC x KC = 288 KiB at 288) in L2 with room for the B block being read.
constexpr std::size_t MR_AVX512 = 12;
constexpr std::size_t NR_AVX512 = 32;
constexpr std::size_t KC_AVX512 = 256;
constexpr std::size_t MC_AVX512 = 288;
constexpr PanelShape kPanels12x32 = {MR_AVX512, NR_AVX512, KC_AVX512, MC_AVX512};
static_assert(MC_AVX512 % MR_AVX512 == 0, "MC_AVX512 must be a multiple of MR_AVX512");
static_assert(NC % NR_AVX512 == 0, "NC must be a multiple of NR_AVX512");

// ---- how large a GemmContext's packing buffers may grow ----------------------------------------
// Packing buffers grow to what each product needs (a B block of KC x min(n, nc), an A block of
// min(m, MC) x KC), never beyond these. NC and MC only partition C's columns and rows: every
// element of C still sums its k in the same KC blocks, in the same order, through the same
// kernel, so a smaller nc (or caching less) changes speed and memory, never a result bit.
struct PackingLimits {
  std::size_t nc;                 // columns of a packed B block, a multiple of every NR, <= NC
  std::size_t max_cached_floats;  // per thread: the most a whole operand packed once may take
};

// Training: a trainer allocates its workspaces once and reuses them for every step, so its
// buffers are sized for speed: the B block for a share of L3, a cached operand up to 4 MiB per
// thread. The cap is about memory, not cache: the kernel reads the cached operand one KC block
// at a time (mpad x KC, at most 1 MiB for 1,024 rows), so its whole size never has to fit in L2.
// Past the cap every chunk packs its own blocks of both operands: at 1 MiB the wide network's
// 256 x 1024 operands (X W and dZ W^T at batch 256, 264 x 1024 packed) were packed once per
// chunk, 4 times per thread on 2 threads (`gemm_bench --set wide --threads 2`).
constexpr PackingLimits kPackingTraining = {NC, std::size_t{1} << 20};

// NC_INFERENCE: an inference model's first predict allocates its buffers for a single use, and
// issue 9 bounds what it allocates by 5% of the parameters' bytes. On a 12.6M-parameter network
// (1024-3072-3072-10, 50 MB) the full NC block alone would be KC x 3072 floats = 3 MiB (6%);
// KC x 512 floats = 512 KiB (1%) still fits in L2 with the A block, so the micro-kernel reads B
// from L2 as with NC (which streams it from L3), and A is re-packed once per 512 columns
// (m k floats copied per n / 512, against m n k multiply-adds: noise). A cached operand is capped
// at 256 KiB per thread; a larger one is packed per chunk in MC x KC blocks instead. (Models of
// small networks, where no share of the params bounds the workspaces, keep kPackingTraining:
// model.cpp.)
constexpr std::size_t NC_INFERENCE = 512;
constexpr PackingLimits kPackingInference = {NC_INFERENCE, std::size_t{1} << 16};

static_assert(NC_INFERENCE % NR == 0 && NC_INFERENCE % NR_AVX512 == 0 && NC_INFERENCE <= NC,
              "NC_INFERENCE must be a multiple of every NR, <= NC");

// ---- direct path or packed -----------------------------------------------------------------
// The sweep that sets these: build native/bench/gemm_bench.cpp (command in its header), then
//   gemm_bench --set sweep --clock cpu
// It times the direct (sup) path against packing on one thread for each kernel table this CPU
// runs and prints, per column class, the volume up to which direct stays faster, and the row
// count up to which skinny products do. One run (2-core AMD EPYC VM, shared; reps 5):
//   scalar    n = 1: ~4M   n = 3: ~4K   n = 8..64: 72..8K (noisy)   skinny: m <= 2..4
//   avx2-fma  n = 1: ~32K  n = 3..64: ~1M..4M                      skinny: m <= 8
// Products up to this many multiply-adds (m * n * k) take the direct path: packing A and B
// costs more than the micro-kernel saves. Scalar direct path, from `gemm_bench --set crossover
// --clock cpu`: n >= 16 crosses at ~512; n = 3 at ~1500-3000 (the packed path pads C to 16
// columns); n = 1 (GEMV) is still 1.5-2.3x faster direct at 4096.
constexpr std::size_t kDirectMaxVolume = 512;
constexpr std::size_t kDirectMaxVolumeNarrow = 2048;     // n <= 4
constexpr std::size_t kDirectMaxVolumeColumn = 1 << 16;  // n == 1
// The AVX2 direct path (the sup kernels) keeps C in registers like the micro-kernel and only
// skips packing, so it wins for longer. Still provisional (set from the seed and predict
// shapes): the sweep above says direct wins well past them at m = k, but raising them moves
// shapes from the packed path to the direct one and so changes those products' rounding; that
// retune belongs in its own change, with a trainer_bench A/B over the training workloads.
constexpr std::size_t kDirectAvx2MaxVolume = 1 << 13;
constexpr std::size_t kDirectAvx2MaxVolumeNarrow = 1 << 15;  // n <= 8: one vector per row
// Skinny products (m <= this, e.g. a one-row predict) stream op(B) once without packing it
// whatever their volume: packing would copy all of B for a handful of rows.
constexpr std::size_t kSkinnyMaxRows = 4;
// transB products copy op(B) (k x n) for the direct AVX2 path: only when that copy is small.
constexpr std::size_t kDirectTransBMaxCopy = 1 << 14;

// The rule of gemm.cpp reads one of these per kernel table (cpu/dispatch.cpp): data, so the
// choice costs no call. direct if !(transB && n > 1 && k n > transB_max_copy) and
// (m <= skinny_max_rows, or m n k <= the volume limit of n's class).
struct DirectLimits {
  std::size_t skinny_max_rows;    // m <= this: direct whatever the volume (0: no such rows)
  std::size_t transB_max_copy;    // transB, n > 1: direct only when k * n <= this
  std::size_t column_max_volume;  // n == 1
  std::size_t narrow_max_cols;    // 1 < n <= this: narrow_max_volume
  std::size_t narrow_max_volume;
  std::size_t max_volume;         // wider n
  // The inference model's blocks (Model::choose_paths) run a layer direct at any row count when
  // its weights (op(B), k x n) have at most this many columns and kDirectResidentMaxB floats
  // (0: no such rule; sgemm itself never applies it): op(B) stays in L2 while the rows kernel
  // streams it once per block of rows (gemm_prefers_direct_resident).
  std::size_t resident_max_cols;
  // A trainer owns its first layer by rows (mlp_owned.cpp) when that layer's product at the
  // plan's batch is kParallelDirectMinVolume..owned_max_volume multiply-adds, its weights at
  // most owned_max_weights floats (0: never) and its inputs at least kOwnedMinInputs (mlp.hpp).
  std::size_t owned_max_weights;
  std::size_t owned_max_volume;
};
// The most floats of op(B) for resident_max_cols: 512 KiB, half the L2 of a Zen 4 / Zen 5 core
// (A's rows and C's blocks share the rest): a 784 x 128 or 256 x 256 layer's weights, not 784 x 1024.
constexpr std::size_t kDirectResidentMaxB = std::size_t{1} << 17;
constexpr DirectLimits kDirectLimitsScalar = {0, static_cast<std::size_t>(-1), kDirectMaxVolumeColumn, 4,
                                              kDirectMaxVolumeNarrow, kDirectMaxVolume, 0, 0, 0};
// NEON: the scalar table's limits, unmeasured (no Arm hardware here; qemu times mean nothing).
// They send to packing only shapes the scalar table packs too, where the NEON micro-kernel is at
// least as fast as the scalar one; the direct path runs the portable sup kernel, which the
// compiler vectorizes with baseline NEON. A retune needs gemm_bench --set sweep on arm64.
constexpr DirectLimits kDirectLimitsNeon = kDirectLimitsScalar;
// owned (AVX2): 784-128-10 trained 1.29x faster on 2 threads at batch 64 (1.02x on 1), but at
// batch 256 0.94x on 1 thread and 1.03x on 2, where the AVX2 packed path beats the sup kernel
// the parts run on: owned up to 8M multiply-adds (`FASTMLP_MAX_ISA=avx2
// scripts/ab-trainer-bench.sh <before> <after> 5 --set mnist --batch 64|256 --threads 1,2`).
constexpr DirectLimits kDirectLimitsAvx2 = {kSkinnyMaxRows, kDirectTransBMaxCopy, kDirectAvx2MaxVolumeNarrow, 8,
                                            kDirectAvx2MaxVolumeNarrow, kDirectAvx2MaxVolume, 0,
                                            kDirectResidentMaxB, std::size_t{1} << 23};
// AVX-512: the sup kernels (sup_rows_avx512 & co.) run at 150-200 GFLOP/s on one thread from
// 16 x 64 x 16 up (near the zmm FMA peak), so packing pays only for large products. Measured
// (2-core AMD EPYC Zen 5 VM, shared) while the AVX-512 table's packed path still ran the AVX2
// micro-kernel: `gemm_bench --set sweep --clock cpu` has direct >= 2x packed at every volume
// it tries (to 4M, n = 1..64, skinny m up to 8). With the AVX-512 packed micro-kernel,
// `gemm_bench --set sup` still has direct ahead on one thread at the 784-128-10 batch-64 products
// (64 x 128 x 784 and 784 x 128 x 64, 6.4M each), and `scripts/ab-trainer-bench.sh <4M> <8M> 5
// --set mnist --threads 1 --reps 3 --clock cpu` trains that network 1.27x faster with them direct.
// The limit used to stop at 4M so that a 2-thread context could split those products; the direct
// path now splits too (kParallelDirectMinVolume, same bits for any thread count), so it covers
// them: up to 8M. The wide network's products (256 x 1024 x 784 and up, 200M+) stay packed.
// skinny: up to 8 rows one block of rows holds all of them (op(B) streamed once, as packing would
// read it).
// resident: on one thread the rows kernel beats packing at any row count while op(B) stays in L2
// and is narrow: `gemm_bench --set sup` has 256 x 128 x 784 direct at 1.19x the packed path and
// 256^3 at 1.05x, but 256 x 1024 x 784 at 0.98x; the inference model's row blocks (its lanes
// run on one thread each) take it (Model::choose_paths). owned: 784-128-10 trains 1.38x faster on
// 2 threads at batch 64 (its products direct), and at batch 128 and 256 (packed before) 1.42x and
// 1.30x on 2 threads, 1.11x and 1.12x on 1 (`scripts/ab-trainer-bench.sh <before> <after> 3
// --set mnist --batch 128|256 --threads 1,2`); the wide network's first layer (784 x 1024, past
// owned_max_weights) stays packed: owning it measured 1.11x on 1 thread but 0.91x on 2.
constexpr std::size_t kDirectAvx512MaxVolume = std::size_t{1} << 23;
constexpr std::size_t kDirectAvx512ResidentMaxCols = 256;
constexpr DirectLimits kDirectLimitsAvx512 = {8, kDirectTransBMaxCopy, std::size_t{1} << 22, 16,
                                              std::size_t{1} << 22, kDirectAvx512MaxVolume,
                                              kDirectAvx512ResidentMaxCols, kDirectResidentMaxB,
                                              static_cast<std::size_t>(-1)};

// ---- which sup variant (gemm/sup/sup.cpp) ----------------------------------------------------
// One row wider than one column block of the rows variant (8 vectors = 64 columns with m = 1)
// goes to the wide-row variant, which streams op(B) in address order instead of once per block.
constexpr std::size_t kSupWideRowMinCols = 64;
// Tall and tiny (the seeds' X W and dZ W^T): from 8 rows (one group of 8 in its natural layout),
// up to 4 columns and depth 4, where op(A)'s 8 rows fit in K <= 4 vectors and C's in N <= 4.
// Structural limits of the tall-tiny kernel (one instantiation per (n, k)), not tuned.
constexpr std::size_t kSupTallTinyMinRows = 8;
constexpr std::size_t kSupTallTinyMaxCols = 4;
constexpr std::size_t kSupTallTinyMaxDepth = 4;

// ---- threads -------------------------------------------------------------------------------
// Products from this many multiply-adds are split over the pool (`gemm_bench --set threads`).
constexpr std::size_t kParallelMinVolume = std::size_t{1} << 20;
// Direct-path (sup) products from this many multiply-adds are split over the pool, in runs of
// the rows variant's own tiles (the same bits as one thread: SupPartKernel), in contexts that
// allow it (inference; a trainer keeps its direct products whole, mlp.cpp, and from this volume
// may own a first layer by rows of W instead, DirectLimits::owned_*). Below it the
// handoff to a second thread costs more than its half of the product saves. Measured by
// `gemm_bench --set threads` (its direct rows: 1 vs 2 threads at each volume, in a session) on a
// quiet 2-core Zen 5 VM (FMA peak on 2 threads 1.6-2.1x one, probed before and after each run):
// 2 threads 0.83-1.01x of one for every shape up to 2M (tabular and deep layers, 128^3,
// 64 x 256 x 128, predict of 16 rows), 0.63x at 4M (64 x 256 x 256), 1.32-1.82x at 6.4M
// (784-128-10's batch-64 products, two runs), 0.91-1.73x at 8M: the split starts between 4M and
// 6.4M.
// Moving it moves no result bit.
constexpr std::size_t kParallelDirectMinVolume = std::size_t{5} << 20;
// Parts per thread of a split direct product (handed out one at a time: a thread that starts
// late takes fewer).
constexpr std::size_t kParallelDirectPartsPerThread = 4;

}  // namespace gemm_blocking
}  // namespace fastmlp
