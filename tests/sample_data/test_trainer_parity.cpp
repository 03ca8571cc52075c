// SPDX-License-Identifier: GPL-3.0-or-later
// The trainer trains with its own autograd module (core/model's forward has no autograd); these tests show the
// two compute the same function: on the saved sample model, core's forward reproduces the trainer's logits.
#include "core/io/hf_config.h"
#include "core/model/causal_lm.h"
#include "tests/sample_data/sample_paths.h"
#include "tools/trainer/checkpoint_io.h"
#include "tools/trainer/llama_module.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

namespace {

glvq::trainer::LlamaForCausalLM loadTrainerModel()
{
    const auto dir = glvq::test::samplePath("model");
    glvq::trainer::LlamaForCausalLM model(glvq::io::loadModelConfig(dir / "config.json"));
    glvq::trainer::loadCheckpointWeights(model, dir);
    return model;
}

} // namespace

TEST(TrainerParity, CoreForwardReproducesTrainerLogitsOnSampleModel)
{
    auto trainerModel = loadTrainerModel();
    trainerModel->eval();
    const auto core = glvq::model::loadCausalLM(glvq::test::samplePath("model"), glvq::model::ComputeDevice::Cpu);

    torch::manual_seed(7);
    const auto ids = torch::randint(0, core->config().vocabSize, { 2, 96 }, torch::kInt64);
    torch::Tensor expected;
    {
        torch::NoGradGuard noGrad;
        expected = trainerModel->forward(ids);
    }
    const auto actual = core->forward(ids);
    ASSERT_EQ(actual.sizes(), expected.sizes());
    const double maxError = (actual - expected).abs().max().item<double>();
    const double scale = expected.abs().max().item<double>();
    std::ostringstream error;
    error << std::scientific << maxError << " (largest logit " << scale << ")";
    RecordProperty("max_logit_error", error.str()); // in --gtest_output=json reports
    EXPECT_LT(maxError, 1e-4 * std::max(1.0, scale)) << "max |logit difference| " << maxError;
}

TEST(TrainerParity, OneAdamWStepLowersTheLossOnItsBatch)
{
    auto model = loadTrainerModel();
    torch::manual_seed(11);
    const auto batch = torch::randint(3, model->config.vocabSize, { 2, 33 }, torch::kInt64);
    const auto lossOf = [&] {
        const auto logits = model->forward(batch.narrow(1, 0, 32));
        return torch::nn::functional::cross_entropy(logits.reshape({ -1, logits.size(-1) }),
                                                    batch.narrow(1, 1, 32).reshape({ -1 }));
    };
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
    const auto before = lossOf();
    optimizer.zero_grad();
    before.backward();
    for (const auto& parameter : model->parameters())
        ASSERT_TRUE(parameter.grad().defined() && parameter.grad().isfinite().all().item<bool>());
    optimizer.step();
    EXPECT_LT(lossOf().item<double>(), before.item<double>());
}
