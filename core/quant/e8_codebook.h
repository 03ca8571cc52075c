// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The finite E8 codebooks of the "e8" baseline: 8 weights share one code of 8·b bits, so each codebook has
// exactly 2^(8b) points. Both are subsets of the shifted lattice E8 + ¼·1, which is symmetric under x ↦ −x
// (the ¼ shift swaps the cosets D8 + ¼ and D8 + ½ + ¼); unshifted truncations of E8 are not.
//
// E8P (2 bits, QuIP#'s codebook, Tseng et al. 2024): D̂8 = {x ∈ (Z + ½)⁸ : Σx even} = D8 + ½·1, and
// E8 + ¼ = (D̂8 + ¼) ∪ (D̂8 − ¼). A point is s ⊙ a ± ¼ with a one of 256 absolute-value patterns (the 227
// patterns of D̂8 with ‖a‖² ≤ 10, in lexicographic order, then QuIP#'s 29 patterns of ‖a‖² = 12: five 3/2 and
// three ½) and s a sign vector with Σ s ⊙ a even. 16-bit code: bits 0–7 pattern index, bits 8–14 signs of
// coordinates 0–6 (1 = negative), bit 15 the shift (0: +¼, 1: −¼); the sign of coordinate 7 follows from
// parity. Nearest point: exact. For each shift the nearest point of D̂8 (lattice decoding) is taken when its
// pattern is in the table; otherwise all 256 patterns are scanned with their best admissible signs.
//
// Box (b = 1..4 bits): level u_i ∈ [0, 2^b − 1] per coordinate with Σu even, coset c ∈ {0, 1}, point
// x_i = u_i − 2^(b−1) + c/2 + ¼, i.e. (D8 ∪ (D8 + ½)) ∩ box, shifted by ¼: 2·2^(8b)/2 = 2^(8b) points.
// Code (8b bits): bit 0 coset, then b bits per level u_0..u_6, then the b − 1 high bits of u_7 (its low
// bit follows from parity). Nearest point: exact (nearestPointD8InBox per coset).
//
// Units: unscaled lattice coordinates. Thread-safety: pure functions; the E8P tables are built once,
// thread-safely, on first use.
#include "core/quant/e8_lattice.h"

#include <cstdint>

namespace glvq::quant {

struct CodebookPoint {
    std::uint32_t code = 0;
    Vec8 point{};
    double squaredDistance = 0.0; // to the input
};

// E8P, 2 bits per coordinate (16-bit codes).
CodebookPoint nearestE8P(const Vec8& x);
Vec8 decodeE8P(std::uint32_t code);
// The 256 absolute-value patterns in units of ½ (entries 1, 3 or 5), in code order.
const std::array<std::array<std::uint8_t, 8>, 256>& e8pAbsPatterns();

// Box codebook, b bits per coordinate (8b-bit codes), 1 ≤ b ≤ 4.
CodebookPoint nearestE8Box(const Vec8& x, int bits);
Vec8 decodeE8Box(std::uint32_t code, int bits);

} // namespace glvq::quant
