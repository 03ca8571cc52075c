// SPDX-License-Identifier: GPL-3.0-or-later
// What every baseline promises through LayerQuantizer: codes that decode to Ŵ bit for bit, untouched inputs
// on cancellation, consistent metrics, thread-count independence.
#include "baseline_test_util.h"
#include "core/quant/e8_quantizer.h"
#include "core/quant/gptq_quantizer.h"
#include "core/quant/hessian_math.h"
#include "core/quant/rtn_quantizer.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <memory>

namespace glvq::quant {
namespace {

std::vector<std::unique_ptr<LayerQuantizer>> allBaselines()
{
    std::vector<std::unique_ptr<LayerQuantizer>> methods;
    methods.push_back(std::make_unique<RtnQuantizer>());
    methods.push_back(std::make_unique<GptqQuantizer>());
    methods.push_back(std::make_unique<GptqQuantizer>(GptqOptions{.actOrder = true}));
    methods.push_back(std::make_unique<E8Quantizer>());
    methods.push_back(std::make_unique<E8Quantizer>(E8Options{.codebook = E8CodebookChoice::Box}));
    return methods;
}

LayerInput mixedLayer()
{
    auto input = test::makeLayer(24, 320, {2, 4, 3}, 77); // last group 64 columns wide
    input.hessian = test::correlatedHessian(320, 78);
    return input;
}

TEST(BaselineContract, CodesDecodeToTheResultBitForBit)
{
    const auto input = mixedLayer();
    for (const auto& method : allBaselines()) {
        const auto result = method->quantize(input, {});
        SCOPED_TRACE(result.method);
        EXPECT_EQ(result.method, method->method());
        EXPECT_EQ(method->needsHessian(), result.method.rfind("gptq", 0) == 0);
        EXPECT_EQ(result.codes->method(), method->method());
        EXPECT_EQ(result.name, input.name);
        EXPECT_TRUE(at::equal(result.codes->decode(), result.decoded));
        EXPECT_EQ(result.decoded.scalar_type(), at::kFloat);
        EXPECT_EQ(result.rows, 24);
        EXPECT_EQ(result.cols, 320);
        ASSERT_EQ(result.groups.size(), 3u);
        EXPECT_EQ(result.groups[1].bits, 4);
        EXPECT_DOUBLE_EQ(result.bitsPerWeight, result.codes->bitsPerWeight());
        const double error = proxyLoss(input.weight - result.decoded, input.hessian);
        EXPECT_NEAR(result.outputRelativeError, error / proxyLoss(input.weight, input.hessian), 1e-9);
        EXPECT_NEAR(result.weightMse, (input.weight - result.decoded).pow(2).mean().item<double>(), 1e-6 * result.weightMse);
        EXPECT_GT(result.seconds, 0.0);
    }
}

TEST(BaselineContract, CancelThrowsAndLeavesTheInputUntouched)
{
    const auto input = mixedLayer();
    const auto weight = input.weight.clone();
    const auto hessian = input.hessian.clone();
    CancelSource source;
    source.requestCancel();
    for (const auto& method : allBaselines()) {
        SCOPED_TRACE(method->method());
        EXPECT_THROW(method->quantize(input, source.token()), Cancelled);
        EXPECT_TRUE(at::equal(input.weight, weight));
        EXPECT_TRUE(at::equal(input.hessian, hessian));
        // A completed run leaves them untouched as well.
        method->quantize(input, {});
        EXPECT_TRUE(at::equal(input.weight, weight));
        EXPECT_TRUE(at::equal(input.hessian, hessian));
    }
}

TEST(BaselineContract, ResultsDoNotDependOnTheThreadCount)
{
    const auto input = mixedLayer();
    const int threads = at::get_num_threads();
    for (const auto& method : allBaselines()) {
        SCOPED_TRACE(method->method());
        at::set_num_threads(1);
        const auto single = method->quantize(input, {});
        at::set_num_threads(std::max(2, threads));
        const auto multi = method->quantize(input, {});
        EXPECT_TRUE(at::equal(single.decoded, multi.decoded));
    }
    at::set_num_threads(threads);
}

} // namespace
} // namespace glvq::quant
