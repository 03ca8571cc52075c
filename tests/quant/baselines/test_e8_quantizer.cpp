// SPDX-License-Identifier: GPL-3.0-or-later
// The fixed-E8 layer quantizer: distortion on Gaussian weights, lattice membership of what it decodes,
// scale search and input checks.
#include "baseline_test_util.h"
#include "core/quant/e8_codebook.h"
#include "core/quant/e8_lattice.h"
#include "core/quant/e8_quantizer.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

namespace glvq::quant {
namespace {

LayerInput gaussian(int bits, std::int64_t rows = 256, std::int64_t cols = 1024)
{
    auto input = test::makeLayer(rows, cols, test::uniformBits(cols, bits), 100 + bits);
    input.weight = at::randn({rows, cols}, at::kFloat);
    return input;
}

TEST(E8Quantizer, TwoBitE8PBeatsTheBestScalarQuantizerOnGaussians)
{
    const auto e8p = E8Quantizer().quantize(gaussian(2), {});
    const auto box = E8Quantizer({.codebook = E8CodebookChoice::Box}).quantize(gaussian(2), {});
    std::printf("[ info     ] 2-bit MSE on N(0,1): e8 (E8P) %.5f, e8-box %.5f; Lloyd-Max scalar 0.1175, "
                "best uniform scalar 0.1188, QuIP# E8P 0.089\n",
                e8p.weightMse, box.weightMse);
    ::testing::Test::RecordProperty("e8p_2bit_gaussian_mse", std::to_string(e8p.weightMse));
    EXPECT_LT(e8p.weightMse, 0.1175);
    EXPECT_LT(e8p.weightMse, 0.095);
    EXPECT_NEAR(e8p.bitsPerWeight, 2.0 + 16.0 / (256 * 128), 1e-12);
}

TEST(E8Quantizer, BoxCodebookBeatsTheBestUniformScalarQuantizerAtThreeAndFourBits)
{
    const double bestUniform[] = {0, 0, 0, 0.03744, 0.01154};
    for (const int bits : {3, 4}) {
        const auto result = E8Quantizer().quantize(gaussian(bits), {});
        std::printf("[ info     ] %d-bit MSE on N(0,1): e8 (box) %.5f, best uniform scalar %.5f\n", bits,
                    result.weightMse, bestUniform[bits]);
        EXPECT_LT(result.weightMse, bestUniform[bits]) << bits << " bits";
    }
}

TEST(E8Quantizer, DecodedSubVectorsLieOnTheScaledShiftedLattice)
{
    auto input = test::makeLayer(32, 256, {2, 3}, 5);
    const auto result = E8Quantizer().quantize(input, {});
    const auto& codes = dynamic_cast<const E8LayerCodes&>(*result.codes);
    const auto decoded = result.decoded.to(at::kDouble);
    for (std::int64_t g = 0; g < 2; ++g) {
        const double scale = codes.scales()[g];
        ASSERT_GT(scale, 0.0);
        for (std::int64_t r = 0; r < 32; ++r) {
            for (std::int64_t k = 0; k < 16; ++k) {
                Vec8 p;
                for (int i = 0; i < 8; ++i)
                    p[i] = decoded[r][g * 128 + 8 * k + i].item<double>() / scale - 0.25;
                ASSERT_TRUE(isE8Point(p)) << "row " << r << " group " << g << " sub-vector " << k;
            }
        }
    }
}

TEST(E8Quantizer, HessianWeightedScaleSearchLowersTheProxyLoss)
{
    auto input = test::makeLayer(64, 256, test::uniformBits(256, 2), 8);
    input.hessian = test::correlatedHessian(256, 9);
    const auto weighted = E8Quantizer().quantize(input, {});
    const auto plain = E8Quantizer({.hessianScaleSearch = false}).quantize(input, {});
    for (std::size_t g = 0; g < weighted.groups.size(); ++g) {
        EXPECT_LE(weighted.groups[g].proxyLoss, plain.groups[g].proxyLoss * (1 + 1e-12));
        EXPECT_LE(plain.groups[g].weightMse, weighted.groups[g].weightMse * (1 + 1e-12));
    }
}

TEST(E8Quantizer, OneBitUsesTheBoxCodebook)
{
    const auto result = E8Quantizer().quantize(gaussian(1, 64, 512), {});
    std::printf("[ info     ] 1-bit MSE on N(0,1): e8 (box, 256 points) %.5f, sign quantizer 0.3634\n",
                result.weightMse);
    EXPECT_LT(result.weightMse, 0.45);
    EXPECT_NEAR(result.bitsPerWeight, 1.0 + 16.0 / (64 * 128), 1e-12);
}

TEST(E8Quantizer, ZeroGroupsDecodeToZero)
{
    auto input = test::makeLayer(8, 256, {2, 4}, 3);
    input.weight.slice(1, 0, 128).zero_();
    const auto result = E8Quantizer().quantize(input, {});
    EXPECT_TRUE(at::isfinite(result.decoded).all().item<bool>());
    EXPECT_EQ(result.decoded.slice(1, 0, 128).abs().max().item<float>(), 0.0f);
    EXPECT_GT(result.groups[1].scale, 0.0);
}

TEST(E8Quantizer, NeedsWholeSubVectors)
{
    auto input = test::makeLayer(4, 132, {2, 2}, 1);
    try {
        E8Quantizer().quantize(input, {});
        FAIL() << "expected glvq::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(input.name), std::string::npos) << e.what();
    }
    input = test::makeLayer(4, 128, {5}, 1);
    EXPECT_THROW(E8Quantizer().quantize(input, {}), Error);
}

} // namespace
} // namespace glvq::quant
