// Single-precision GEMM for the pure-TypeScript engine, row-major, with offsets instead of views:
//   C = alpha * op(A) op(B) + beta * C.
// Large shapes: op(A) and op(B) are packed into float64 panels (MR rows / NR columns, zero padded)
// and one register-blocked micro-kernel runs on them, so every transpose case reads contiguously.
// Tiny shapes (the seeds' 2-3-1 nets) take a direct strided loop with no packing.
// Sums run in float64 and round to float32 once per k slice of KC (at least as accurate as a
// float32 kernel, so the native engine and this one agree to float32 rounding).

/** Micro-kernel block: MR rows of op(A) by NR columns of op(B) held in MR*NR local accumulators. */
const MR = 4;
const NR = 4;
/** Below this many multiply-adds packing costs more than it saves. */
const DIRECT_FLOPS = 4096;
/** k slice: 256 * 4 doubles = 8 KiB per panel, an A and a B panel fit L1 (32 KiB) with room. */
const KC = 256;
/** Packed op(A) block: up to 64K doubles = 512 KiB (mc rows by kc), about half an L2. */
const AP_SIZE = 65536;
/** Packed op(B) block: up to 32K doubles = 256 KiB (kc by nc columns). */
const BP_SIZE = 32768;
/**
 * The packing buffers: fixed-size module constants (never exported or replaced), so V8 embeds
 * their address and length in the kernel's code: no per-load reloads of the typed arrays'
 * backing store, bounds checks against an immediate, loads folded into the multiplies.
 * Float64 panels: the kernel reads doubles without a float32->float64 conversion per load.
 * One pair serves every call (JS runs one gemm at a time; gemm calls nothing re-entrant).
 */
const AP = new Float64Array(AP_SIZE);
const BP = new Float64Array(BP_SIZE);
/** The micro-kernel's finished MR x NR block, on its way to C. */
const ACC = new Float64Array(MR * NR);

/**
 * C[cOff..] = alpha * op(A[aOff..]) op(B[bOff..]) + beta * C[cOff..]. Shapes as Engine.gemm.
 * beta = 0 overwrites C without reading it, so NaN already in C does not propagate.
 * No bounds checks here: callers (Engine.gemm, the trainer) check once.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float32Array,
  aOff: number,
  B: Float32Array,
  bOff: number,
  beta: number,
  C: Float32Array,
  cOff: number,
): void {
  if (m === 0 || n === 0) return;
  // op(A)[i, p] = A[aOff + i*ars + p*acs]; op(B)[p, j] = B[bOff + p*brs + j*bcs]
  const ars = transA ? 1 : k;
  const acs = transA ? m : 1;
  const brs = transB ? 1 : n;
  const bcs = transB ? k : 1;
  if (k === 0 || alpha === 0) {
    scaleC(m, n, beta, C, cOff);
    return;
  }
  if (m * n * k <= DIRECT_FLOPS) {
    gemmDirect(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, beta, C, cOff);
    return;
  }
  for (let pc = 0; pc < k; pc += KC) {
    // k in slices of KC; later slices add onto C (beta 1), the first applies the caller's beta
    const kc = Math.min(KC, k - pc);
    const b = pc === 0 ? beta : 1;
    // rows of op(A) in blocks of mc (packed once, kept in L2), columns of op(B) in blocks of nc
    const mc = Math.floor(AP_SIZE / kc / MR) * MR;
    const nc = Math.floor(BP_SIZE / kc / NR) * NR;
    for (let i0 = 0; i0 < m; i0 += mc) {
      const i1 = Math.min(m, i0 + mc);
      packA(i1 - i0, kc, A, aOff + i0 * ars + pc * acs, ars, acs);
      for (let j0 = 0; j0 < n; j0 += nc) {
        const j1 = Math.min(n, j0 + nc);
        packB(j1 - j0, kc, B, bOff + pc * brs + j0 * bcs, brs, bcs);
        for (let j = j0; j < j1; j += NR) {
          for (let i = i0; i < i1; i += MR) {
            kernel(kc, (i - i0) * kc, (j - j0) * kc, alpha, b, C, cOff + i * n + j, n, m - i, n - j);
          }
        }
      }
    }
  }
}

/** C = beta * C, with beta = 0 writing zeros (not 0 * NaN). */
function scaleC(m: number, n: number, beta: number, C: Float32Array, cOff: number): void {
  const end = cOff + m * n;
  if (beta === 0) C.fill(0, cOff, end);
  else if (beta !== 1) for (let i = cOff; i < end; i++) C[i] *= beta;
}

/** Plain strided dot products with double accumulation: for shapes too small to pack. */
function gemmDirect(
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float32Array,
  aOff: number,
  ars: number,
  acs: number,
  B: Float32Array,
  bOff: number,
  brs: number,
  bcs: number,
  beta: number,
  C: Float32Array,
  cOff: number,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * ars;
    const cRow = cOff + i * n;
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ai = aRow;
      let bi = bOff + j * bcs;
      for (let p = 0; p < k; p++) {
        s += A[ai] * B[bi];
        ai += acs;
        bi += brs;
      }
      C[cRow + j] = beta === 0 ? alpha * s : alpha * s + beta * C[cRow + j];
    }
  }
}

/**
 * Packs op(A)[0..m, 0..kc) into AP as MR-row panels: row i + r, column p at i*kc + p*MR + r.
 * Rows past m are zero. (op(A)[i, p] = A[aOff + i*ars + p*acs].)
 */
function packA(m: number, kc: number, A: Float32Array, aOff: number, ars: number, acs: number): void {
  let dst = 0;
  for (let i = 0; i < m; i += MR) {
    let src = aOff + i * ars;
    if (m - i >= MR) {
      for (let p = 0; p < kc; p++) {
        AP[dst] = A[src];
        AP[dst + 1] = A[src + ars];
        AP[dst + 2] = A[src + 2 * ars];
        AP[dst + 3] = A[src + 3 * ars];
        dst += MR;
        src += acs;
      }
    } else {
      for (let p = 0; p < kc; p++, src += acs) {
        for (let r = 0; r < MR; r++) AP[dst++] = i + r < m ? A[src + r * ars] : 0;
      }
    }
  }
}

/** Packs op(B)[0..kc, 0..n) into BP as NR-column panels: row p, column j + c at j*kc + p*NR + c. */
function packB(n: number, kc: number, B: Float32Array, bOff: number, brs: number, bcs: number): void {
  let dst = 0;
  for (let j = 0; j < n; j += NR) {
    let src = bOff + j * bcs;
    if (n - j >= NR) {
      for (let p = 0; p < kc; p++) {
        BP[dst] = B[src];
        BP[dst + 1] = B[src + bcs];
        BP[dst + 2] = B[src + 2 * bcs];
        BP[dst + 3] = B[src + 3 * bcs];
        dst += NR;
        src += brs;
      }
    } else {
      for (let p = 0; p < kc; p++, src += brs) {
        for (let c = 0; c < NR; c++) BP[dst++] = j + c < n ? B[src + c * bcs] : 0;
      }
    }
  }
}

/**
 * One MR x NR block of C from a packed A panel and a packed B panel: 16 accumulators, 8 loads per
 * 16 multiply-adds. rows/cols (possibly > 4) clip the store at the edges of C.
 */
function kernel(
  k: number,
  ai: number,
  bi: number,
  alpha: number,
  beta: number,
  C: Float32Array,
  ci: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  let c30 = 0;
  let c31 = 0;
  let c32 = 0;
  let c33 = 0;
  const end = ai + k * MR;
  while (ai < end) {
    const a0 = AP[ai];
    const a1 = AP[(ai + 1) | 0];
    const a2 = AP[(ai + 2) | 0];
    const a3 = AP[(ai + 3) | 0];
    const b0 = BP[bi];
    const b1 = BP[(bi + 1) | 0];
    const b2 = BP[(bi + 2) | 0];
    const b3 = BP[(bi + 3) | 0];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ai = (ai + MR) | 0;
    bi = (bi + NR) | 0;
  }
  if (beta === 0 && rows >= MR && cols >= NR) {
    // a full block overwriting C (the common case): straight from the accumulators
    let i = ci;
    C[i] = alpha * c00;
    C[i + 1] = alpha * c01;
    C[i + 2] = alpha * c02;
    C[i + 3] = alpha * c03;
    i += ldc;
    C[i] = alpha * c10;
    C[i + 1] = alpha * c11;
    C[i + 2] = alpha * c12;
    C[i + 3] = alpha * c13;
    i += ldc;
    C[i] = alpha * c20;
    C[i + 1] = alpha * c21;
    C[i + 2] = alpha * c22;
    C[i + 3] = alpha * c23;
    i += ldc;
    C[i] = alpha * c30;
    C[i + 1] = alpha * c31;
    C[i + 2] = alpha * c32;
    C[i + 3] = alpha * c33;
    return;
  }
  // edges and beta != 0 through a scratch block rather than a helper call with 16 double
  // arguments: V8 boxes doubles passed to a call it does not inline (an allocation per block)
  const t = ACC;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
  const r1 = Math.min(rows, MR);
  const c1 = Math.min(cols, NR);
  for (let r = 0; r < r1; r++) {
    const row = ci + r * ldc;
    if (beta === 0) for (let c = 0; c < c1; c++) C[row + c] = alpha * t[r * NR + c];
    else for (let c = 0; c < c1; c++) C[row + c] = alpha * t[r * NR + c] + beta * C[row + c];
  }
}
