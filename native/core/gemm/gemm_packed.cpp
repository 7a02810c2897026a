// The packed sgemm: BLIS's five loops (JC over NC columns, PC over KC depth, IC over MC rows,
// JR / IR over micro-tiles) around one micro-kernel, and its split across the thread pool.
// Threads form a tm x tn grid over C: threads in the same column group (same tj) share one
// packed B block (packed cooperatively, then a barrier) and each packs only its own A rows.
#include <cstddef>
#include <functional>
#include <new>
#include <thread>

#include "gemm/blocking.hpp"
#include "gemm/gemm_internal.hpp"
#include "gemm/pack.hpp"
#include "thread_pool.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace fastmlp {

namespace {

using gemm_blocking::KC;
using gemm_blocking::MC;
using gemm_blocking::MR;
using gemm_blocking::NC;
using gemm_blocking::NR;

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }
std::size_t min_size(std::size_t a, std::size_t b) { return a < b ? a : b; }

// [begin, end) of part `i` of `count` near-equal parts of `total` units.
struct Range {
  std::size_t begin, end;
};
Range split(std::size_t total, std::size_t count, std::size_t i) {
  return {total * i / count, total * (i + 1) / count};
}

struct Grid {
  std::size_t tm, tn;
};

// Pick tm x tn = threads minimizing the busiest thread's micro-tile count; on a tie prefer
// splitting columns (tm = 1 needs no barrier: every thread packs its own B).
Grid choose_grid(std::size_t threads, std::size_t m, std::size_t n) {
  const std::size_t mp = ceil_div(m, MR), np = ceil_div(n, NR);
  Grid best{1, threads};
  std::size_t best_cost = static_cast<std::size_t>(-1);
  for (std::size_t tn = threads; tn >= 1; --tn) {
    if (threads % tn != 0) continue;
    const std::size_t tm = threads / tn;
    const std::size_t cost = ceil_div(mp, tm) * ceil_div(np, tn);
    if (cost < best_cost) best_cost = cost, best = {tm, tn};
  }
  return best;
}

struct Problem {
  MicroKernel kernel;
  StridedView a, b;
  std::size_t m, n, k;
  float alpha, beta;
  float* c;
  Grid grid;
};

// One thread's share of the product: rows / columns of its grid cell, all of k.
void run_cell(GemmContext& ctx, const Problem& pr, std::size_t t) {
  const std::size_t ti = t % pr.grid.tm, tj = t / pr.grid.tm;
  const Range rp = split(ceil_div(pr.m, MR), pr.grid.tm, ti);
  const Range cp = split(ceil_div(pr.n, NR), pr.grid.tn, tj);
  const std::size_t r0 = rp.begin * MR, r1 = min_size(rp.end * MR, pr.m);
  const std::size_t c0 = cp.begin * NR, c1 = min_size(cp.end * NR, pr.n);
  GemmBuffers& leader = ctx.buffers(tj * pr.grid.tm);
  float* const bbuf = leader.b.data();
  float* const abuf = ctx.buffers(t).a.data();
  const bool shared_b = pr.grid.tm > 1;

  for (std::size_t jc = c0; jc < c1; jc += NC) {
    const std::size_t nc = min_size(NC, c1 - jc);
    const Range mine = split(ceil_div(nc, NR), pr.grid.tm, ti);  // my B micro-panels to pack
    for (std::size_t pc = 0; pc < pr.k; pc += KC) {
      const std::size_t kc = min_size(KC, pr.k - pc);
      pack_b(pr.b, pc, jc, kc, nc, mine.begin, mine.end - mine.begin, bbuf);
      if (shared_b) leader.barrier.wait();
      // Later rank-kc updates accumulate into what the first one wrote.
      const float beta = pc == 0 ? pr.beta : 1.0f;
      for (std::size_t ic = r0; ic < r1; ic += MC) {
        const std::size_t mc = min_size(MC, r1 - ic);
        pack_a(pr.a, ic, pc, mc, kc, abuf);
        for (std::size_t jr = 0; jr < nc; jr += NR) {
          const float* bp = bbuf + jr * kc;
          const std::size_t nr = min_size(NR, nc - jr);
          for (std::size_t ir = 0; ir < mc; ir += MR) {
            const float* ap = abuf + ir * kc;
            // Prefetch hints: next A micro-panel, or the first one again with the next B.
            const bool last_ir = ir + MR >= mc;
            const float* a_next = last_ir ? abuf : ap + MR * kc;
            const float* b_next = last_ir ? bp + NR * kc : bp;
            const MicroTile tile{pr.c + (ic + ir) * pr.n + jc + jr, pr.n, min_size(MR, mc - ir), nr};
            pr.kernel(kc, ap, bp, pr.alpha, beta, tile, a_next, b_next);
          }
        }
      }
      if (shared_b) leader.barrier.wait();  // nobody repacks B while another still reads it
    }
  }
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

// ---- AlignedFloats / SpinBarrier ----------------------------------------------------------

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

void SpinBarrier::wait() {
  const std::size_t phase = phase_.load(std::memory_order_acquire);
  if (count_.fetch_add(1, std::memory_order_acq_rel) + 1 == parties_) {
    count_.store(0, std::memory_order_relaxed);
    phase_.fetch_add(1, std::memory_order_release);
    return;
  }
  for (std::size_t spin = 0; phase_.load(std::memory_order_acquire) == phase; ++spin) {
    if (spin < 2000) {
      cpu_relax();
    } else {
      std::this_thread::yield();  // oversubscribed: let the straggler run
    }
  }
}

// ---- the packed product -------------------------------------------------------------------

void sgemm_packed(GemmContext& ctx, MicroKernel kernel, std::size_t threads, bool transA, bool transB,
                  std::size_t m, std::size_t n, std::size_t k, float alpha, const float* A,
                  const float* B, float beta, float* C) {
  Problem pr{kernel,
             transA ? StridedView{A, 1, m} : StridedView{A, k, 1},
             transB ? StridedView{B, 1, k} : StridedView{B, n, 1},
             m, n, k, alpha, beta, C,
             choose_grid(threads, m, n)};

  // All allocation happens here, on the calling thread, before any worker starts: each
  // thread's A block, each column group's B block, each group's barrier.
  const std::size_t kc_max = min_size(KC, k);
  for (std::size_t t = 0; t < threads; ++t) {
    ctx.buffers(t).a.ensure(MC * kc_max);
  }
  for (std::size_t tj = 0; tj < pr.grid.tn; ++tj) {
    const Range cp = split(ceil_div(n, NR), pr.grid.tn, tj);
    const std::size_t cols = min_size(NC, (cp.end - cp.begin) * NR);
    GemmBuffers& leader = ctx.buffers(tj * pr.grid.tm);
    leader.b.ensure(kc_max * (cols > 0 ? cols : NR));
    leader.barrier.reset(pr.grid.tm);
  }

  if (threads == 1) {
    run_cell(ctx, pr, 0);
    return;
  }
  // The lambda captures two references: small enough for std::function's inline storage, so
  // no allocation per call.
  ctx.pool()->run([&ctx, &pr](std::size_t t) { run_cell(ctx, pr, t); });
}

}  // namespace fastmlp
