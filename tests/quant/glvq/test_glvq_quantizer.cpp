// SPDX-License-Identifier: GPL-3.0-or-later
// GlvqQuantizer on synthetic layers: decode agreement, determinism, learning and feedback paying off,
// input errors, a narrow last group, cancellation and the bits accounting of a real result.
#include "core/quant/glvq_codes.h"
#include "core/quant/glvq_quantizer.h"
#include "core/quant/hessian_math.h"
#include "core/quant/lattice_math.h"
#include "core/util/error.h"

#include "glvq_test_util.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace glvq::quant;
using glvq::test::syntheticLayer;

namespace {

const GlvqLayerCodes& glvqCodes(const LayerResult& result)
{
    const auto* codes = dynamic_cast<const GlvqLayerCodes*>(result.codes.get());
    EXPECT_NE(codes, nullptr);
    return *codes;
}

GlvqOptions fastOptions()
{
    GlvqOptions options;
    options.maxIterations = 40;
    return options;
}

} // namespace

TEST(GlvqQuantizer, DecodeReproducesQuantizedWeightsBitForBit)
{
    const auto input = syntheticLayer(48, 256, 2, 1);
    for (auto companding : {Companding::Off, Companding::Learnable, Companding::PaperKurtosis}) {
        auto options = fastOptions();
        options.companding = companding;
        const auto result = GlvqQuantizer(options).quantize(input, {});
        EXPECT_EQ(result.codes->method(), "glvq");
        EXPECT_EQ(result.method, "glvq-8d");
        EXPECT_TRUE(at::equal(result.codes->decode(), result.decoded)) << toString(companding);
        EXPECT_EQ(result.decoded.scalar_type(), at::kFloat);
        EXPECT_LT(result.outputRelativeError, 0.5);
        for (const auto& group : result.groups) {
            EXPECT_EQ(group.mu == 0.0, companding == Companding::Off);
            if (companding == Companding::Learnable) {
                EXPECT_GE(group.mu, 1.0);
                EXPECT_LE(group.mu, 255.0);
            }
            if (companding == Companding::PaperKurtosis) {
                EXPECT_GE(group.mu, 10.0);
                EXPECT_LE(group.mu, 255.0);
            }
            EXPECT_GE(group.conditionNumber, 1.0);
            EXPECT_GT(group.proxyLoss, 0.0);
        }
    }
}

TEST(GlvqQuantizer, SameInputsGiveIdenticalCodes)
{
    const auto input = syntheticLayer(32, 256, 2, 2);
    const GlvqQuantizer quantizer(fastOptions());
    glvq::test::expectIdenticalGlvqResults(quantizer.quantize(input, {}), quantizer.quantize(input, {}));
}

TEST(GlvqQuantizer, LearningLowersTheProxyLoss)
{
    const auto input = syntheticLayer(64, 128, 2, 3);
    for (auto companding : {Companding::Off, Companding::Learnable}) {
        GlvqOptions options;
        options.companding = companding;
        options.feedback = false;
        options.maxIterations = 150;
        auto initOnly = options;
        initOnly.learn = false;
        const auto learned = GlvqQuantizer(options).quantize(input, {});
        const auto initial = GlvqQuantizer(initOnly).quantize(input, {});
        EXPECT_GT(learned.groups[0].iterations, 0);
        EXPECT_EQ(initial.groups[0].iterations, 0);
        EXPECT_LT(learned.groups[0].proxyLoss, 0.98 * initial.groups[0].proxyLoss) << toString(companding);
        const auto& codes = glvqCodes(learned);
        EXPECT_NE(codes.groups()[0].generator, codes.groups()[0].initialGenerator);
    }
}

TEST(GlvqQuantizer, FeedbackLowersTheLayerOutputError)
{
    auto input = syntheticLayer(64, 512, 2, 4);
    input.hessian = glvq::test::lowRankHessian(512, 5);
    GlvqOptions options;
    options.learn = false;
    auto withFeedback = options;
    withFeedback.feedback = true;
    options.feedback = false;
    const auto plain = GlvqQuantizer(options).quantize(input, {});
    const auto fed = GlvqQuantizer(withFeedback).quantize(input, {});
    const double lossPlain = proxyLoss(input.weight - plain.decoded, input.hessian);
    const double lossFed = proxyLoss(input.weight - fed.decoded, input.hessian);
    EXPECT_LT(lossFed, 0.7 * lossPlain);
    EXPECT_LT(fed.outputRelativeError, plain.outputRelativeError);
}

// LDLQ between the d-column blocks of a group picks codes that compensate earlier blocks' errors: with
// correlated inputs the output error drops, decode still reproduces Ŵ bit for bit, and with one block per
// group (d = group width) there is nothing to feed back, so the codes are those of plain Babai rounding.
TEST(GlvqQuantizer, SubvectorFeedbackLowersTheOutputError)
{
    auto input = syntheticLayer(64, 256, 2, 6);
    input.hessian = glvq::test::lowRankHessian(256, 7);
    for (auto companding : {Companding::Off, Companding::Learnable}) {
        GlvqOptions options;
        options.companding = companding;
        options.maxIterations = 20;
        options.subvectorFeedback = false;
        auto withSubvector = options;
        withSubvector.subvectorFeedback = true;
        const auto plain = GlvqQuantizer(options).quantize(input, {});
        const auto fed = GlvqQuantizer(withSubvector).quantize(input, {});
        EXPECT_LT(fed.outputRelativeError, 0.9 * plain.outputRelativeError) << toString(companding);
        EXPECT_TRUE(at::equal(fed.codes->decode(), fed.decoded));
    }
    auto single = syntheticLayer(16, 128, 2, 8);
    single.groupSize = 32;
    single.groupBits.assign(4, 2);
    GlvqOptions wide;
    wide.dim = 32;
    wide.learn = false;
    wide.subvectorFeedback = false;
    auto wideFed = wide;
    wideFed.subvectorFeedback = true;
    EXPECT_TRUE(at::equal(GlvqQuantizer(wide).quantize(single, {}).decoded,
                          GlvqQuantizer(wideFed).quantize(single, {}).decoded));
}

TEST(GlvqQuantizer, RejectsBadDimensionsAndBits)
{
    auto input = syntheticLayer(8, 256, 2, 5);
    input.name = "model.layers.0.mlp.up_proj";
    GlvqOptions options;
    options.dim = 16;
    input.groupSize = 40; // 16 ∤ 40
    input.groupBits.assign(static_cast<std::size_t>(groupCount(256, 40)), 2);
    try {
        GlvqQuantizer(options).quantize(input, {});
        FAIL() << "d ∤ groupSize accepted";
    } catch (const glvq::Error& e) {
        EXPECT_NE(std::string(e.what()).find("model.layers.0.mlp.up_proj"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("d=16"), std::string::npos) << e.what();
    }
    input.groupSize = 128;
    input.groupBits = {2, 5};
    try {
        GlvqQuantizer(options).quantize(input, {});
        FAIL() << "5 bits accepted";
    } catch (const glvq::Error& e) {
        EXPECT_NE(std::string(e.what()).find("model.layers.0.mlp.up_proj group 1"), std::string::npos) << e.what();
    }
    input.groupBits = {0, 2};
    EXPECT_THROW(GlvqQuantizer(options).quantize(input, {}), glvq::Error);
    input.groupBits = {2};
    EXPECT_THROW(GlvqQuantizer(options).quantize(input, {}), glvq::Error);
    options.dim = 3;
    EXPECT_THROW(GlvqQuantizer{options}, glvq::Error);
}

TEST(GlvqQuantizer, NarrowLastGroup)
{
    auto input = syntheticLayer(40, 200, 3, 6); // groups of 128 and 72 columns
    const auto result = GlvqQuantizer(fastOptions()).quantize(input, {});
    const auto& codes = glvqCodes(result);
    ASSERT_EQ(codes.groups().size(), 2u);
    EXPECT_EQ(codes.groups()[1].firstColumn, 128);
    EXPECT_EQ(codes.groups()[1].columns, 72);
    EXPECT_EQ(codes.groups()[1].codes.size(), 40u * 72u);
    EXPECT_EQ(result.decoded.sizes(), (at::IntArrayRef{40, 200}));
    EXPECT_TRUE(at::equal(codes.decode(), result.decoded));
    // 3 bits: both groups reconstruct far better than zero.
    const auto error = (input.weight - result.decoded).pow(2);
    const auto energy = input.weight.pow(2);
    EXPECT_LT(error.slice(1, 128, 200).sum().item<double>(), 0.1 * energy.slice(1, 128, 200).sum().item<double>());
    EXPECT_LT(error.slice(1, 0, 128).sum().item<double>(), 0.1 * energy.slice(1, 0, 128).sum().item<double>());
    // d = 16 cannot tile 72 columns: a clear error naming the group.
    GlvqOptions options;
    options.dim = 16;
    try {
        GlvqQuantizer(options).quantize(input, {});
        FAIL() << "72-column group with d=16 accepted";
    } catch (const glvq::Error& e) {
        EXPECT_NE(std::string(e.what()).find("group 1"), std::string::npos) << e.what();
    }
}

TEST(GlvqQuantizer, CancelMidLayerThrowsAndLeavesTheInputUntouched)
{
    auto input = syntheticLayer(256, 1024, 2, 7);
    const auto before = input.weight.clone();
    GlvqOptions options;
    options.maxIterations = 100000; // long enough that the cancel always lands mid-layer
    options.patience = 100000;
    glvq::CancelSource source;
    std::thread canceller([&source] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        source.requestCancel();
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(GlvqQuantizer(options).quantize(input, source.token()), glvq::Cancelled);
    canceller.join();
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30.0);
    EXPECT_TRUE(at::equal(input.weight, before));
}

TEST(GlvqQuantizer, BitsPerWeightOfAResult)
{
    auto input = syntheticLayer(64, 256, 2, 8);
    input.groupBits = {2, 3};
    const auto result = GlvqQuantizer(fastOptions()).quantize(input, {}); // row scale + learnable μ
    const double d = 8;
    const double expected = ((2.0 + 3.0) * 64 * 128 + 2 * (16 * d * d + 16 + 16 + 2) + 16.0 * 64) / (64.0 * 256.0);
    EXPECT_DOUBLE_EQ(result.bitsPerWeight, expected);
    EXPECT_DOUBLE_EQ(result.codes->bitsPerWeight(), expected);

    auto sharedOptions = GlvqOptions::paperFaithful();
    sharedOptions.sharedLattice = true;
    sharedOptions.maxIterations = 20;
    input.groupBits = {2, 2};
    const auto shared = GlvqQuantizer(sharedOptions).quantize(input, {});
    const auto& codes = glvqCodes(shared);
    EXPECT_EQ(codes.groups()[1].latticeSource, 0);
    EXPECT_EQ(codes.groups()[1].generator, codes.groups()[0].generator);
    EXPECT_TRUE(codes.rowScales().empty());
    EXPECT_DOUBLE_EQ(shared.bitsPerWeight, (4.0 * 64 * 128 + 16 * d * d + 16 + 2 * 18) / (64.0 * 256.0));
}

TEST(GlvqQuantizer, SharedInverseHessianFactorIsComputedOnceAndChangesNothing)
{
    auto input = syntheticLayer(32, 384, 2, 9);
    const GlvqQuantizer quantizer(fastOptions());
    const auto alone = quantizer.quantize(input, {});

    input.inverseHessianFactors = std::make_shared<InverseHessianFactors>();
    const auto first = quantizer.quantize(input, {});
    const auto copy = input; // as the bit allocator's candidates are: the memo is shared
    const auto second = quantizer.quantize(copy, {});
    EXPECT_TRUE(at::equal(first.decoded, alone.decoded));
    EXPECT_TRUE(at::equal(second.decoded, alone.decoded));

    // One entry per (Hessian, device, damping): the same tensor comes back, another damping is another factor.
    auto& memo = *input.inverseHessianFactors;
    const auto u = memo.upper(input.hessian, at::kCPU, input.name, 0.01);
    EXPECT_TRUE(u.is_same(memo.upper(input.hessian, at::kCPU, input.name, 0.01)));
    EXPECT_TRUE(u.is_same(inverseHessianFactor(copy, at::kCPU, 0.01)));
    EXPECT_FALSE(u.is_same(memo.upper(input.hessian, at::kCPU, input.name, 0.1)));
    EXPECT_TRUE(at::allclose(u, inverseHessianUpperCholesky(input.hessian, input.name, 0.01)));
    // A different Hessian tensor with equal values is a different entry (identity, not value).
    EXPECT_FALSE(u.is_same(memo.upper(input.hessian.clone(), at::kCPU, input.name, 0.01)));
}

TEST(GlvqQuantizer, CoarseRowScalesAreStoredAndDecodedExactly)
{
    const auto input = syntheticLayer(48, 256, 2, 10);
    auto options = fastOptions();
    options.rowScaleMantissaBits = 5;
    const auto result = GlvqQuantizer(options).quantize(input, {});
    const auto& codes = glvqCodes(result);
    ASSERT_EQ(codes.rowScales().size(), 48u);
    const auto scales = at::tensor(codes.rowScales(), at::kFloat);
    // fp16 numbers with their 10 − 5 low mantissa bits zero: what the export's shuffle + gzip then drops.
    const auto patterns = scales.to(at::kHalf).view(at::kShort).to(at::kInt);
    EXPECT_TRUE(at::equal(patterns.bitwise_and(0x1F), at::zeros_like(patterns)));
    EXPECT_TRUE(at::equal(roundToHalf(scales), scales));
    EXPECT_TRUE(at::equal(result.codes->decode(), result.decoded));
    EXPECT_LT(result.outputRelativeError, 0.5);
    options.rowScaleMantissaBits = 11;
    EXPECT_THROW(GlvqQuantizer{options}, glvq::Error);
}
