// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Saving the trainer's model as a Hugging Face checkpoint directory (model.safetensors in bf16 +
// config.json + trainer_state.json) and loading one back. Every file is written atomically (temporary
// name, then rename), so an interrupted save leaves the previous checkpoint's files intact.
#include "tools/trainer/llama_module.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace glvq::trainer {

// `configJson` is written as config.json (the HF config the model was built from); `state` as
// trainer_state.json (step, loss, tokens, options: what a reader needs to know how the weights were made).
void saveCheckpoint(LlamaForCausalLM& model, const std::filesystem::path& dir, const std::string& configJson,
                    const nlohmann::json& state);

// Copies the weights of checkpoint `dir` (any dtype safetensors, HF names) into `model`. Throws glvq::Error
// naming the tensor when one is missing or mis-shaped.
void loadCheckpointWeights(LlamaForCausalLM& model, const std::filesystem::path& dir);

} // namespace glvq::trainer
