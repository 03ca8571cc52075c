// SPDX-License-Identifier: GPL-3.0-or-later
// GPTQ: better than RTN where the Hessian couples inputs, identical to RTN where it does not.
#include "baseline_test_util.h"
#include "core/quant/gptq_quantizer.h"
#include "core/quant/hessian_math.h"
#include "core/quant/rtn_quantizer.h"
#include "core/quant/scalar_codes.h"
#include "core/util/error.h"

#include <gtest/gtest.h>

namespace glvq::quant {
namespace {

double layerProxyLoss(const LayerInput& input, const LayerResult& result)
{
    return proxyLoss(input.weight - result.decoded, input.hessian);
}

// GPTQ without lazy batches, in fp64 torch ops, one column at a time: after column j every later column
// absorbs its error. Grids as the quantizer documents them: per group from the updated weights when the
// group starts, or (act-order) static, from the original weights.
at::Tensor referenceGptq(const LayerInput& input, bool actOrder)
{
    const auto cols = input.weight.size(1);
    auto perm = at::arange(cols, at::kLong);
    if (actOrder)
        perm = std::get<1>(at::sort(input.hessian.diagonal(), /*stable=*/true, /*dim=*/0, /*descending=*/true));
    const auto h = input.hessian.index_select(0, perm).index_select(1, perm);
    const auto u = inverseHessianUpperCholesky(h, input.name);
    auto w = input.weight.to(at::kDouble).index_select(1, perm);
    auto out = at::empty_like(w);
    const auto* order = perm.data_ptr<std::int64_t>();
    std::vector<at::Tensor> lo(input.groupBits.size());
    std::vector<at::Tensor> hi(input.groupBits.size());
    for (std::size_t g = 0; actOrder && g < input.groupBits.size(); ++g) {
        const auto group = input.weight.slice(1, static_cast<std::int64_t>(g) * 128, (g + 1) * 128);
        lo[g] = std::get<0>(group.min(1));
        hi[g] = std::get<0>(group.max(1));
    }
    for (std::int64_t j = 0; j < cols; ++j) {
        const auto g = static_cast<std::size_t>(order[j] / 128);
        if (!actOrder && j % 128 == 0) {
            const auto group = w.slice(1, j, j + 128).to(at::kFloat);
            lo[g] = std::get<0>(group.min(1));
            hi[g] = std::get<0>(group.max(1));
        }
        const int bits = input.groupBits[g];
        const auto column = w.select(1, j).to(at::kFloat);
        auto q = at::empty_like(column);
        for (std::int64_t r = 0; r < column.size(0); ++r) {
            const auto grid = minMaxGrid(lo[g][r].item<float>(), hi[g][r].item<float>(), bits);
            q[r] = dequantizeScalar(quantizeScalar(column[r].item<float>(), grid, bits), grid);
        }
        out.select(1, j).copy_(q);
        const auto err = (w.select(1, j) - q.to(at::kDouble)) / u[j][j];
        w.slice(1, j + 1).sub_(at::outer(err, u[j].slice(0, j + 1)));
    }
    return at::empty_like(out).index_copy_(1, perm, out).to(at::kFloat);
}

TEST(Gptq, MatchesAnUnbatchedRestatement)
{
    auto input = test::makeLayer(12, 256, {2, 3}, 81);
    input.hessian = test::correlatedHessian(256, 82);
    for (const bool actOrder : {false, true}) {
        const auto ours = GptqQuantizer({.actOrder = actOrder}).quantize(input, {});
        const auto reference = referenceGptq(input, actOrder);
        // fp32 lazy batches against fp64 column updates: a later group's grid may differ in the last bits, and
        // a few weights may round the other way.
        const double same = at::isclose(ours.decoded, reference, 1e-4, 1e-7).to(at::kDouble).mean().item<double>();
        const double lossOurs = proxyLoss(input.weight - ours.decoded, input.hessian);
        const double lossReference = proxyLoss(input.weight - reference, input.hessian);
        std::printf("[ info     ] act-order %d: %.4f of weights equal to 1e-4, tr(EHE^T) %.5g vs %.5g\n", actOrder, same,
                    lossOurs, lossReference);
        EXPECT_GT(same, 0.999);
        EXPECT_NEAR(lossOurs, lossReference, 0.02 * lossReference);
    }
}

TEST(Gptq, BeatsRtnOnTheProxyLossWithACorrelatedHessian)
{
    for (const int bits : {2, 3, 4}) {
        auto input = test::makeLayer(64, 384, test::uniformBits(384, bits), 21);
        input.hessian = test::correlatedHessian(384, 22);
        const auto rtn = RtnQuantizer().quantize(input, {});
        const auto gptq = GptqQuantizer().quantize(input, {});
        const auto actOrder = GptqQuantizer({.actOrder = true}).quantize(input, {});
        const double rtnLoss = layerProxyLoss(input, rtn);
        const double gptqLoss = layerProxyLoss(input, gptq);
        const double actOrderLoss = layerProxyLoss(input, actOrder);
        std::printf("[ info     ] %d-bit tr(EHE^T): rtn %.4g, gptq %.4g (%.2fx lower), gptq act-order %.4g\n", bits,
                    rtnLoss, gptqLoss, rtnLoss / gptqLoss, actOrderLoss);
        EXPECT_LT(gptqLoss, 0.8 * rtnLoss) << bits << " bits";
        EXPECT_LT(actOrderLoss, 0.8 * rtnLoss) << bits << " bits";
        EXPECT_NEAR(gptq.outputRelativeError * proxyLoss(input.weight, input.hessian), gptqLoss, 1e-9 * rtnLoss);
    }
}

TEST(Gptq, EqualsRtnBitForBitWhenTheHessianIsIdentity)
{
    auto input = test::makeLayer(24, 300, {2, 3, 4}, 31);
    input.hessian = at::eye(300, at::kDouble);
    const auto rtn = RtnQuantizer().quantize(input, {});
    for (const bool actOrder : {false, true}) {
        const auto gptq = GptqQuantizer({.actOrder = actOrder}).quantize(input, {});
        EXPECT_TRUE(at::equal(gptq.decoded, rtn.decoded)) << "act-order " << actOrder;
        const auto& a = dynamic_cast<const ScalarLayerCodes&>(*gptq.codes);
        const auto& b = dynamic_cast<const ScalarLayerCodes&>(*rtn.codes);
        EXPECT_TRUE(at::equal(a.codes(), b.codes()));
        EXPECT_TRUE(at::equal(a.scales(), b.scales()));
        EXPECT_TRUE(at::equal(a.zeros(), b.zeros()));
    }
}

TEST(Gptq, ActOrderChangesNothingWithAnEqualDiagonalHessian)
{
    auto input = test::makeLayer(16, 256, test::uniformBits(256, 2), 41);
    input.hessian = at::eye(256, at::kDouble) * 3.7;
    const auto plain = GptqQuantizer().quantize(input, {});
    const auto actOrder = GptqQuantizer({.actOrder = true}).quantize(input, {});
    EXPECT_TRUE(at::equal(plain.decoded, actOrder.decoded));
    EXPECT_EQ(actOrder.method, "gptq-actorder");
}

TEST(Gptq, ADiagonalHessianOfAnyOrderMeansNoFeedback)
{
    // With H diagonal the error of one column never reaches another, so any column order gives RTN.
    auto input = test::makeLayer(16, 256, test::uniformBits(256, 3), 43);
    input.hessian = at::diag(at::rand({256}, at::kDouble) + 0.1);
    const auto rtn = RtnQuantizer().quantize(input, {});
    EXPECT_TRUE(at::equal(GptqQuantizer({.actOrder = true}).quantize(input, {}).decoded, rtn.decoded));
}

TEST(Gptq, IsDeterministic)
{
    auto input = test::makeLayer(32, 256, test::uniformBits(256, 2), 51);
    input.hessian = test::correlatedHessian(256, 52);
    for (const bool actOrder : {false, true}) {
        const auto a = GptqQuantizer({.actOrder = actOrder}).quantize(input, {});
        const auto b = GptqQuantizer({.actOrder = actOrder}).quantize(input, {});
        EXPECT_TRUE(at::equal(a.decoded, b.decoded));
    }
}

TEST(Gptq, DeadInputsAreZeroed)
{
    auto input = test::makeLayer(8, 128, {4}, 61);
    auto h = test::correlatedHessian(128, 62);
    h.select(0, 5).zero_();
    h.select(1, 5).zero_();
    input.hessian = h;
    const auto result = GptqQuantizer().quantize(input, {});
    EXPECT_TRUE(at::isfinite(result.decoded).all().item<bool>());
    EXPECT_EQ(result.decoded.select(1, 5).abs().max().item<float>(), 0.0f);
}

TEST(Gptq, RequiresAHessianOfTheRightShape)
{
    auto input = test::makeLayer(8, 128, {4}, 71);
    try {
        GptqQuantizer().quantize(input, {});
        FAIL() << "expected glvq::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(input.name), std::string::npos) << e.what();
    }
    input.hessian = at::eye(64, at::kDouble);
    EXPECT_THROW(GptqQuantizer().quantize(input, {}), Error);
}

} // namespace
} // namespace glvq::quant
