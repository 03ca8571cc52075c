// SPDX-License-Identifier: GPL-3.0-or-later
// The forward pass against Hugging Face transformers' fp32 logits for debian-llama-16m (sharded bf16 checkpoint).
#include "core/model/causal_lm.h"
#include "core/util/error.h"
#include "tests/support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace {

class ForwardParity : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_reference = new nlohmann::json(glvq::test::loadFixtureJson("debian-llama-16m.reference.json"));
        s_model = glvq::model::loadCausalLM(glvq::test::fixturePath("debian-llama-16m"),
                                            glvq::model::ComputeDevice::Cpu)
                      .release();
        const auto& probes = (*s_reference)["probe_ids"];
        const auto rows = static_cast<std::int64_t>(probes.size());
        const auto cols = static_cast<std::int64_t>(probes[0].size());
        auto ids = at::empty({ rows, cols }, at::kLong);
        for (std::int64_t r = 0; r < rows; ++r)
            for (std::int64_t c = 0; c < cols; ++c)
                ids[r][c] = probes[r][c].get<std::int64_t>();
        s_ids = new at::Tensor(ids);
        s_logits = new at::Tensor(s_model->forward(ids));
    }
    static void TearDownTestSuite()
    {
        delete s_logits;
        delete s_ids;
        delete s_model;
        delete s_reference;
    }

    static nlohmann::json* s_reference;
    static glvq::model::CausalLM* s_model;
    static at::Tensor* s_ids;
    static at::Tensor* s_logits;
};

nlohmann::json* ForwardParity::s_reference = nullptr;
glvq::model::CausalLM* ForwardParity::s_model = nullptr;
at::Tensor* ForwardParity::s_ids = nullptr;
at::Tensor* ForwardParity::s_logits = nullptr;

} // namespace

TEST_F(ForwardParity, ProbeLogitsWithin1e4Relative)
{
    const auto& positions = (*s_reference)["probe_logits_positions"];
    const auto& expected = (*s_reference)["probe_logits"];
    ASSERT_EQ(s_logits->size(2), 8192);
    double worstRelative = 0.0;
    for (std::size_t row = 0; row < expected.size(); ++row) {
        for (std::size_t p = 0; p < positions.size(); ++p) {
            const auto position = positions[p].get<std::int64_t>();
            const auto& reference = expected[row][p];
            const auto ours = (*s_logits)[std::int64_t(row)][position];
            const auto* values = ours.contiguous().data_ptr<float>();
            ASSERT_EQ(reference.size(), std::size_t(ours.numel()));
            // Relative to the row's largest logit magnitude: logits near zero make element-wise ratios meaningless.
            double maxAbsReference = 0.0, maxError = 0.0;
            for (std::size_t v = 0; v < reference.size(); ++v) {
                const double r = reference[v].get<double>();
                maxAbsReference = std::max(maxAbsReference, std::abs(r));
                maxError = std::max(maxError, std::abs(double(values[v]) - r));
            }
            const double relative = maxError / maxAbsReference;
            worstRelative = std::max(worstRelative, relative);
            EXPECT_LE(relative, 1e-4) << "row " << row << " position " << position << " max abs error " << maxError;
        }
    }
    RecordProperty("worst_relative_logit_error", std::to_string(worstRelative));
    std::printf("probe logits: worst max-abs error / max |logit| = %.3g\n", worstRelative);
}

TEST_F(ForwardParity, ProbeTokenNllWithin1e4Absolute)
{
    const auto& expected = (*s_reference)["probe_token_nll"];
    const auto logProbs = at::log_softmax(*s_logits, -1);
    double worst = 0.0;
    for (std::size_t row = 0; row < expected.size(); ++row) {
        ASSERT_EQ(expected[row].size(), std::size_t(s_ids->size(1) - 1));
        for (std::size_t t = 0; t < expected[row].size(); ++t) {
            const auto target = (*s_ids)[std::int64_t(row)][std::int64_t(t + 1)].item<std::int64_t>();
            const double nll = -logProbs[std::int64_t(row)][std::int64_t(t)][target].item<double>();
            const double error = std::abs(nll - expected[row][t].get<double>());
            worst = std::max(worst, error);
            EXPECT_LE(error, 1e-4) << "row " << row << " token " << t + 1;
        }
    }
    std::printf("probe token NLL: worst absolute error = %.3g\n", worst);
}

// Incremental decoding (what `glvq bench` times): a prefill, then one position per call through the KV cache,
// must give the logits of the full forward pass at every position (GQA: 6 query heads over 2 KV heads).
TEST_F(ForwardParity, KvCacheIncrementalDecodingMatchesFullForward)
{
    const auto time = s_ids->size(1);
    const std::int64_t prefill = 5;
    ASSERT_GT(time, prefill + 2);
    glvq::model::KvCache cache;
    std::vector<at::Tensor> pieces { s_model->forwardCached(s_ids->narrow(1, 0, prefill), cache) };
    for (std::int64_t t = prefill; t < time; ++t)
        pieces.push_back(s_model->forwardCached(s_ids->narrow(1, t, 1), cache));
    EXPECT_EQ(cache.length, time);
    const auto incremental = at::cat(pieces, 1);
    ASSERT_EQ(incremental.sizes(), s_logits->sizes());
    const double relative
        = (incremental - *s_logits).abs().max().item<double>() / s_logits->abs().max().item<double>();
    EXPECT_LE(relative, 1e-5);
    std::printf("KV-cache decoding vs full forward: max-abs error / max |logit| = %.3g\n", relative);

    // A cache belongs to one batch size: feeding another is an error, not a silent broadcast.
    EXPECT_THROW(s_model->forwardCached(s_ids->narrow(0, 0, 1).narrow(1, 0, 1), cache), glvq::Error);
}
