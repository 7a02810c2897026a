// Single-precision GEMM for the pure-TypeScript engine, row-major, with offsets instead of views:
//   C = alpha * op(A) op(B) + beta * C.
// Large shapes: op(A) and op(B) are packed into float64 panels (MR rows / NR columns, zero padded)
// and one register-blocked micro-kernel runs on them, so every transpose case reads contiguously.
// Tiny shapes (the seeds' 2-3-1 nets) take a direct strided loop with no packing.
// Sums run in float64 and round to float32 once per k slice of KC (at least as accurate as a
// float32 kernel, so the native engine and this one agree to float32 rounding).

/** Micro-kernel block: MR rows of op(A) by NR columns of op(B) held in MR*NR local accumulators. */
export const MR = 4;
export const NR = 4;
/** Below this many multiply-adds packing costs more than it saves. */
const DIRECT_FLOPS = 4096;
/** Packed op(A) doubles per row block: 64K doubles = 512 KiB, half a typical L2. */
const L2_DOUBLES = 65536;
/** k slice: 256 * 4 doubles = 8 KiB per panel, an A and a B panel fit L1 (32 KiB) with room. */
const KC = 256;
/** The micro-kernel's finished MR x NR block, on its way to C. */
const ACC = new Float64Array(MR * NR);

/**
 * Packing buffers, allocated once by their owner (a trainer) and grown only by reserve().
 * Float64 panels: the kernel reads doubles without a float32->float64 conversion per load.
 */
export class GemmWorkspace {
  ap = new Float64Array(0);
  bp = new Float64Array(0);

  /** Makes room for a product of this shape, so later calls with it never allocate. */
  reserve(m: number, n: number, k: number): void {
    const aSize = Math.ceil(m / MR) * MR * k;
    const bSize = Math.ceil(n / NR) * NR * k;
    if (this.ap.length < aSize) this.ap = new Float64Array(aSize);
    if (this.bp.length < bSize) this.bp = new Float64Array(bSize);
  }
}

/**
 * C[cOff..] = alpha * op(A[aOff..]) op(B[bOff..]) + beta * C[cOff..]. Shapes as Engine.gemm.
 * beta = 0 overwrites C without reading it, so NaN already in C does not propagate.
 * No bounds checks here: callers (Engine.gemm, the trainer) check once.
 */
export function gemm(
  ws: GemmWorkspace,
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
  ws.reserve(m, n, k);
  packA(ws.ap, m, k, A, aOff, ars, acs);
  packB(ws.bp, n, k, B, bOff, brs, bcs);
  const ap = ws.ap;
  const bp = ws.bp;
  const mPad = Math.ceil(m / MR) * MR;
  const nPad = Math.ceil(n / NR) * NR;
  for (let pc = 0; pc < k; pc += KC) {
    // k in slices of KC: an A panel and a B panel (KC*4 doubles each) stay in L1 together.
    // Later slices add onto C (beta 1); the first applies the caller's beta.
    const kc = Math.min(KC, k - pc);
    const b = pc === 0 ? beta : 1;
    const aBlock = pc * mPad;
    const bBlock = pc * nPad;
    // rows of op(A) in blocks of about L2_DOUBLES packed values, kept in L2 while every B panel
    // of the slice passes over them
    const mc = Math.max(MR, Math.floor(L2_DOUBLES / kc / MR) * MR);
    for (let i0 = 0; i0 < m; i0 += mc) {
      const i1 = Math.min(m, i0 + mc);
      for (let j = 0; j < n; j += NR) {
        for (let i = i0; i < i1; i += MR) {
          kernel4x4(
            kc,
            ap,
            aBlock + i * kc,
            bp,
            bBlock + j * kc,
            alpha,
            b,
            C,
            cOff + i * n + j,
            n,
            m - i,
            n - j,
          );
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
 * Packs op(A) in k slices of KC, each slice as MR-row panels: slice pc starts at pc*mPad, its
 * panel i at i*kc, holding op(A)[i + r, pc + p] at p*MR + r. Rows past m are zero.
 */
function packA(
  ap: Float64Array,
  m: number,
  k: number,
  A: Float32Array,
  aOff: number,
  ars: number,
  acs: number,
) {
  let dst = 0;
  for (let pc = 0; pc < k; pc += KC) {
    const pEnd = Math.min(k, pc + KC);
    for (let i = 0; i < m; i += MR) {
      const rows = Math.min(MR, m - i);
      for (let p = pc; p < pEnd; p++) {
        let src = aOff + i * ars + p * acs;
        for (let r = 0; r < MR; r++) {
          ap[dst++] = r < rows ? A[src] : 0;
          src += ars;
        }
      }
    }
  }
}

/** Packs op(B) like packA, in NR-column panels: op(B)[pc + p, j + c] at pc*nPad + j*kc + p*NR + c. */
function packB(
  bp: Float64Array,
  n: number,
  k: number,
  B: Float32Array,
  bOff: number,
  brs: number,
  bcs: number,
) {
  let dst = 0;
  for (let pc = 0; pc < k; pc += KC) {
    const pEnd = Math.min(k, pc + KC);
    for (let j = 0; j < n; j += NR) {
      const cols = Math.min(NR, n - j);
      for (let p = pc; p < pEnd; p++) {
        let src = bOff + p * brs + j * bcs;
        for (let c = 0; c < NR; c++) {
          bp[dst++] = c < cols ? B[src] : 0;
          src += bcs;
        }
      }
    }
  }
}

/**
 * One MR x NR block of C from a packed A panel and a packed B panel: 16 accumulators, 8 loads per
 * 16 multiply-adds. rows/cols (possibly > 4) clip the store at the edges of C.
 */
function kernel4x4(
  k: number,
  ap: Float64Array,
  ai: number,
  bp: Float64Array,
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
    const a0 = ap[ai];
    const a1 = ap[ai + 1];
    const a2 = ap[ai + 2];
    const a3 = ap[ai + 3];
    const b0 = bp[bi];
    const b1 = bp[bi + 1];
    const b2 = bp[bi + 2];
    const b3 = bp[bi + 3];
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
    ai += MR;
    bi += NR;
  }
  // through a scratch block rather than helper calls with 16 double arguments: V8 boxes doubles
  // passed to a call it does not inline, which would allocate in the hot loop
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
