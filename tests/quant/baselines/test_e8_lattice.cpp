// SPDX-License-Identifier: GPL-3.0-or-later
// E8 lattice decoding and the finite codebooks against brute force.
#include "core/quant/e8_codebook.h"
#include "core/quant/e8_lattice.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

namespace glvq::quant {
namespace {

Vec8 randomPoint(std::mt19937_64& rng, double spread)
{
    std::normal_distribution<double> normal(0.0, spread);
    Vec8 x;
    for (double& v : x)
        v = normal(rng);
    return x;
}

// Every point of D8 + offset whose coordinates are within 1 of x's: the nearest E8 point is always among
// them (E8's covering radius is 1, so it differs from x by at most 1 per coordinate).
double bruteForceCoset(const Vec8& x, double offset)
{
    std::array<std::array<double, 3>, 8> choices;
    for (int i = 0; i < 8; ++i)
        for (int k = 0; k < 3; ++k)
            choices[i][k] = std::floor(x[i] - offset) + k - 1 + offset;
    double best = HUGE_VAL;
    for (int n = 0; n < 6561; ++n) {
        Vec8 p;
        int rest = n;
        double sum = 0.0;
        for (int i = 0; i < 8; ++i) {
            p[i] = choices[i][rest % 3];
            rest /= 3;
            sum += p[i] - offset;
        }
        if (std::fmod(sum, 2.0) == 0.0)
            best = std::min(best, squaredDistance(x, p));
    }
    return best;
}

TEST(E8Lattice, NearestPointIsExact)
{
    std::mt19937_64 rng(1);
    for (int t = 0; t < 400; ++t) {
        const Vec8 x = randomPoint(rng, t % 2 ? 0.7 : 5.0);
        const Vec8 d8 = nearestPointD8(x);
        const Vec8 e8 = nearestPointE8(x);
        EXPECT_TRUE(isD8Point(d8));
        EXPECT_TRUE(isE8Point(e8));
        const double d8Best = bruteForceCoset(x, 0.0);
        EXPECT_NEAR(squaredDistance(x, d8), d8Best, 1e-12);
        EXPECT_NEAR(squaredDistance(x, e8), std::min(d8Best, bruteForceCoset(x, 0.5)), 1e-12);
        EXPECT_LE(squaredDistance(x, e8), 1.0 + 1e-12); // covering radius of E8
    }
}

TEST(E8Lattice, MembershipRejectsNonPoints)
{
    EXPECT_TRUE(isE8Point({0, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_TRUE(isE8Point({1, 1, 0, 0, 0, 0, 0, 0}));
    EXPECT_TRUE(isE8Point({0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}));
    EXPECT_TRUE(isE8Point({-0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5}));
    EXPECT_FALSE(isE8Point({1, 0, 0, 0, 0, 0, 0, 0}));                       // odd sum
    EXPECT_FALSE(isE8Point({-0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}));      // odd sum in the coset
    EXPECT_FALSE(isE8Point({0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.0}));       // mixed coordinates
}

// Every point of a finite codebook, from decoding all 2^bits codes.
std::vector<Vec8> allPoints(int codeBits, Vec8 (*decode)(std::uint32_t, int), int bits)
{
    std::vector<Vec8> points;
    for (std::uint32_t c = 0; c < (1u << codeBits); ++c)
        points.push_back(decode(c, bits));
    return points;
}

Vec8 decodeE8PAdapter(std::uint32_t code, int) { return decodeE8P(code); }

void expectCodebook(const std::vector<Vec8>& points, std::size_t count)
{
    EXPECT_EQ(std::set<Vec8>(points.begin(), points.end()).size(), count); // codes are a bijection
    for (const auto& p : points) {
        Vec8 unshifted;
        for (int i = 0; i < 8; ++i)
            unshifted[i] = p[i] - 0.25;
        ASSERT_TRUE(isE8Point(unshifted)); // every codeword lies on E8 + ¼
    }
}

void expectExactSearch(const std::vector<Vec8>& points, CodebookPoint (*search)(const Vec8&, int), int bits,
                       Vec8 (*decode)(std::uint32_t, int))
{
    std::mt19937_64 rng(bits);
    for (int t = 0; t < 150; ++t) {
        const Vec8 x = randomPoint(rng, t < 50 ? 0.6 : (t < 100 ? 1.2 : 4.0)); // inside, edge, far outside
        const auto found = search(x, bits);
        double best = HUGE_VAL;
        for (const auto& p : points)
            best = std::min(best, squaredDistance(x, p));
        EXPECT_NEAR(found.squaredDistance, best, 1e-12);
        EXPECT_EQ(decode(found.code, bits), found.point);
    }
}

TEST(E8Codebook, E8PPatternTable)
{
    const auto& patterns = e8pAbsPatterns();
    std::set<std::array<std::uint8_t, 8>> distinct(patterns.begin(), patterns.end());
    EXPECT_EQ(distinct.size(), 256u);
    for (std::size_t p = 0; p < 256; ++p) {
        int norm4 = 0;
        for (const auto h : patterns[p])
            norm4 += h * h;
        if (p < 227)
            EXPECT_LE(norm4, 40) << p; // ‖a‖² ≤ 10
        else
            EXPECT_EQ(norm4, 48) << p; // ‖a‖² = 12
    }
    EXPECT_TRUE(std::is_sorted(patterns.begin(), patterns.begin() + 227));
}

TEST(E8Codebook, E8PIsExactOverAll65536Points)
{
    const auto points = allPoints(16, decodeE8PAdapter, 2);
    expectCodebook(points, 65536);
    expectExactSearch(points, [](const Vec8& x, int) { return nearestE8P(x); }, 2, decodeE8PAdapter);
}

TEST(E8Codebook, BoxIsExactOverEveryPoint)
{
    for (const int bits : {1, 2}) {
        const auto points = allPoints(8 * bits, decodeE8Box, bits);
        expectCodebook(points, std::size_t{1} << (8 * bits));
        expectExactSearch(points, nearestE8Box, bits, decodeE8Box);
    }
}

TEST(E8Codebook, BoxCodesRoundTripAtThreeAndFourBits)
{
    std::mt19937_64 rng(9);
    for (const int bits : {3, 4}) {
        for (int t = 0; t < 2000; ++t) {
            const Vec8 x = randomPoint(rng, bits == 3 ? 2.5 : 5.0);
            const auto found = nearestE8Box(x, bits);
            EXPECT_EQ(decodeE8Box(found.code, bits), found.point);
            const double limit = (1 << (bits - 1)) + 0.25;
            for (const double v : found.point)
                EXPECT_LE(std::fabs(v), limit);
            // Well inside the box the codebook agrees with the unbounded lattice E8 + ¼.
            Vec8 inner;
            Vec8 unshifted;
            for (int i = 0; i < 8; ++i) {
                inner[i] = std::clamp(x[i], -(limit - 1.5), limit - 1.5);
                unshifted[i] = inner[i] - 0.25;
            }
            EXPECT_NEAR(nearestE8Box(inner, bits).squaredDistance,
                        squaredDistance(unshifted, nearestPointE8(unshifted)), 1e-12);
        }
    }
}

TEST(E8Codebook, BoxSearchIsExactAgainstAFourBitNeighbourhood)
{
    // At 4 bits the codebook (2^32 points) is too big to scan; near the box faces compare with every
    // codeword whose coordinates lie within 1.5 of x (3⁸ per coset, filtered to the box).
    std::mt19937_64 rng(12);
    for (int t = 0; t < 100; ++t) {
        const Vec8 x = randomPoint(rng, 9.0);
        const auto found = nearestE8Box(x, 4);
        double best = HUGE_VAL;
        for (const double coset : {0.0, 0.5}) {
            for (int n = 0; n < 6561; ++n) {
                Vec8 p;
                int rest = n;
                double sum = 0.0;
                bool inside = true;
                for (int i = 0; i < 8; ++i) {
                    const double z = std::clamp(std::round(x[i] - 0.25 - coset), -8.0, 7.0) + rest % 3 - 1;
                    rest /= 3;
                    inside = inside && z >= -8 && z <= 7;
                    sum += z;
                    p[i] = z + coset + 0.25;
                }
                if (inside && std::fmod(sum, 2.0) == 0.0)
                    best = std::min(best, squaredDistance(x, p));
            }
        }
        EXPECT_NEAR(found.squaredDistance, best, 1e-9);
    }
}

} // namespace
} // namespace glvq::quant
