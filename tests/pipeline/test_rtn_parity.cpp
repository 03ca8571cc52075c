// SPDX-License-Identifier: GPL-3.0-or-later
// Whole-model RTN (per row, per 128 columns, asymmetric min-max) against transformers: perplexity at ctx 512
// within 0.5 % of the fixtures' w4 / w3 / w2 references on both texts.
#include "core/eval/perplexity.h"
#include "core/pipeline/quantization_pipeline.h"
#include "core/util/text_file.h"
#include "tests/support/fixtures.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

struct RtnCase {
    int bits;
};

class RtnParity : public ::testing::TestWithParam<RtnCase> {};

} // namespace

TEST_P(RtnParity, PerplexityWithinHalfAPercentOfTransformers)
{
    const int bits = GetParam().bits;
    const auto reference = glvq::test::loadFixtureJson("debian-llama-16m.reference.json");
    const auto tokenizer
        = glvq::tok::Tokenizer::fromFile(glvq::test::fixturePath("debian-llama-16m/tokenizer.json"));
    auto model = glvq::model::loadCausalLM(glvq::test::fixturePath("debian-llama-16m"), glvq::model::ComputeDevice::Cpu);

    glvq::pipeline::PipelineOptions options;
    options.method = "rtn";
    options.bits = bits;
    options.allocation = glvq::pipeline::BitAllocation::Uniform;
    const auto result = glvq::pipeline::runPipeline(*model, tokenizer, options);
    ASSERT_EQ(result.layers.size(), 42u);
    EXPECT_DOUBLE_EQ(result.codeBitsPerWeight, bits);
    glvq::pipeline::applyToModel(*model, result);

    for (const std::string text : { "eval_austen", "eval_tech" }) {
        const auto ids = tokenizer.encode(glvq::readTextFile(glvq::test::fixturePath(text + ".txt")));
        const auto ppl = glvq::eval::evaluatePerplexity(*model, ids, { .ctx = 512 }, {});
        const double expected
            = reference["rtn_g128_asym_ppl_ctx512"]["w" + std::to_string(bits)][text].get<double>();
        const double relative = std::abs(ppl.perplexity - expected) / expected;
        EXPECT_LE(relative, 5e-3) << text << ": ours " << ppl.perplexity << ", transformers " << expected;
        std::printf("RTN w%d %s: PPL %.4f (transformers %.4f, rel. error %.2e)\n", bits, text.c_str(), ppl.perplexity,
                    expected, relative);
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RtnParity, ::testing::Values(RtnCase { 4 }, RtnCase { 3 }, RtnCase { 2 }),
                         [](const auto& info) { return "w" + std::to_string(info.param.bits); });
