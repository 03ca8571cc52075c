// SPDX-License-Identifier: GPL-3.0-or-later
// The sample model loads with the core loader as the Llama architecture it claims, fits the repository's size
// budget, and keeps its perplexity on Persuasion: the bound is the full-text figure of sample_data/README.md
// (measured with glvq eval) plus a margin for the shorter, 8-window evaluation used here.
#include "core/eval/perplexity.h"
#include "core/model/causal_lm.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/text_file.h"
#include "tests/sample_data/sample_paths.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace {

// The first 8 windows of 512 tokens (4088 scored tokens): the published model gives PPL 51.58 there and 48.36
// on the whole text (sample_data/README.md). The bound leaves room for BLAS differences, not for a worse model.
constexpr double kPerplexityBound = 60.0;

} // namespace

TEST(SampleModel, LoadsAsSmallGroupedQueryLlama)
{
    const auto model = glvq::model::loadCausalLM(glvq::test::samplePath("model"), glvq::model::ComputeDevice::Cpu);
    const auto& config = model->config();
    EXPECT_EQ(config.modelType, "llama");
    EXPECT_EQ(config.architecture, "LlamaForCausalLM");
    EXPECT_LT(config.numKvHeads, config.numHeads); // grouped-query attention
    EXPECT_FALSE(config.tieWordEmbeddings);
    EXPECT_EQ(config.vocabSize, 4096);
    EXPECT_GE(model->parameterCount(), 4'000'000);
    EXPECT_LE(model->parameterCount(), 8'000'000);
}

TEST(SampleModel, FitsTheRepositorySizeBudget)
{
    std::uintmax_t bytes = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(glvq::test::samplePath(".")))
        if (entry.is_regular_file() && entry.path().string().find("/.work/") == std::string::npos)
            bytes += entry.file_size();
    EXPECT_LE(bytes, 16u * 1024 * 1024);
}

TEST(SampleModel, PerplexityOnPersuasionStaysWithinBound)
{
    const auto model = glvq::model::loadCausalLM(glvq::test::samplePath("model"), glvq::model::ComputeDevice::Cpu);
    const auto tokenizer = glvq::tok::Tokenizer::fromFile(glvq::test::samplePath("model/tokenizer.json"));
    const auto ids = tokenizer.encode(glvq::readTextFile(glvq::test::samplePath("texts/persuasion.txt")));
    const glvq::eval::EvalOptions options { .ctx = 512, .maxWindows = 8 };
    const auto result = glvq::eval::evaluatePerplexity(*model, ids, options, {});
    EXPECT_EQ(result.protocol.windows, 8);
    EXPECT_LT(result.perplexity, kPerplexityBound);
    EXPECT_GT(result.perplexity, 1.0);
}
