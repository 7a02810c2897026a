// The finiteness check of input data, fused with the copy fit makes of it: one pass that reads
// the source once (and writes the copy once) instead of a check pass and a copy pass.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastmlp {

// Index of the first of src[0..n) that is NaN or +-Infinity, or -1 when all are finite. When dst
// is not null it receives src[0..n) whatever the answer (dst and src must not overlap). Blocks of
// kFiniteScanBlock floats: copied, then tested by their exponent bits with a branch-free OR the
// compiler vectorizes; only a block holding a non-finite value is searched element by element.
std::int64_t scan_finite(const float* src, float* dst, std::size_t n);

}  // namespace fastmlp
