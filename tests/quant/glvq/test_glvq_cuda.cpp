// SPDX-License-Identifier: GPL-3.0-or-later
// GLVQ learning on CUDA (LayerInput::device): the same layer learned on the GPU must decode bit for bit from its
// codes, be deterministic, leave the input untouched and reach the CPU path's quality. CPU and CUDA round
// differently, so their codes may differ; what a user cares about is that both give an equally good layer.
// Skipped, with a message, where this LibTorch has no CUDA device (Debian's libtorch is CPU-only); bench/gpu.sh
// runs it on a GPU machine.
#include "core/quant/glvq_quantizer.h"

#include "glvq_test_util.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

using namespace glvq::quant;
using glvq::test::syntheticLayer;

namespace {

const at::Device kCuda(at::kCUDA, 0);

#define GLVQ_REQUIRE_CUDA()                                                                                           \
    if (!at::hasCUDA())                                                                                               \
    GTEST_SKIP() << "no CUDA device in this LibTorch build: GPU learning not tested here (bench/gpu.sh runs it)"

GlvqOptions options(Companding companding)
{
    GlvqOptions options;
    options.companding = companding;
    options.maxIterations = 60;
    return options;
}

} // namespace

TEST(GlvqCuda, LearnsAsWellAsTheCpuAndDecodesBitForBit)
{
    GLVQ_REQUIRE_CUDA();
    auto input = syntheticLayer(256, 512, 2, 11);
    for (auto companding : {Companding::Off, Companding::Learnable}) {
        const GlvqQuantizer quantizer(options(companding));
        input.device = at::kCPU;
        const auto onCpu = quantizer.quantize(input, {});
        input.device = kCuda;
        const auto onCuda = quantizer.quantize(input, {});
        EXPECT_EQ(onCuda.decoded.device().type(), at::kCPU);
        EXPECT_TRUE(at::equal(onCuda.codes->decode(), onCuda.decoded)) << toString(companding);
        ASSERT_EQ(onCuda.groups.size(), onCpu.groups.size());
        // Same algorithm, different rounding: the output errors agree to a few percent (measured: well within).
        EXPECT_NEAR(onCuda.outputRelativeError, onCpu.outputRelativeError, 0.05 * onCpu.outputRelativeError)
            << toString(companding);
        EXPECT_NEAR(onCuda.bitsPerWeight, onCpu.bitsPerWeight, 1e-12);
    }
}

TEST(GlvqCuda, SameInputsGiveIdenticalCodesOnTheGpu)
{
    GLVQ_REQUIRE_CUDA();
    auto input = syntheticLayer(128, 384, 3, 12);
    input.device = kCuda;
    const GlvqQuantizer quantizer(options(Companding::Learnable));
    glvq::test::expectIdenticalGlvqResults(quantizer.quantize(input, {}), quantizer.quantize(input, {}));
}

TEST(GlvqCuda, InputOnTheGpuStaysUntouched)
{
    GLVQ_REQUIRE_CUDA();
    auto input = syntheticLayer(64, 256, 2, 13);
    input.weight = input.weight.to(kCuda);
    input.hessian = input.hessian.to(kCuda);
    input.device = kCuda;
    const auto before = input.weight.clone();
    const auto result = GlvqQuantizer(options(Companding::Learnable)).quantize(input, {});
    EXPECT_TRUE(at::equal(input.weight, before));
    EXPECT_LT(result.outputRelativeError, 0.5);
    EXPECT_TRUE(at::equal(result.codes->decode(), result.decoded));
}
