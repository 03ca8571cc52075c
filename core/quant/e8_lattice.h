// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Lattice maths for the E8 baseline, free of torch so the GUI can draw and probe it directly.
//   D8 = { z ∈ Z⁸ : Σ z_i even },   E8 = D8 ∪ (D8 + ½·1).
// Nearest-point decoding follows Conway & Sloane (SPLAG ch. 20, "Decoding D_n" and the union of cosets):
// round every coordinate; if the sum is odd, re-round the coordinate farthest from an integer the other way;
// for E8 take the closer of the answers for D8 and for D8 + ½·1. All of it is exact (ties are broken
// deterministically: the lowest coordinate index, and D8 before its coset).
// Units: plain lattice coordinates (no scale). Thread-safety: pure functions.
#include <array>

namespace glvq::quant {

using Vec8 = std::array<double, 8>;

double squaredDistance(const Vec8& a, const Vec8& b);

// The point of D8 nearest to x.
Vec8 nearestPointD8(const Vec8& x);
// The point of E8 nearest to x.
Vec8 nearestPointE8(const Vec8& x);

// The point of D8 ∩ [lo, hi]⁸ nearest to x, for integers lo < hi. Exact: coordinate-wise clamped rounding
// is optimal without the parity constraint, and with it the optimum changes exactly one coordinate to its
// best neighbour of the other parity (changing three can only cost more).
Vec8 nearestPointD8InBox(const Vec8& x, int lo, int hi);

// Membership, exact for coordinates that are multiples of ½ (no tolerance: callers pass lattice points).
bool isD8Point(const Vec8& p);
bool isE8Point(const Vec8& p);

} // namespace glvq::quant
