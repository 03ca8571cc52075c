// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The architecture described by a Hugging Face config.json, for the Llama family the engine runs:
// model_type "llama", "mistral" and "qwen2". Anything the forward pass would silently get wrong
// (another model type, rope scaling, an activation other than SiLU) is rejected with a glvq::Error
// that names the file, the field, and what is supported.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace glvq::io {

struct ModelConfig {
    std::string modelType;         // "llama", "mistral" or "qwen2"
    std::string architecture;      // architectures[0], e.g. "LlamaForCausalLM" (may be empty)
    std::int64_t vocabSize = 0;
    std::int64_t hiddenSize = 0;
    std::int64_t intermediateSize = 0;
    std::int64_t numLayers = 0;
    std::int64_t numHeads = 0;
    std::int64_t numKvHeads = 0;   // < numHeads means grouped-query attention
    std::int64_t headDim = 0;      // explicit head_dim, else hidden_size / num_attention_heads
    std::int64_t maxPositionEmbeddings = 0;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;    // from rope_theta or rope_parameters.rope_theta (transformers >= 5)
    bool tieWordEmbeddings = false; // no lm_head tensor: the output projection is embed_tokens
    bool attentionBias = false;    // q/k/v (and for llama also o) projections carry a bias
    bool outputProjectionBias = false; // o_proj bias (llama attention_bias); qwen2 has none
    bool mlpBias = false;
    std::optional<std::int64_t> slidingWindow; // mistral/qwen2 when enabled: attend to the last N positions
    std::string dtype;             // storage dtype named by the config ("bfloat16"); compute is fp32
    std::optional<std::int64_t> bosTokenId;
    std::optional<std::int64_t> eosTokenId;

    std::int64_t kvGroupSize() const { return numHeads / numKvHeads; }
    std::string summary() const; // one line, e.g. "llama: 6 layers, hidden 384, 6 heads (2 KV), ..."
};

ModelConfig parseModelConfig(std::string_view json, const std::string& sourceName);
ModelConfig loadModelConfig(const std::filesystem::path& configJson);

} // namespace glvq::io
