// SPDX-License-Identifier: GPL-3.0-or-later
// End to end against transformers: our tokenizer on the whole file, our forward pass, the fixtures' window
// protocol; perplexity within 0.1 % for both texts at ctx 128 and 512.
#include "core/eval/perplexity.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/text_file.h"
#include "tests/support/fixtures.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

struct PplCase {
    std::string text;
    int ctx;
};

class PerplexityParity : public ::testing::TestWithParam<PplCase> {
protected:
    static void SetUpTestSuite()
    {
        s_reference = new nlohmann::json(glvq::test::loadFixtureJson("debian-llama-16m.reference.json"));
        s_model = glvq::model::loadCausalLM(glvq::test::fixturePath("debian-llama-16m"),
                                            glvq::model::ComputeDevice::Cpu)
                      .release();
        s_tokenizer = new glvq::tok::Tokenizer(
            glvq::tok::Tokenizer::fromFile(glvq::test::fixturePath("debian-llama-16m/tokenizer.json")));
    }
    static void TearDownTestSuite()
    {
        delete s_tokenizer;
        delete s_model;
        delete s_reference;
    }

    static nlohmann::json* s_reference;
    static glvq::model::CausalLM* s_model;
    static glvq::tok::Tokenizer* s_tokenizer;
};

nlohmann::json* PerplexityParity::s_reference = nullptr;
glvq::model::CausalLM* PerplexityParity::s_model = nullptr;
glvq::tok::Tokenizer* PerplexityParity::s_tokenizer = nullptr;

} // namespace

TEST_P(PerplexityParity, MatchesTransformersWithin0p1Percent)
{
    const auto& [text, ctx] = GetParam();
    const auto path = glvq::test::fixturePath(text + ".txt");
    const auto contents = glvq::readTextFile(path);
    const auto ids = s_tokenizer->encode(contents);
    const auto identity = glvq::eval::identifyText(path, contents);

    glvq::eval::EvalProtocol protocol;
    protocol.textName = identity.name;
    protocol.textSha256 = identity.sha256;
    protocol.tokenizer = s_tokenizer->description();
    const auto result = glvq::eval::evaluatePerplexity(*s_model, ids, { .ctx = ctx }, protocol);

    const auto& expected = (*s_reference)["ppl_fp32"][text][std::to_string(ctx)];
    EXPECT_EQ(result.protocol.windows, expected["windows"].get<std::int64_t>());
    EXPECT_EQ(result.protocol.scoredTokens, expected["predicted_tokens"].get<std::int64_t>());
    EXPECT_EQ(result.protocol.ctx, ctx);
    EXPECT_EQ(result.protocol.textSha256.size(), 64u);
    const double referencePpl = expected["ppl"].get<double>();
    const double relative = std::abs(result.perplexity - referencePpl) / referencePpl;
    EXPECT_LE(relative, 1e-3) << "ours " << result.perplexity << " vs transformers " << referencePpl;
    std::printf("%s ctx %d: PPL %.4f (transformers %.4f, rel. error %.2e), %.1f s, %.0f tokens/s\n", text.c_str(), ctx,
                result.perplexity, referencePpl, relative, result.seconds, result.tokensPerSecond);

    // Every window agrees, not just the mean.
    const auto& windowNll = expected["window_mean_nll"];
    ASSERT_EQ(result.windowMeanNll.size(), windowNll.size());
    double worst = 0.0;
    for (std::size_t w = 0; w < windowNll.size(); ++w)
        worst = std::max(worst, std::abs(result.windowMeanNll[w] - windowNll[w].get<double>()));
    EXPECT_LE(worst, 1e-3) << "worst per-window mean NLL difference";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PerplexityParity,
                         ::testing::Values(PplCase { "eval_austen", 128 }, PplCase { "eval_austen", 512 },
                                           PplCase { "eval_tech", 128 }, PplCase { "eval_tech", 512 }),
                         [](const auto& info) { return info.param.text + "_ctx" + std::to_string(info.param.ctx); });
