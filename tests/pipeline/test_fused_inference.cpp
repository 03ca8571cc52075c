// SPDX-License-Identifier: GPL-3.0-or-later
// The quantized model on the fused kernels (issue #6 item 4): FusedGlvqLinear computes what the decoded weights
// compute; an exported file runs as a model (fused or decoded) with the in-memory quantized model's logits;
// incremental decoding through the fused kernels generates the same tokens.
#include "core/eval/decode_benchmark.h"
#include "core/model/compute_device.h"
#include "core/pipeline/export_model.h"
#include "core/pipeline/exported_model_loader.h"
#include "core/pipeline/fused_glvq_linear.h"
#include "core/pipeline/quantization_pipeline.h"
#include "core/quant/glvq_codes.h"
#include "core/quant/glvq_quantizer.h"
#include "core/util/error.h"
#include "kernels/device.h"
#include "tests/kernels/kernel_fixtures.h"
#include "tests/quant/glvq/glvq_test_util.h"
#include "tests/support/fixtures.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace {

using namespace glvq;

std::shared_ptr<const quant::GlvqLayerCodes> quantizedLayer(quant::Companding companding, std::int64_t cols)
{
    quant::GlvqOptions options;
    options.maxIterations = 5;
    options.companding = companding;
    auto input = test::syntheticLayer(40, cols, 2, 3);
    input.groupBits.back() = 3; // mixed widths (and with cols = 320, a narrower last group)
    auto result = quant::GlvqQuantizer(options).quantize(input, {});
    return std::dynamic_pointer_cast<const quant::GlvqLayerCodes>(result.codes);
}

double relativeError(const at::Tensor& actual, const at::Tensor& expected)
{
    return (actual.to(at::kDouble) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

} // namespace

TEST(FusedGlvqLinear, MatchesDecodeThenMatmulForEveryBatchShapeAndCpuProduct)
{
    // Auto takes the fused product below panelBatch (96) and decoded panels from it on; the pinned panel run
    // uses panels of 16 rows, so the 40 rows take three (the last one partial).
    struct Product {
        const char* kind; // what kind() says
        pipeline::CpuProductOptions options;
    };
    const std::vector<Product> products {
        { "fused CPU (", {} }, // Auto
        { "fused CPU (", { .product = pipeline::CpuProduct::Fused } },
        { "decoded CPU panels", { .product = pipeline::CpuProduct::DecodedPanels, .panelRows = 16 } },
    };
    for (const auto companding : { quant::Companding::Off, quant::Companding::Learnable }) {
        const auto codes = quantizedLayer(companding, 320);
        at::manual_seed(5);
        const auto bias = at::randn({ codes->rows() }, at::kFloat);
        const auto weight = codes->decode().to(at::kDouble);
        for (const auto& [what, options] : products) {
            const pipeline::FusedGlvqLinear fused(*codes, bias, at::Device(at::kCPU), "test.layer", options);
            EXPECT_EQ(fused.inFeatures(), 320);
            EXPECT_EQ(fused.outFeatures(), 40);
            EXPECT_NE(fused.kind().find(what), std::string::npos) << fused.kind();
            for (const auto& shape : std::vector<std::vector<std::int64_t>> {
                     { 1, 320 }, { 7, 320 }, { 2, 3, 320 }, { 320 }, { 40, 320 }, { 2, 50, 320 } }) {
                const auto x = at::randn(shape, at::kFloat);
                const auto expected = at::linear(x.to(at::kDouble), weight, bias.to(at::kDouble));
                const auto y = fused.forward(x);
                ASSERT_EQ(y.sizes(), expected.sizes());
                EXPECT_LE(relativeError(y, expected), 1e-6) << what << ", " << shape.size() << "-D, batch " << shape[0];
            }
            EXPECT_TRUE(at::equal(fused.denseWeight(), codes->decode()));
            EXPECT_THROW(fused.forward(at::randn({ 2, 319 })), Error);
        }
    }
}

TEST(FusedGlvqLinear, DecodedPanelsOfAWideLayerMatchTheExactProduct)
{
    // 4096 columns (the sums run as long as in a Llama layer) and 300 rows: panels of 128 (three, the last one
    // partial) and of 24, which rounds up to 32 rows and leaves partial blocks inside panels that start mid-layer.
    const auto spec = kernel_test::uniformSpec(300, 4096, 128, { 2, 3 }, 8, 2, true, 71);
    const auto layer = kernel_test::makeLayer(spec);
    const auto exact = kernel_test::decodeFp64(layer);
    const auto weight = at::from_blob(const_cast<double*>(exact.data()), { layer.rows, layer.cols }, at::kDouble);
    at::manual_seed(7);
    const auto x = at::randn({ 100, layer.cols });
    const auto expected = at::matmul(x.to(at::kDouble), weight.t());
    for (const std::int64_t panelRows : { 128, 24 }) {
        pipeline::PackedGlvqLayer packed = layer;
        const pipeline::FusedGlvqLinear panels(std::move(packed), {}, at::Device(at::kCPU), "wide",
                                               { .product = pipeline::CpuProduct::DecodedPanels, .panelRows = panelRows });
        EXPECT_LE(relativeError(panels.forward(x), expected), 2e-6) << "panels of " << panelRows << " rows";
    }
    // Auto takes the panels at batch 100 with one torch thread and the fused product (rows split over the
    // threads) with two.
    pipeline::PackedGlvqLayer packed = layer;
    const pipeline::FusedGlvqLinear automatic(std::move(packed), {}, at::Device(at::kCPU), "wide");
    const int threads = at::get_num_threads();
    for (const int count : { 1, 2 }) {
        at::set_num_threads(count);
        EXPECT_EQ(automatic.kind().find("decoded panels from batch 96") != std::string::npos, count == 1)
            << automatic.kind();
        EXPECT_LE(relativeError(automatic.forward(x), expected), 2e-6) << "auto at batch 100, threads " << count;
    }
    at::set_num_threads(threads);
}

TEST(FusedGlvqLinear, CudaWithoutAUsableGpuIsAClearError)
{
    if (!kernels::queryCudaStatus().devices.empty())
        GTEST_SKIP() << "a CUDA device is present: tests/kernels/test_cuda covers the CUDA path";
    const auto codes = quantizedLayer(quant::Companding::Off, 256);
    try {
        pipeline::FusedGlvqLinear fused(*codes, {}, at::Device(at::kCUDA, 0), "model.layers.0.mlp.up_proj");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("model.layers.0.mlp.up_proj"), std::string::npos) << error.what();
    }
}

// One quantized fixture model, exported once, shared by the model-level tests.
class ExportedModelRun : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        const auto fixture = test::fixturePath("debian-llama-16m");
        const auto tokenizer = tok::Tokenizer::fromFile(fixture / "tokenizer.json");
        s_model = model::loadCausalLM(fixture, model::ComputeDevice::Cpu).release();
        pipeline::PipelineOptions options;
        options.method = "glvq";
        options.bits = 2;
        options.maxIterations = 3;
        options.calibrationText = test::fixturePath("calib.txt");
        options.samples = 4;
        options.ctx = 128;
        options.seed = 3;
        options.klSampleRows = 256;
        const auto result = pipeline::runPipeline(*s_model, tokenizer, options);
        pipeline::applyToModel(*s_model, result);
        s_path = new std::filesystem::path(std::filesystem::temp_directory_path()
                                           / ("glvq_fused_test_" + std::to_string(::getpid()) + ".h5"));
        pipeline::writeExport(pipeline::collectExport(result, fixture, nullptr), *s_path, { .force = true });
        s_exported = new pipeline::ExportedModel(pipeline::importModel(*s_path));
    }
    static void TearDownTestSuite()
    {
        std::filesystem::remove(*s_path);
        delete s_exported;
        delete s_path;
        delete s_model;
    }

    static std::unique_ptr<model::CausalLM> load(pipeline::QuantizedKernels kernels)
    {
        return pipeline::loadExportedCausalLM(*s_exported, s_path->string(), model::ComputeDevice::Cpu, kernels);
    }

    static model::CausalLM* s_model; // the in-memory quantized model (QuantizedLinear layers)
    static std::filesystem::path* s_path;
    static pipeline::ExportedModel* s_exported;
};

model::CausalLM* ExportedModelRun::s_model = nullptr;
std::filesystem::path* ExportedModelRun::s_path = nullptr;
pipeline::ExportedModel* ExportedModelRun::s_exported = nullptr;

TEST_F(ExportedModelRun, FusedAndDecodedFilesGiveTheInMemoryQuantizedLogits)
{
    const auto ids = at::arange(100, 164, at::kLong).view({ 2, 32 });
    const auto expected = s_model->forward(ids).to(at::kDouble);
    const auto decoded = load(pipeline::QuantizedKernels::Decoded);
    EXPECT_TRUE(at::equal(decoded->forward(ids), s_model->forward(ids))) << "decoded file != in-memory model";
    const auto fused = load(pipeline::QuantizedKernels::Fused);
    for (const auto& name : fused->blockLinearNames())
        EXPECT_NE(fused->linear(name).kind().find("fused"), std::string::npos) << name;
    EXPECT_LE(relativeError(fused->forward(ids), expected), 1e-5);
    // Auto on the CPU decodes companded layers while they fit in memory (a 16M model does).
    EXPECT_EQ(load(pipeline::QuantizedKernels::Auto)->linear(fused->blockLinearNames().front()).kind(), "dense fp32");
}

TEST_F(ExportedModelRun, AutoOnTheCpuRunsLayersWithoutCompandingFused)
{
    // The same file with companding switched off in every group: each layer then runs fused under Auto and
    // gives what its decoded weights give.
    auto linear = *s_exported;
    for (auto& layer : linear.layers) {
        const auto& codes = dynamic_cast<const quant::GlvqLayerCodes&>(*layer.codes);
        auto groups = codes.groups();
        for (auto& group : groups)
            group.mu = 0.0f;
        layer.codes = std::make_shared<quant::GlvqLayerCodes>(codes.rows(), codes.cols(), codes.dim(), codes.groupSize(),
                                                              codes.rowScales(), std::move(groups));
    }
    const auto automatic = pipeline::loadExportedCausalLM(linear, "linear.h5", model::ComputeDevice::Cpu,
                                                          pipeline::QuantizedKernels::Auto);
    const auto decoded = pipeline::loadExportedCausalLM(linear, "linear.h5", model::ComputeDevice::Cpu,
                                                        pipeline::QuantizedKernels::Decoded);
    for (const auto& name : automatic->blockLinearNames())
        EXPECT_NE(automatic->linear(name).kind().find("fused CPU"), std::string::npos) << name;
    const auto ids = at::arange(100, 164, at::kLong).view({ 2, 32 });
    EXPECT_LE(relativeError(automatic->forward(ids), decoded->forward(ids).to(at::kDouble)), 1e-5);
}

TEST(QuantizedKernelsAuto, CompandedLayersRunFusedOnlyWhenTheDecodedModelWouldNotFit)
{
    constexpr std::int64_t GiB = std::int64_t(1) << 30;
    EXPECT_FALSE(pipeline::fuseCompandedOnCpu(27 * GiB, 64 * GiB)); // Llama-2-7B in fp32 on a 64 GB machine
    EXPECT_TRUE(pipeline::fuseCompandedOnCpu(27 * GiB, 24 * GiB));  // ... on a 24 GB one: decoding would swap
    EXPECT_TRUE(pipeline::fuseCompandedOnCpu(13 * GiB, 24 * GiB));  // fits, but leaves too little to run it
    EXPECT_FALSE(pipeline::fuseCompandedOnCpu(0, 1 * GiB));         // nothing to decode
    EXPECT_FALSE(pipeline::fuseCompandedOnCpu(27 * GiB, std::nullopt));
}

TEST_F(ExportedModelRun, GreedyDecodingThroughFusedKernelsGeneratesTheSameTokens)
{
    eval::DecodeBenchmarkOptions options;
    options.promptTokens = 8;
    options.newTokens = 8;
    const auto fused = eval::benchmarkDecoding(*load(pipeline::QuantizedKernels::Fused), options);
    const auto decoded = eval::benchmarkDecoding(*load(pipeline::QuantizedKernels::Decoded), options);
    EXPECT_EQ(fused.generated, decoded.generated);
    EXPECT_EQ(fused.generated.size(), 8u);
    EXPECT_GT(fused.tokensPerSecond, 0.0);
    EXPECT_GE(fused.tokensPerSecond * fused.medianTokenSeconds, 0.999);
}

// On a GPU machine (bench/gpu.sh): the whole model on CUDA through glvq_gemm_cuda gives the CPU model's
// logits within the kernels' 1e-3 contract, and greedy decoding agrees with the CPU.
TEST_F(ExportedModelRun, CudaFusedModelMatchesTheCpuModel)
{
    const auto status = kernels::queryCudaStatus();
    if (status.devices.empty() || !at::hasCUDA())
        GTEST_SKIP() << "no CUDA device or no CUDA LibTorch (" << status.reason << ")";
    const auto ids = at::arange(100, 164, at::kLong).view({ 2, 32 });
    const auto expected = s_model->forward(ids).to(at::kDouble);
    const auto cuda = pipeline::loadExportedCausalLM(*s_exported, s_path->string(), model::ComputeDevice::Cuda,
                                                     pipeline::QuantizedKernels::Fused);
    for (const auto& name : cuda->blockLinearNames())
        EXPECT_NE(cuda->linear(name).kind().find("fused CUDA"), std::string::npos) << name;
    const auto logits = cuda->forward(ids).cpu();
    EXPECT_LE(relativeError(logits, expected), 1e-3);
    eval::DecodeBenchmarkOptions options;
    options.promptTokens = 8;
    options.newTokens = 8;
    const auto onGpu = eval::benchmarkDecoding(*cuda, options);
    const auto onCpu = eval::benchmarkDecoding(*load(pipeline::QuantizedKernels::Decoded), options);
    EXPECT_EQ(onGpu.generated, onCpu.generated);
}

TEST_F(ExportedModelRun, AFileWithoutItsConfigIsAClearError)
{
    auto broken = *s_exported;
    broken.files.erase("config.json");
    try {
        pipeline::loadExportedCausalLM(broken, "broken.h5", model::ComputeDevice::Cpu, pipeline::QuantizedKernels::Fused);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("broken.h5"), std::string::npos) << error.what();
    }
    EXPECT_THROW(pipeline::parseQuantizedKernels("fastest"), Error);
}
