// The order of the rows kernels' tiles of C, and which of them one part of a split product runs:
// one definition for the AVX2 and AVX-512 rows kernels (they differ in vector width and in how
// many vectors a column block holds, not in how the tiles are counted and shared out).
#pragma once

#include <cstddef>

namespace fastmlp {

// The tiles, in order: per column block (v_max vectors, the last one narrower), its whole blocks
// of rows_for(v) rows, then one block of the rows left. Part `part` of `parts` runs tiles
// [T part / parts, T (part + 1) / parts) of the T in all, each exactly as the whole run would:
// block(v0, v, r, i0, i1) runs rows [i0, i1) in tiles of r rows of the column block of v vectors
// starting at vector v0. A template over the caller's lambdas, so each ISA's file instantiates
// its own copy with its own compiler flags.
template <class RowsFor, class Block>
void for_each_tile_run(std::size_t m, std::size_t vectors, std::size_t v_max, std::size_t part,
                       std::size_t parts, RowsFor rows_for, Block block) {
  std::size_t tiles = 0;
  for (std::size_t v0 = 0; v0 < vectors; v0 += v_max) {
    const std::size_t r_max = rows_for(vectors - v0 < v_max ? vectors - v0 : v_max);
    tiles += (m + r_max - 1) / r_max;
  }
  const std::size_t t_begin = tiles * part / parts, t_end = tiles * (part + 1) / parts;
  std::size_t first = 0;  // the index of this column block's first tile
  for (std::size_t v0 = 0; v0 < vectors && first < t_end; v0 += v_max) {
    const std::size_t v = vectors - v0 < v_max ? vectors - v0 : v_max;
    const std::size_t r_max = rows_for(v);
    const std::size_t whole_tiles = m / r_max, count = (m + r_max - 1) / r_max;
    const std::size_t a = t_begin > first ? t_begin - first : 0;
    const std::size_t b = t_end - first < count ? t_end - first : count;
    first += count;
    if (a >= b) continue;
    const std::size_t whole_end = b < whole_tiles ? b : whole_tiles;
    if (a < whole_end) block(v0, v, r_max, a * r_max, whole_end * r_max);
    if (b > whole_tiles) block(v0, v, m - whole_tiles * r_max, whole_tiles * r_max, m);
  }
}

}  // namespace fastmlp
