// SPDX-License-Identifier: GPL-3.0-or-later
// config.json parsing for the supported model types, both rope-theta styles, and clear rejections.
#include "core/io/hf_config.h"
#include "core/util/error.h"
#include "tests/support/fixtures.h"

#include <gtest/gtest.h>

using glvq::io::parseModelConfig;

namespace {

std::string configWith(const std::string& extra, const std::string& type = "llama")
{
    return R"({"model_type": ")" + type + R"(", "vocab_size": 1000, "hidden_size": 256, "intermediate_size": 512,
               "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 2)"
        + (extra.empty() ? "" : ", " + extra) + "}";
}

void expectError(const std::string& json, const std::string& needle)
{
    try {
        parseModelConfig(json, "cfg/config.json");
        FAIL() << "expected an error containing '" << needle << "'";
    } catch (const glvq::Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("cfg/config.json"), std::string::npos) << message;
        EXPECT_NE(message.find(needle), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    }
}

} // namespace

TEST(HfConfig, FixtureLlama)
{
    const auto config = glvq::io::loadModelConfig(glvq::test::fixturePath("debian-llama-16m/config.json"));
    EXPECT_EQ(config.modelType, "llama");
    EXPECT_EQ(config.architecture, "LlamaForCausalLM");
    EXPECT_EQ(config.numLayers, 6);
    EXPECT_EQ(config.hiddenSize, 384);
    EXPECT_EQ(config.numHeads, 6);
    EXPECT_EQ(config.numKvHeads, 2);
    EXPECT_EQ(config.headDim, 64);
    EXPECT_EQ(config.intermediateSize, 1024);
    EXPECT_EQ(config.vocabSize, 8192);
    EXPECT_DOUBLE_EQ(config.rmsNormEps, 1e-5);
    EXPECT_DOUBLE_EQ(config.ropeTheta, 10000.0);
    EXPECT_FALSE(config.tieWordEmbeddings);
    EXPECT_FALSE(config.attentionBias);
    EXPECT_EQ(config.dtype, "bfloat16");
}

TEST(HfConfig, RopeThetaFromRopeParameters)
{
    // transformers >= 5 writes rope_parameters instead of a top-level rope_theta.
    const auto config = parseModelConfig(
        configWith(R"("rope_parameters": {"rope_type": "default", "rope_theta": 500000.0}, "dtype": "float16")"), "c");
    EXPECT_DOUBLE_EQ(config.ropeTheta, 500000.0);
    EXPECT_EQ(config.dtype, "float16");
    EXPECT_EQ(config.headDim, 32);
}

TEST(HfConfig, Qwen2HasQkvBiasAndTiedEmbeddings)
{
    const auto config = parseModelConfig(
        configWith(R"("tie_word_embeddings": true, "rope_theta": 1000000.0, "use_sliding_window": false,
                      "sliding_window": 4096)",
                   "qwen2"),
        "c");
    EXPECT_TRUE(config.attentionBias);
    EXPECT_FALSE(config.outputProjectionBias);
    EXPECT_TRUE(config.tieWordEmbeddings);
    EXPECT_FALSE(config.slidingWindow.has_value());
}

TEST(HfConfig, MistralSlidingWindowAndExplicitHeadDim)
{
    const auto config = parseModelConfig(configWith(R"("sliding_window": 4096, "head_dim": 64)", "mistral"), "c");
    ASSERT_TRUE(config.slidingWindow.has_value());
    EXPECT_EQ(*config.slidingWindow, 4096);
    EXPECT_EQ(config.headDim, 64);
}

TEST(HfConfig, RejectsWhatTheForwardPassWouldGetWrong)
{
    expectError(configWith("", "gpt2"), "supported: llama, mistral, qwen2");
    expectError(configWith(R"("rope_scaling": {"rope_type": "yarn", "factor": 4.0})"), "rope scaling");
    expectError(configWith(R"("rope_parameters": {"rope_type": "llama3", "rope_theta": 5e5})"), "rope_parameters");
    expectError(configWith(R"("hidden_act": "gelu")"), "hidden_act");
    expectError(configWith(R"("num_key_value_heads": 3)"), "num_key_value_heads");
    expectError(R"({"model_type": "llama", "vocab_size": 10})", "hidden_size");
    expectError(configWith(R"("vocab_size": -5)"), "vocab_size");
    expectError("{not json", "not valid JSON");
}
