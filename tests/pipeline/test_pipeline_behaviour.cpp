// SPDX-License-Identifier: GPL-3.0-or-later
// Whole-model pipeline behaviour: cancellation leaves the model exactly as it was, runs are deterministic
// given a seed, sequential calibration feeds later blocks the quantized outputs, progress is reported.
#include "core/pipeline/calibration_statistics.h"
#include "core/pipeline/quantization_pipeline.h"
#include "core/util/error.h"
#include "tests/support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace {

struct Fixture {
    glvq::tok::Tokenizer tokenizer
        = glvq::tok::Tokenizer::fromFile(glvq::test::fixturePath("debian-llama-16m/tokenizer.json"));
    std::unique_ptr<glvq::model::CausalLM> model
        = glvq::model::loadCausalLM(glvq::test::fixturePath("debian-llama-16m"), glvq::model::ComputeDevice::Cpu);
};

glvq::pipeline::PipelineOptions smallRun(const std::string& method)
{
    glvq::pipeline::PipelineOptions options;
    options.method = method;
    options.bits = 2;
    options.calibrationText = glvq::test::fixturePath("calib.txt");
    options.samples = 4;
    options.ctx = 128;
    options.klSampleRows = 256;
    options.seed = 11;
    return options;
}

void expectUnchanged(const glvq::model::CausalLM& model, const at::Tensor& ids, const at::Tensor& originalLogits)
{
    for (const auto& name : model.blockLinearNames())
        EXPECT_EQ(model.linear(name).kind(), "dense fp32") << name;
    EXPECT_TRUE(at::equal(model.forward(ids), originalLogits));
}

} // namespace

TEST(Pipeline, CancelMidRunLeavesTheModelUnchanged)
{
    Fixture f;
    const auto ids = at::arange(1, 65, at::kLong).unsqueeze(0);
    const auto original = f.model->forward(ids);
    for (const auto mode : { glvq::pipeline::CalibrationMode::Original, glvq::pipeline::CalibrationMode::Sequential }) {
        auto options = smallRun("gptq");
        options.calibrationMode = mode;
        glvq::CancelSource source;
        int layersDone = 0;
        EXPECT_THROW(glvq::pipeline::runPipeline(*f.model, f.tokenizer, options, {}, source.token(),
                                                 [&](const glvq::pipeline::LayerReport&) {
                                                     if (++layersDone == 9) // inside the second block
                                                         source.requestCancel();
                                                 }),
                     glvq::Cancelled);
        EXPECT_EQ(layersDone, 9);
        expectUnchanged(*f.model, ids, original);
    }
}

TEST(Pipeline, SameSeedSameCodesAndSequentialDiffers)
{
    Fixture f;
    auto options = smallRun("gptq");
    const auto first = glvq::pipeline::runPipeline(*f.model, f.tokenizer, options);
    const auto second = glvq::pipeline::runPipeline(*f.model, f.tokenizer, options);
    ASSERT_EQ(first.layers.size(), 42u);
    for (std::size_t i = 0; i < first.layers.size(); ++i)
        EXPECT_TRUE(at::equal(first.layers[i].result->decoded, second.layers[i].result->decoded))
            << first.layers[i].result->name;
    EXPECT_EQ(first.calibration.samples, 4);
    EXPECT_EQ(first.calibration.textName, "calib.txt");
    EXPECT_GT(first.bitsPerWeight, first.codeBitsPerWeight); // side information is counted
    EXPECT_DOUBLE_EQ(first.codeBitsPerWeight, 2.0);         // the allocator keeps the mean exact

    options.calibrationMode = glvq::pipeline::CalibrationMode::Sequential;
    const auto sequential = glvq::pipeline::runPipeline(*f.model, f.tokenizer, options);
    // Block 0 sees the same inputs either way; later blocks see the quantized outputs.
    EXPECT_TRUE(at::equal(sequential.layers[0].result->decoded, first.layers[0].result->decoded));
    EXPECT_FALSE(at::equal(sequential.layers[41].result->decoded, first.layers[41].result->decoded));
}

TEST(Pipeline, ReportsProgressAndAppliesToTheModel)
{
    Fixture f;
    auto options = smallRun("rtn");
    options.allocation = glvq::pipeline::BitAllocation::Uniform;
    options.calibrationText.clear(); // uniform RTN needs no calibration
    std::vector<glvq::ProgressInfo> reports;
    const auto result = glvq::pipeline::runPipeline(
        *f.model, f.tokenizer, options, [&](const glvq::ProgressInfo& info) { reports.push_back(info); });
    ASSERT_FALSE(reports.empty());
    EXPECT_DOUBLE_EQ(reports.back().fraction, 1.0);
    EXPECT_EQ(reports.back().stage, "quantize");
    EXPECT_TRUE(result.calibration.textName.empty());

    const auto replaced = glvq::pipeline::applyToModel(*f.model, result);
    EXPECT_EQ(replaced.size(), 42u);
    EXPECT_NE(f.model->linear("model.layers.4.mlp.up_proj").kind().find("rtn"), std::string::npos);
}

TEST(Pipeline, BadOptionsAreOneLineErrors)
{
    Fixture f;
    auto options = smallRun("glvq");
    options.dim = 7;
    EXPECT_THROW(glvq::pipeline::runPipeline(*f.model, f.tokenizer, options), glvq::Error);
    options = smallRun("glvq");
    options.bits = 5;
    EXPECT_THROW(glvq::pipeline::runPipeline(*f.model, f.tokenizer, options), glvq::Error);
    options = smallRun("awq");
    EXPECT_THROW(glvq::pipeline::runPipeline(*f.model, f.tokenizer, options), glvq::Error);
    options = smallRun("gptq");
    options.calibrationText = "/no/such/calib.txt";
    try {
        glvq::pipeline::runPipeline(*f.model, f.tokenizer, options);
        FAIL() << "expected an error";
    } catch (const glvq::Error& e) {
        EXPECT_NE(std::string(e.what()).find("/no/such/calib.txt"), std::string::npos) << e.what();
    }
}

TEST(Pipeline, PrecomputedCalibrationGivesTheSameCodes)
{
    Fixture f;
    auto options = smallRun("gptq");
    const auto statistics = glvq::pipeline::collectCalibrationStatistics(*f.model, f.tokenizer, options);
    EXPECT_TRUE(statistics->matches(options));
    EXPECT_EQ(statistics->hessians.size(), 42u);
    const auto reused = glvq::pipeline::runPipeline(*f.model, f.tokenizer, options, {}, {}, {}, statistics);
    const auto fresh = glvq::pipeline::runPipeline(*f.model, f.tokenizer, options);
    ASSERT_EQ(reused.layers.size(), fresh.layers.size());
    for (std::size_t i = 0; i < fresh.layers.size(); ++i)
        EXPECT_TRUE(at::equal(reused.layers[i].result->decoded, fresh.layers[i].result->decoded))
            << fresh.layers[i].result->name;

    auto other = options;
    other.samples = 5;
    EXPECT_FALSE(statistics->matches(other));
    EXPECT_THROW(glvq::pipeline::runPipeline(*f.model, f.tokenizer, other, {}, {}, {}, statistics), glvq::Error);
}
