// SPDX-License-Identifier: GPL-3.0-or-later
// Babai rounding on the mid-rise box codebook: exact nearest point for orthogonal generators (where the
// problem separates per axis), and the code alphabet/offsets of spec §1.
#include "core/quant/lattice_math.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <limits>

using namespace glvq::quant;

namespace {

at::Tensor orthogonalGenerator(int d, double scale, std::uint64_t seed)
{
    at::manual_seed(seed);
    const auto [q, r] = at::linalg_qr(at::randn({d, d}, at::kDouble));
    return q * scale;
}

// Brute force over every code of the box {0 … 2^b − 1}^d (small d, b).
at::Tensor bruteForceNearest(const at::Tensor& y, const at::Tensor& g, int bits)
{
    const int d = static_cast<int>(g.size(0));
    const int levels = 1 << bits;
    std::int64_t total = 1;
    for (int i = 0; i < d; ++i)
        total *= levels;
    auto all = at::empty({total, d}, at::kDouble);
    for (std::int64_t index = 0; index < total; ++index) {
        std::int64_t rest = index;
        for (int i = 0; i < d; ++i) {
            all[index][i] = static_cast<double>(rest % levels);
            rest /= levels;
        }
    }
    const auto points = at::mm(all - codeOffset(bits), g.t());            // [total, d]
    const auto distances = at::cdist(y.to(at::kDouble), points);           // [ℓ, total]
    return all.index_select(0, distances.argmin(1)).to(at::kFloat);
}

} // namespace

TEST(Babai, OffsetsAreMidRise)
{
    EXPECT_EQ(codeOffset(1), 0.5);
    EXPECT_EQ(codeOffset(2), 1.5);
    EXPECT_EQ(codeOffset(3), 3.5);
    EXPECT_EQ(codeOffset(4), 7.5);
}

TEST(Babai, EqualsNearestBoxPointForOrthogonalGenerators)
{
    for (int d : {2, 4}) {
        for (int bits : {1, 2, 3}) {
            if (d == 4 && bits == 3)
                continue; // 4096 points per query: enough coverage without it
            const auto g = orthogonalGenerator(d, 0.7, 10 + d * 7 + bits);
            at::manual_seed(99 + d + bits);
            // Points inside and well outside the box, so clamping is exercised too.
            const auto y = at::randn({300, d}, at::kDouble) * (0.7 * (1 << bits) / 2.0);
            const auto codes = babaiCodes(y.to(at::kFloat), at::linalg_inv(g), bits);
            const auto expected = bruteForceNearest(y, g, bits);
            EXPECT_TRUE(at::equal(codes, expected)) << "d=" << d << " bits=" << bits;
        }
    }
}

TEST(Babai, EqualsNearestLatticePointInANeighbourhoodAtFourBits)
{
    const int d = 4;
    const int bits = 4;
    const auto g = orthogonalGenerator(d, 0.3, 5);
    at::manual_seed(6);
    const auto y = at::randn({200, d}, at::kDouble) * 0.6; // inside the 16-level box
    const auto codes = babaiCodes(y.to(at::kFloat), at::linalg_inv(g), bits);
    // Every code in the 3^d neighbourhood of Babai's answer is at least as far away.
    for (std::int64_t i = 0; i < y.size(0); ++i) {
        const auto base = codes[i].to(at::kDouble);
        const double babai = (y[i] - at::mv(g, base - codeOffset(bits))).norm().item<double>();
        for (int index = 0; index < 81; ++index) {
            auto candidate = base.clone();
            int rest = index;
            for (int j = 0; j < d; ++j, rest /= 3)
                candidate[j] += static_cast<double>(rest % 3 - 1);
            const double distance = (y[i] - at::mv(g, candidate - codeOffset(bits))).norm().item<double>();
            EXPECT_LE(babai, distance + 1e-9) << "row " << i;
        }
    }
}

TEST(Babai, RoundsHalfToEvenAndClamps)
{
    // G = I, bits 2: a = y + 1.5; y = 0 → 1.5 → 2 (even); y = 1 → 2.5 → 2; y = 9 → clamp 3; y = −9 → 0.
    const auto y = at::tensor({0.0f, 1.0f, 9.0f, -9.0f}, at::kFloat).view({2, 2});
    const auto codes = babaiCodes(y, at::eye(2, at::kFloat), 2);
    EXPECT_TRUE(at::equal(codes, at::tensor({2.0f, 2.0f, 3.0f, 0.0f}, at::kFloat).view({2, 2})));
    const auto points = latticePoints(codes, at::eye(2, at::kFloat), 2);
    EXPECT_TRUE(at::equal(points, at::tensor({0.5f, 0.5f, 1.5f, -1.5f}, at::kFloat).view({2, 2})));
}

TEST(Babai, HalfRoundingHelpers)
{
    EXPECT_EQ(roundToHalf(1.0), 1.0);
    EXPECT_EQ(roundToHalf(1.0 + 1.0 / 4096.0), 1.0); // below half an fp16 ulp at 1
    EXPECT_EQ(roundToHalf(0.1), 0.0999755859375);
    EXPECT_NEAR(pearsonKurtosis(at::randn({200000}, at::kDouble)), 3.0, 0.1);
}

TEST(Babai, MantissaRoundingKeepsFp16ValuesWithFewerBits)
{
    // 10 bits is plain fp16 rounding; fewer bits: nearest value with that many explicit mantissa bits.
    const auto values = at::tensor({0.1, -0.3, 1.0 + 1.0 / 64.0, 3.0e-3, 0.0, 1000.0}, at::kDouble);
    EXPECT_TRUE(at::equal(roundToMantissaBits(values, 10), roundToHalf(values)));
    const auto three = roundToMantissaBits(values, 3);
    // 0.1 = 0.8·2⁻³ → 1.625·2⁻⁴ = 0.1015625 (1.6 in 1/8 steps); −0.3 = −1.2·2⁻² → −1.25·2⁻²; 1 + 1/64 → 1.
    EXPECT_EQ(three[0].item<double>(), 0.1015625);
    EXPECT_EQ(three[1].item<double>(), -0.3125);
    EXPECT_EQ(three[2].item<double>(), 1.0);
    EXPECT_EQ(three[4].item<double>(), 0.0);
    EXPECT_EQ(three[5].item<double>(), 1024.0); // 1000 = 1.953·2⁹ → 2.0·2⁹
    // Every result is an fp16 number whose low 10 − 3 mantissa bits are zero, within 2⁻⁴ relative.
    const auto bits = three.to(at::kHalf).view(at::kShort).to(at::kInt);
    EXPECT_TRUE(at::equal(bits.bitwise_and(0x7F), at::zeros_like(bits)));
    EXPECT_TRUE(at::equal(roundToHalf(three), three));
    EXPECT_LE(((three - values).abs() / values.abs().clamp_min(1e-30)).max().item<double>(), 1.0 / 16.0);
    // 0 bits: powers of two (0.1 → 0.125, −0.3 → −0.25, 1000 → 1024).
    const auto zero = roundToMantissaBits(values, 0);
    EXPECT_EQ(zero[0].item<double>(), 0.125);
    EXPECT_EQ(zero[1].item<double>(), -0.25);
    EXPECT_EQ(zero[5].item<double>(), 1024.0);
    EXPECT_THROW(roundToMantissaBits(values, -1), glvq::Error);
    EXPECT_THROW(roundToMantissaBits(values, 11), glvq::Error);
}
