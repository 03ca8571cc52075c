// SPDX-License-Identifier: GPL-3.0-or-later
// KL divergence between two models' next-token distributions on the same windows, and cancellation.
#include "core/eval/perplexity.h"
#include "core/util/error.h"
#include "tests/support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <numeric>

namespace {

std::unique_ptr<glvq::model::CausalLM> loadFixtureModel()
{
    return glvq::model::loadCausalLM(glvq::test::fixturePath("debian-llama-16m"), glvq::model::ComputeDevice::Cpu);
}

std::vector<std::int32_t> referenceIds()
{
    const auto reference = glvq::test::loadFixtureJson("debian-llama-16m.reference.json");
    return reference["token_ids"]["eval_austen"].get<std::vector<std::int32_t>>();
}

// Rounds a layer's weights to a coarse grid: a crude stand-in for quantization noise.
void coarsenLayer(glvq::model::CausalLM& model, const std::string& name, double step)
{
    const auto& layer = model.linear(name);
    auto weight = at::round(layer.denseWeight() / step) * step;
    model.replaceLinear(name, std::make_shared<glvq::model::DenseLinear>(weight, at::Tensor()));
}

} // namespace

TEST(KlDivergence, ZeroForIdenticalModelsPositiveForPerturbedOnes)
{
    const auto reference = loadFixtureModel();
    auto candidate = loadFixtureModel();
    const auto ids = referenceIds();
    const glvq::eval::EvalOptions options { .ctx = 128, .maxWindows = 8 };

    const auto same = glvq::eval::evaluateKl(*reference, *candidate, ids, options, {});
    EXPECT_NEAR(same.meanKl, 0.0, 1e-9);
    EXPECT_DOUBLE_EQ(same.reference.perplexity, same.candidate.perplexity);
    EXPECT_EQ(same.protocol.windows, 8);
    EXPECT_EQ(same.protocol.scoredTokens, 8 * 127);

    for (const auto& name : candidate->blockLinearNames())
        coarsenLayer(*candidate, name, 0.02);
    const auto perturbed = glvq::eval::evaluateKl(*reference, *candidate, ids, options, {});
    EXPECT_GT(perturbed.meanKl, 1e-3);
    for (double kl : perturbed.windowMeanKl)
        EXPECT_GE(kl, 0.0);
    EXPECT_NEAR(perturbed.reference.perplexity, same.reference.perplexity, 1e-9);
    EXPECT_GT(perturbed.candidate.perplexity, perturbed.reference.perplexity);

    // The candidate's perplexity from the KL pass equals a perplexity run of its own.
    const auto alone = glvq::eval::evaluatePerplexity(*candidate, ids, options, {});
    // (Batch sizes differ between the two runs, so BLAS blocking differs: equal up to fp32 summation order.)
    EXPECT_NEAR(alone.perplexity, perturbed.candidate.perplexity, 1e-6 * alone.perplexity);
}

TEST(KlDivergence, CancelStopsBeforeTheNextWindow)
{
    const auto model = loadFixtureModel();
    const auto ids = referenceIds();
    glvq::CancelSource source;
    int reports = 0;
    const auto progress = [&](const glvq::ProgressInfo& info) {
        ++reports;
        EXPECT_EQ(info.stage, "evaluate");
        source.requestCancel();
    };
    EXPECT_THROW(glvq::eval::evaluatePerplexity(*model, ids, { .ctx = 64, .batchWindows = 1 }, {}, progress,
                                                source.token()),
                 glvq::Cancelled);
    EXPECT_EQ(reports, 1);
}

TEST(Windows, TooShortTextIsAClearError)
{
    const auto model = loadFixtureModel();
    const std::vector<std::int32_t> ids(100, 5);
    EXPECT_THROW(glvq::eval::evaluatePerplexity(*model, ids, { .ctx = 512 }, {}), glvq::Error);
    EXPECT_THROW(glvq::eval::evaluatePerplexity(*model, ids, { .ctx = 1 }, {}), glvq::Error);
}
