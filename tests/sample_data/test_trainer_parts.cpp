// SPDX-License-Identifier: GPL-3.0-or-later
// The trainer's small parts: learning-rate schedule, token file validation and sampling, checkpoint round trip.
#include "core/model/causal_lm.h"
#include "core/util/error.h"
#include "core/util/text_file.h"
#include "tools/trainer/checkpoint_io.h"
#include "tools/trainer/lr_schedule.h"
#include "tools/trainer/token_file.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;

const char* kTinyConfig = R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
  "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
  "head_dim": 16, "vocab_size": 300, "max_position_embeddings": 128, "rms_norm_eps": 1e-5,
  "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": false, "torch_dtype": "bfloat16"})";

fs::path freshDir(const std::string& name)
{
    const auto dir = fs::temp_directory_path() / ("glvq_test_trainer_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

fs::path writeTokens(const fs::path& dir, const std::vector<std::uint16_t>& ids, bool oddByte = false)
{
    const auto path = dir / "tokens.u16";
    std::ofstream out(path, std::ios::binary);
    for (auto id : ids) {
        const char bytes[2] = { static_cast<char>(id & 0xFF), static_cast<char>(id >> 8) };
        out.write(bytes, 2);
    }
    if (oddByte)
        out.put('\0');
    return path;
}

} // namespace

TEST(LearningRate, WarmsUpLinearlyThenDecaysByCosineToTheFloor)
{
    using glvq::trainer::learningRate;
    EXPECT_DOUBLE_EQ(learningRate(0, 1000, 100, 1.0, 0.1), 0.01);
    EXPECT_DOUBLE_EQ(learningRate(99, 1000, 100, 1.0, 0.1), 1.0);
    EXPECT_DOUBLE_EQ(learningRate(100, 1000, 100, 1.0, 0.1), 1.0);
    EXPECT_NEAR(learningRate(550, 1000, 100, 1.0, 0.1), 0.55, 1e-12); // half way: (1 + 0.1) / 2
    EXPECT_NEAR(learningRate(1000, 1000, 100, 1.0, 0.1), 0.1, 1e-12);
    for (std::int64_t step = 101; step < 1000; ++step)
        EXPECT_LE(learningRate(step, 1000, 100, 1.0, 0.1), learningRate(step - 1, 1000, 100, 1.0, 0.1));
}

TEST(TokenFile, RejectsOddSizeShortFilesAndIdsOutsideTheVocabulary)
{
    const auto dir = freshDir("tokens");
    EXPECT_THROW(glvq::trainer::TokenFile(writeTokens(dir, { 1, 2, 3 }, true), 10, 1), glvq::Error);
    EXPECT_THROW(glvq::trainer::TokenFile(writeTokens(dir, { 1, 2, 3 }), 10, 4), glvq::Error);
    try {
        glvq::trainer::TokenFile(writeTokens(dir, { 1, 2, 12, 3 }), 10, 1);
        FAIL() << "id 12 accepted with a vocabulary of 10";
    } catch (const glvq::Error& e) {
        EXPECT_NE(std::string(e.what()).find("token 2 is id 12"), std::string::npos) << e.what();
    }
}

TEST(TokenFile, SamplesWindowsOfConsecutiveTokensReproducibly)
{
    std::vector<std::uint16_t> ids(1000);
    for (std::size_t i = 0; i < ids.size(); ++i)
        ids[i] = static_cast<std::uint16_t>(i);
    const glvq::trainer::TokenFile tokens(writeTokens(freshDir("sample"), ids), 1000, 1);
    std::mt19937_64 rngA(5), rngB(5);
    const auto a = tokens.sampleWindows(rngA, 4, 17);
    EXPECT_EQ(a, tokens.sampleWindows(rngB, 4, 17));
    for (std::size_t row = 0; row < 4; ++row)
        for (std::size_t t = 1; t < 17; ++t)
            EXPECT_EQ(a[row * 17 + t], a[row * 17 + t - 1] + 1);
    const auto spread = tokens.spreadWindows(3, 100); // 10 windows available: starts 0, 300, 600
    ASSERT_EQ(spread.size(), 300u);
    EXPECT_EQ(spread[0], 0);
    EXPECT_EQ(spread[100], 300);
    EXPECT_EQ(spread[200], 600);
}

TEST(TrainerCheckpoint, SavesHfLayoutThatCoreLoadsAndTheTrainerReadsBack)
{
    const auto dir = freshDir("checkpoint");
    glvq::writeFileAtomically(dir / "in.json", kTinyConfig);
    const auto config = glvq::io::loadModelConfig(dir / "in.json");
    torch::manual_seed(3);
    glvq::trainer::LlamaForCausalLM model(config);
    model->initialiseWeights();
    glvq::trainer::saveCheckpoint(model, dir / "out", kTinyConfig, { { "step", 0 } });
    for (const auto* file : { "model.safetensors", "config.json", "trainer_state.json" })
        EXPECT_TRUE(fs::exists(dir / "out" / file)) << file;

    const auto core = glvq::model::loadCausalLM(dir / "out", glvq::model::ComputeDevice::Cpu);
    EXPECT_TRUE(core->hasLinear("model.layers.1.mlp.down_proj"));
    glvq::trainer::LlamaForCausalLM reloaded(config);
    glvq::trainer::loadCheckpointWeights(reloaded, dir / "out");
    const auto original = model->named_parameters();
    for (const auto& item : reloaded->named_parameters()) // saved as bf16: equal after rounding
        EXPECT_TRUE(torch::equal(item.value(), original[item.key()].to(torch::kBFloat16).to(torch::kFloat32)))
            << item.key();
}
