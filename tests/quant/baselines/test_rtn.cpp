// SPDX-License-Identifier: GPL-3.0-or-later
// RTN against a literal re-statement of the fixtures' formula in torch ops, bit for bit.
#include "baseline_test_util.h"
#include "core/quant/rtn_quantizer.h"
#include "core/quant/scalar_codes.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

#include <cmath>

namespace glvq::quant {
namespace {

// The fixtures' README, one group at a time: per row min/max, scale, zero, q, w'. Rows with max == min give
// NaN here (0/0), which is why the quantizer special-cases them; callers compare only the other rows.
at::Tensor referenceRtn(const at::Tensor& weight, std::int64_t groupSize, const std::vector<int>& groupBits)
{
    auto out = at::empty_like(weight);
    for (std::size_t g = 0; g < groupBits.size(); ++g) {
        const auto begin = static_cast<std::int64_t>(g) * groupSize;
        const auto end = std::min(weight.size(1), begin + groupSize);
        const auto w = weight.slice(1, begin, end);
        const double maxq = std::exp2(groupBits[g]) - 1.0;
        const auto mn = std::get<0>(w.min(1, true));
        const auto mx = std::get<0>(w.max(1, true));
        const auto scale = (mx - mn) / maxq;
        const auto zero = at::round(-mn / scale);
        const auto q = at::clamp(at::round(w / scale) + zero, 0.0, maxq);
        out.slice(1, begin, end).copy_((q - zero) * scale);
    }
    return out;
}

TEST(Rtn, MatchesTheFixtureFormulaBitForBit)
{
    // 300 columns: two full groups and a narrower last one; mixed widths.
    const std::vector<int> bits{4, 2, 3};
    auto input = test::makeLayer(33, 300, bits, 7);
    const auto result = RtnQuantizer().quantize(input, {});
    EXPECT_TRUE(at::equal(result.decoded, referenceRtn(input.weight, 128, bits)));
    EXPECT_EQ(result.method, "rtn");
    EXPECT_EQ(result.groups.size(), 3u);
}

TEST(Rtn, EveryWidthFromOneToEightBits)
{
    for (int b = 1; b <= 8; ++b) {
        auto input = test::makeLayer(16, 256, test::uniformBits(256, b), 11 + b);
        const auto result = RtnQuantizer().quantize(input, {});
        EXPECT_TRUE(at::equal(result.decoded, referenceRtn(input.weight, 128, input.groupBits))) << b << " bits";
        const auto& codes = dynamic_cast<const ScalarLayerCodes&>(*result.codes);
        EXPECT_LE(codes.codes().max().item<int>(), (1 << b) - 1);
    }
}

TEST(Rtn, ConstantGroupsDecodeExactlyWithoutNan)
{
    auto input = test::makeLayer(6, 256, test::uniformBits(256, 3), 3);
    auto w = input.weight.clone();
    w[0].slice(0, 0, 128).fill_(0.0f);     // all zero
    w[1].slice(0, 128, 256).fill_(0.375f); // positive constant
    w[2].slice(0, 0, 128).fill_(-1.25f);   // negative constant
    w[3].fill_(7.0e-3f);                   // constant in both groups
    input.weight = w;
    const auto result = RtnQuantizer().quantize(input, {});
    EXPECT_TRUE(at::isfinite(result.decoded).all().item<bool>());
    EXPECT_TRUE(at::equal(result.decoded[0].slice(0, 0, 128), w[0].slice(0, 0, 128)));
    EXPECT_TRUE(at::equal(result.decoded[1].slice(0, 128, 256), w[1].slice(0, 128, 256)));
    EXPECT_TRUE(at::equal(result.decoded[2].slice(0, 0, 128), w[2].slice(0, 0, 128)));
    EXPECT_TRUE(at::equal(result.decoded[3], w[3]));
    // Every other (row, group) follows the formula exactly.
    const auto reference = referenceRtn(w, 128, input.groupBits);
    EXPECT_TRUE(at::equal(result.decoded[0].slice(0, 128, 256), reference[0].slice(0, 128, 256)));
    EXPECT_TRUE(at::equal(result.decoded[1].slice(0, 0, 128), reference[1].slice(0, 0, 128)));
    EXPECT_TRUE(at::equal(result.decoded.slice(0, 4, 6), reference.slice(0, 4, 6)));
}

TEST(Rtn, GroupsAwayFromZeroFollowTheFormulaToo)
{
    // min > 0: the zero point lies outside [0, 2^b − 1], which the formula allows.
    auto input = test::makeLayer(8, 128, {2}, 5);
    input.weight = input.weight.abs() + 0.5f;
    const auto result = RtnQuantizer().quantize(input, {});
    EXPECT_TRUE(at::equal(result.decoded, referenceRtn(input.weight, 128, input.groupBits)));
    const auto& codes = dynamic_cast<const ScalarLayerCodes&>(*result.codes);
    EXPECT_LT(codes.zeros().max().item<int>(), 0);
}

TEST(Rtn, BitsPerWeightCountSixteenBitScalesAndZeros)
{
    auto input = test::makeLayer(4, 256, test::uniformBits(256, 4), 1);
    auto result = RtnQuantizer().quantize(input, {});
    EXPECT_DOUBLE_EQ(result.bitsPerWeight, 4.25);
    EXPECT_DOUBLE_EQ(result.codes->sideBitsPerWeight(), 0.25);

    // Mixed widths add the 2-bit width field per group; a narrow last group costs its scale/zero in full.
    input = test::makeLayer(4, 300, {2, 4, 3}, 1);
    result = RtnQuantizer().quantize(input, {});
    const double codeBits = (2.0 * 128 + 4.0 * 128 + 3.0 * 44) / 300.0;
    const double sideBits = 32.0 * 3 / 300.0 + 2.0 * 3 / (4.0 * 300.0);
    EXPECT_NEAR(result.codes->sideBitsPerWeight(), sideBits, 1e-12);
    EXPECT_NEAR(result.bitsPerWeight, codeBits + sideBits, 1e-12);
}

TEST(Rtn, HessianIsOptionalAndUsedForMetricsWhenGiven)
{
    auto input = test::makeLayer(8, 256, test::uniformBits(256, 3), 2);
    const auto plain = RtnQuantizer().quantize(input, {});
    EXPECT_TRUE(std::isnan(plain.outputRelativeError)); // not measured without a Hessian: never shown as 0
    input.hessian = test::correlatedHessian(256, 4);
    const auto withHessian = RtnQuantizer().quantize(input, {});
    EXPECT_TRUE(at::equal(plain.decoded, withHessian.decoded));
    EXPECT_GT(withHessian.outputRelativeError, 0.0);
    EXPECT_GT(withHessian.groups[0].proxyLoss, 0.0);
}

TEST(Rtn, RejectsBadInputWithTheLayerName)
{
    auto input = test::makeLayer(4, 256, {4}, 1); // two groups, one width
    try {
        RtnQuantizer().quantize(input, {});
        FAIL() << "expected glvq::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("model.layers.0.mlp.test_proj"), std::string::npos) << e.what();
    }
    input.groupBits = {4, 9};
    EXPECT_THROW(RtnQuantizer().quantize(input, {}), Error);
    input.groupBits = {4, 4};
    input.weight[1][3] = std::nanf("");
    EXPECT_THROW(RtnQuantizer().quantize(input, {}), Error);
}

} // namespace
} // namespace glvq::quant
