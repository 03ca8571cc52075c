// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/e8_codebook.h"

#include <cmath>
#include <cstdlib>

namespace glvq::quant {
namespace {

constexpr int kPatterns = 256;
constexpr int kLookupSize = 6561; // 3⁸: patterns with entries ½, 3/2, 5/2

// QuIP#'s 29 norm-12 patterns (lib/codebook/latticee8_padded12.py): entries are 3/2 except at these three
// coordinates, which are ½.
constexpr int kNorm12HalfPositions[29][3] = {
    {1, 2, 3}, {0, 2, 3}, {0, 1, 3}, {0, 1, 2}, {3, 6, 7}, {3, 5, 7}, {3, 4, 7}, {3, 5, 6}, {3, 4, 6}, {3, 4, 5},
    {2, 6, 7}, {2, 5, 7}, {2, 4, 7}, {2, 5, 6}, {2, 4, 6}, {2, 4, 5}, {1, 6, 7}, {1, 5, 7}, {1, 4, 7}, {1, 5, 6},
    {1, 4, 6}, {0, 4, 5}, {0, 6, 7}, {0, 5, 7}, {0, 4, 7}, {0, 5, 6}, {0, 4, 6}, {0, 1, 4}, {2, 3, 7},
};

struct E8PTables {
    std::array<std::array<std::uint8_t, 8>, kPatterns> halves{}; // |x_i| in units of ½
    std::array<std::array<double, 8>, kPatterns> abs{};
    std::array<std::array<double, kPatterns>, 8> absByCoordinate{}; // transposed, for the vectorised scan
    std::array<double, kPatterns> norm2{};
    std::array<int, kPatterns> l1Parity{}; // Σ|x_i| mod 2 (an integer: eight half-integers)
    std::array<double, kPatterns> parityMask{}; // l1Parity as 0.0 / 1.0
    std::array<std::int16_t, kLookupSize> lookup{}; // base-3 key of (|x_i| − ½) → pattern index, or −1
};

int lookupKey(const std::array<std::uint8_t, 8>& halves)
{
    int key = 0;
    for (int i = 7; i >= 0; --i)
        key = key * 3 + (halves[i] - 1) / 2;
    return key;
}

E8PTables buildTables()
{
    E8PTables t;
    t.lookup.fill(-1);
    int count = 0;
    auto add = [&](const std::array<std::uint8_t, 8>& halves) {
        t.halves[count] = halves;
        int l1 = 0;
        for (int i = 0; i < 8; ++i) {
            t.abs[count][i] = halves[i] / 2.0;
            t.absByCoordinate[i][count] = halves[i] / 2.0;
            t.norm2[count] += t.abs[count][i] * t.abs[count][i];
            l1 += halves[i];
        }
        t.l1Parity[count] = (l1 / 2) % 2;
        t.parityMask[count] = t.l1Parity[count];
        t.lookup[lookupKey(halves)] = static_cast<std::int16_t>(count);
        ++count;
    };
    // Lexicographic order: coordinate 0 most significant, entries ascending.
    for (int n = 0; n < kLookupSize; ++n) {
        std::array<std::uint8_t, 8> halves{};
        int rest = n;
        int norm4 = 0; // 4‖a‖² = Σ halves²
        for (int i = 7; i >= 0; --i) {
            halves[i] = static_cast<std::uint8_t>(2 * (rest % 3) + 1);
            rest /= 3;
            norm4 += halves[i] * halves[i];
        }
        if (norm4 <= 40)
            add(halves);
    }
    for (const auto& positions : kNorm12HalfPositions) {
        std::array<std::uint8_t, 8> halves;
        halves.fill(3);
        for (const int p : positions)
            halves[p] = 1;
        add(halves);
    }
    if (count != kPatterns)
        std::abort(); // the table is a mathematical constant; a wrong count is a programming error
    return t;
}

const E8PTables& tables()
{
    static const E8PTables t = buildTables();
    return t;
}

// Nearest point s ⊙ a of D̂8 with a in the table, by scanning every pattern with its best admissible signs.
// Written as branch-free loops over the transposed table so the compiler vectorises them: this scan is the
// hot path of the E8P scale search for weights outside the codebook's ball.
int scanPatterns(const Vec8& y, Vec8& point)
{
    const auto& t = tables();
    Vec8 absY;
    int negatives = 0;
    for (int i = 0; i < 8; ++i) {
        absY[i] = std::fabs(y[i]);
        negatives += y[i] < 0.0;
    }
    alignas(64) std::array<double, kPatterns> dot{};
    alignas(64) std::array<double, kPatterns> minProduct;
    minProduct.fill(HUGE_VAL);
    for (int i = 0; i < 8; ++i) {
        const double a = absY[i];
        const auto& column = t.absByCoordinate[i];
        for (int p = 0; p < kPatterns; ++p) {
            const double product = a * column[p];
            dot[p] += product;
            minProduct[p] = product < minProduct[p] ? product : minProduct[p];
        }
    }
    // ‖|y| − a‖² up to the constant ‖y‖²; a parity mismatch costs flipping the cheapest coordinate.
    const double negativeParity = negatives & 1;
    int best = 0;
    double bestCost = HUGE_VAL;
    for (int p = 0; p < kPatterns; ++p) {
        const double mismatch = t.parityMask[p] != negativeParity ? 4.0 : 0.0;
        const double cost = t.norm2[p] - 2.0 * dot[p] + mismatch * minProduct[p];
        if (cost < bestCost) {
            bestCost = cost;
            best = p;
        }
    }
    int flip = -1;
    if ((t.l1Parity[best] + negatives) & 1) {
        double smallest = HUGE_VAL;
        for (int i = 0; i < 8; ++i) {
            if (absY[i] * t.abs[best][i] < smallest) {
                smallest = absY[i] * t.abs[best][i];
                flip = i;
            }
        }
    }
    for (int i = 0; i < 8; ++i) {
        const bool negative = (y[i] < 0.0) != (i == flip);
        point[i] = negative ? -t.abs[best][i] : t.abs[best][i];
    }
    return best;
}

} // namespace

const std::array<std::array<std::uint8_t, 8>, 256>& e8pAbsPatterns() { return tables().halves; }

CodebookPoint nearestE8P(const Vec8& x)
{
    const auto& t = tables();
    CodebookPoint best;
    best.squaredDistance = HUGE_VAL;
    for (const std::uint32_t shiftBit : {0u, 1u}) {
        const double shift = shiftBit ? -0.25 : 0.25;
        Vec8 y;
        Vec8 centred;
        for (int i = 0; i < 8; ++i) {
            y[i] = x[i] - shift;
            centred[i] = y[i] - 0.5;
        }
        // Unconstrained nearest point of D̂8 = D8 + ½; if its pattern is in the table it is the answer.
        Vec8 point = nearestPointD8(centred);
        int pattern = -1;
        std::array<std::uint8_t, 8> halves{};
        bool inRange = true;
        for (int i = 0; i < 8; ++i) {
            point[i] += 0.5;
            const double a = std::fabs(point[i]);
            inRange = inRange && a <= 2.5;
            halves[i] = static_cast<std::uint8_t>(inRange ? 2.0 * a : 1.0);
        }
        if (inRange)
            pattern = t.lookup[lookupKey(halves)];
        if (pattern < 0)
            pattern = scanPatterns(y, point);
        std::uint32_t code = static_cast<std::uint32_t>(pattern) | (shiftBit << 15);
        for (int i = 0; i < 7; ++i)
            code |= static_cast<std::uint32_t>(point[i] < 0.0) << (8 + i);
        for (double& v : point)
            v += shift;
        const double distance = squaredDistance(x, point);
        if (distance < best.squaredDistance)
            best = {code, point, distance};
    }
    return best;
}

Vec8 decodeE8P(std::uint32_t code)
{
    const auto& t = tables();
    const int pattern = static_cast<int>(code & 0xFF);
    const double shift = (code >> 15) & 1 ? -0.25 : 0.25;
    Vec8 point;
    int negatives = 0;
    for (int i = 0; i < 7; ++i) {
        const bool negative = (code >> (8 + i)) & 1;
        negatives += negative;
        point[i] = (negative ? -t.abs[pattern][i] : t.abs[pattern][i]) + shift;
    }
    const bool negative7 = ((t.l1Parity[pattern] + negatives) & 1) != 0; // Σ s ⊙ a must be even
    point[7] = (negative7 ? -t.abs[pattern][7] : t.abs[pattern][7]) + shift;
    return point;
}

CodebookPoint nearestE8Box(const Vec8& x, int bits)
{
    const int half = 1 << (bits - 1);
    CodebookPoint best;
    best.squaredDistance = HUGE_VAL;
    for (const std::uint32_t coset : {0u, 1u}) {
        const double offset = 0.25 + 0.5 * coset;
        Vec8 y;
        for (int i = 0; i < 8; ++i)
            y[i] = x[i] - offset;
        const Vec8 z = nearestPointD8InBox(y, -half, half - 1);
        Vec8 point;
        std::uint32_t code = coset;
        for (int i = 0; i < 8; ++i) {
            point[i] = z[i] + offset;
            const auto level = static_cast<std::uint32_t>(z[i] + half);
            if (i < 7)
                code |= level << (1 + i * bits);
            else
                code |= (level >> 1) << (1 + 7 * bits); // the low bit of u_7 is implied by parity
        }
        const double distance = squaredDistance(x, point);
        if (distance < best.squaredDistance)
            best = {code, point, distance};
    }
    return best;
}

Vec8 decodeE8Box(std::uint32_t code, int bits)
{
    const int half = 1 << (bits - 1);
    const std::uint32_t mask = (1u << bits) - 1;
    const double offset = 0.25 + 0.5 * (code & 1);
    Vec8 point;
    std::uint32_t paritySum = 0;
    for (int i = 0; i < 7; ++i) {
        const std::uint32_t level = (code >> (1 + i * bits)) & mask;
        paritySum += level;
        point[i] = static_cast<double>(level) - half + offset;
    }
    const std::uint32_t level7 = (((code >> (1 + 7 * bits)) << 1) & mask) | (paritySum & 1);
    point[7] = static_cast<double>(level7) - half + offset;
    return point;
}

} // namespace glvq::quant
