// The packed sgemm: BLIS's five loops (JC over NC columns, PC over KC depth, IC over MC rows,
// JR / IR over micro-tiles) around one micro-kernel, and its split across the thread pool.
// Threads take chunks of whole micro-panels along the longer side of C from
// ThreadPool::run_chunks (dynamically, no barrier: a late thread just takes fewer chunks); each
// packs the other operand whole once per product and reuses it for all of its chunks.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>

#include "gemm/blocking.hpp"
#include "gemm/gemm_internal.hpp"
#include "gemm/pack.hpp"
#include "thread_pool.hpp"

namespace fastmlp {

namespace {

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }
std::size_t min_size(std::size_t a, std::size_t b) { return a < b ? a : b; }

// [begin, end) of part `i` of `count` near-equal parts of `total` units.
struct Range {
  std::size_t begin, end;
};
Range split(std::size_t total, std::size_t count, std::size_t i) {
  return {total * i / count, total * (i + 1) / count};
}

struct Problem {
  MicroKernelFn kernel;
  gemm_blocking::PanelShape shape;  // the kernel's MR x NR and KC / MC
  StridedView a, b;
  std::size_t m, n, k;
  float alpha, beta;
  float* c;
};

// The operand a thread packs once, whole (all of k), for every chunk it takes: A when chunks
// split the columns of C, B when they split its rows. none: each chunk packs its own blocks of
// both (the cached operand would be too large).
enum class Cached { none, a, b };

// Rows [r0, r1) x columns [c0, c1) of C (multiples of MR / NR except at the edges of C), all of
// k. full: the cached operand packed whole (block pc at pc * padded rows or columns).
void run_rect(GemmContext& ctx, const Problem& pr, std::size_t t, std::size_t r0, std::size_t r1, std::size_t c0,
              std::size_t c1, Cached cached, const float* full) {
  const std::size_t MR = pr.shape.mr, NR = pr.shape.nr, KC = pr.shape.kc, MC = pr.shape.mc;
  float* const abuf = ctx.buffers(t).a.data();
  float* const bbuf = ctx.buffers(t).b.data();
  const std::size_t mpad = ceil_div(pr.m, MR) * MR, npad = ceil_div(pr.n, NR) * NR;
  const std::size_t nc_max = ctx.limits().nc;  // a multiple of every NR (blocking.hpp)
  for (std::size_t jc = c0; jc < c1; jc += nc_max) {
    const std::size_t nc = min_size(nc_max, c1 - jc);
    for (std::size_t pc = 0; pc < pr.k; pc += KC) {
      const std::size_t kc = min_size(KC, pr.k - pc);
      const float* bblock = bbuf;
      if (cached == Cached::b) {
        bblock = full + pc * npad + jc * kc;
      } else {
        pack_b(NR, pr.b, pc, jc, kc, nc, 0, ceil_div(nc, NR), bbuf);
      }
      // Later rank-kc updates accumulate into what the first one wrote.
      const float beta = pc == 0 ? pr.beta : 1.0f;
      for (std::size_t ic = r0; ic < r1; ic += MC) {
        const std::size_t mc = min_size(MC, r1 - ic);
        const float* ablock = abuf;
        if (cached == Cached::a) {
          ablock = full + pc * mpad + ic * kc;
        } else {
          pack_a(MR, pr.a, ic, pc, mc, kc, abuf);
          // A is packed again for each block of nc columns: checked the first time
          if (jc == c0) check_packed_a(ctx, t, abuf, ceil_div(mc, MR) * MR * kc);
        }
        for (std::size_t jr = 0; jr < nc; jr += NR) {
          const float* bp = bblock + jr * kc;
          const std::size_t nr = min_size(NR, nc - jr);
          for (std::size_t ir = 0; ir < mc; ir += MR) {
            const float* ap = ablock + ir * kc;
            // Prefetch hints: next A micro-panel, or the first one again with the next B.
            const bool last_ir = ir + MR >= mc;
            const float* a_next = last_ir ? ablock : ap + MR * kc;
            const float* b_next = last_ir ? bp + NR * kc : bp;
            const MicroTile tile{pr.c + (ic + ir) * pr.n + jc + jr, pr.n, min_size(MR, mc - ir), nr};
            pr.kernel(kc, ap, bp, pr.alpha, beta, tile, a_next, b_next);
          }
        }
      }
    }
  }
}

// A product split into chunks of whole micro-panels along one side of C, handed out by
// ThreadPool::run_chunks. Every element of C is computed exactly as on one thread (same kc
// blocks, same kernel, same order over k): results are bit-identical for any thread count.
struct Split {
  const Problem* pr;
  bool rows;               // chunks are row ranges (else column ranges)
  std::size_t panels;      // micro-panels along the split side
  std::size_t chunks;
  Cached cached;
  std::uint64_t call;      // GemmContext::next_call() of this product
};

void run_chunk(GemmContext& ctx, const Split& sp, std::size_t t, std::size_t chunk) {
  const Problem& pr = *sp.pr;
  const std::size_t MR = pr.shape.mr, NR = pr.shape.nr, KC = pr.shape.kc;
  GemmBuffers& buf = ctx.buffers(t);
  float* full = nullptr;
  if (sp.cached != Cached::none) {
    full = sp.cached == Cached::a ? buf.a.data() : buf.b.data();
    if (buf.cached_call != sp.call) {  // this thread's first chunk of the product
      const std::size_t mpad = ceil_div(pr.m, MR) * MR, npad = ceil_div(pr.n, NR) * NR;
      for (std::size_t pc = 0; pc < pr.k; pc += KC) {
        const std::size_t kc = min_size(KC, pr.k - pc);
        if (sp.cached == Cached::a) {
          pack_a(MR, pr.a, 0, pc, pr.m, kc, full + pc * mpad);
        } else {
          pack_b(NR, pr.b, pc, 0, kc, pr.n, 0, npad / NR, full + pc * npad);
        }
      }
      if (sp.cached == Cached::a) check_packed_a(ctx, t, full, mpad * pr.k);
      buf.cached_call = sp.call;
    }
  }
  const Range pr_range = split(sp.panels, sp.chunks, chunk);
  if (sp.rows) {
    run_rect(ctx, pr, t, pr_range.begin * MR, min_size(pr_range.end * MR, pr.m), 0, pr.n, sp.cached, full);
  } else {
    run_rect(ctx, pr, t, 0, pr.m, pr_range.begin * NR, min_size(pr_range.end * NR, pr.n), sp.cached, full);
  }
}

}  // namespace

// ---- AlignedFloats ----------------------------------------------------------

AlignedFloats::~AlignedFloats() {
  if (data_ != nullptr) ::operator delete(data_, std::align_val_t{64});
}

float* AlignedFloats::ensure(std::size_t n) {
  if (n <= capacity_) return data_;
  if (n > static_cast<std::size_t>(-1) / sizeof(float)) throw std::bad_alloc();
  float* fresh = static_cast<float*>(::operator new(n * sizeof(float), std::align_val_t{64}));
  if (data_ != nullptr) ::operator delete(data_, std::align_val_t{64});
  data_ = fresh;
  capacity_ = n;
  return data_;
}

// ---- the packed product -------------------------------------------------------------------

void sgemm_packed(GemmContext& ctx, MicroKernel kernel, std::size_t threads, bool transA, bool transB,
                  std::size_t m, std::size_t n, std::size_t k, float alpha, const float* A,
                  const float* B, float beta, float* C) {
  const std::size_t MR = kernel.shape.mr, NR = kernel.shape.nr, KC = kernel.shape.kc, MC = kernel.shape.mc;
  const Problem pr{kernel.fn,
                   kernel.shape,
                   transA ? StridedView{A, 1, m} : StridedView{A, k, 1},
                   transB ? StridedView{B, 1, k} : StridedView{B, n, 1},
                   m, n, k, alpha, beta, C};
  // Blocks no larger than this product needs (run_rect packs at most min(MC, rows) rows of A,
  // padded to MR, and min(nc, columns) columns of B, padded to NR, each kc deep).
  const std::size_t kc_max = min_size(KC, k);
  const std::size_t nc_max = ctx.limits().nc;
  if (threads == 1) {
    ctx.buffers(0).a.ensure(min_size(MC, ceil_div(m, MR) * MR) * kc_max);
    ctx.buffers(0).b.ensure(kc_max * min_size(nc_max, ceil_div(n, NR) * NR));
    run_rect(ctx, pr, 0, 0, m, 0, n, Cached::none, nullptr);
    return;
  }

  // Split the side that costs the busiest thread least, per k step: its micro-tiles (MR cycles
  // each, in units of one packed element: both kernel shapes hold a row of the tile in 2
  // vectors, so MR x 2 FMAs over 2 FMA pipes) plus its packing (the whole other
  // operand once, its share of this one). In practice the longer side of C: at batch 64, XW
  // (64x784)(784x128) splits columns (each thread packs all 64 rows of X once and its columns
  // of W), X^T dZ (784x64)(64x128) splits rows (each packs dZ once and its rows of X^T).
  const std::size_t kTileCost = MR;
  const std::size_t mp = ceil_div(m, MR), np = ceil_div(n, NR);
  const std::size_t mpad = mp * MR, npad = np * NR;
  const std::size_t col_cost = kTileCost * mp * ceil_div(np, threads) + mpad + ceil_div(np, threads) * NR;
  const std::size_t row_cost = kTileCost * ceil_div(mp, threads) * np + ceil_div(mp, threads) * MR + npad;
  Split sp{};
  sp.pr = &pr;
  sp.rows = row_cost < col_cost;
  sp.panels = sp.rows ? mp : np;
  // Several chunks per thread, so a thread that starts late (or is descheduled) leaves its
  // share to the others instead of holding up the product.
  sp.chunks = min_size(sp.panels, 4 * threads);
  const std::size_t cached_floats = sp.rows ? npad * k : mpad * k;
  sp.cached = cached_floats > ctx.limits().max_cached_floats ? Cached::none : sp.rows ? Cached::b : Cached::a;
  sp.call = ctx.next_call();

  // All allocation happens here, on the calling thread, before any worker starts.
  // A chunk is at most ceil(panels / chunks) micro-panels along the split side (split()).
  const std::size_t chunk_rows = sp.rows ? ceil_div(mp, sp.chunks) * MR : mpad;
  const std::size_t chunk_cols = sp.rows ? npad : ceil_div(np, sp.chunks) * NR;
  for (std::size_t t = 0; t < threads; ++t) {
    GemmBuffers& buf = ctx.buffers(t);
    buf.a.ensure(sp.cached == Cached::a ? cached_floats : min_size(MC, chunk_rows) * kc_max);
    buf.b.ensure(sp.cached == Cached::b ? cached_floats : kc_max * min_size(nc_max, chunk_cols));
  }
  // Two captured references: small enough for std::function's inline storage, so no
  // allocation per call.
  ctx.pool()->run_chunks(sp.chunks, [&ctx, &sp](std::size_t t, std::size_t chunk) { run_chunk(ctx, sp, t, chunk); });
}

}  // namespace fastmlp
