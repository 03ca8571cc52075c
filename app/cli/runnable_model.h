// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What `glvq eval` and `glvq bench` run: a checkpoint directory (dense, as stored) or an exported .h5 file
// (quantized layers through the fused kernels or decoded, --kernels), with the tokenizer that came with it.
#include "core/model/causal_lm.h"
#include "core/pipeline/exported_model_loader.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace glvq::cli {

struct RunnableModel {
    std::unique_ptr<model::CausalLM> model;
    std::optional<tok::Tokenizer> tokenizer; // absent when not asked for
    std::string tokenizerName;                // "tokenizer.json" as found, for protocol stamps
    std::string name;                         // directory or file name, for protocol stamps
    // For an .h5 file: its root attributes (the rest of the file's content is released once the model is built).
    std::optional<nlohmann::json> exportedMetadata;
};

// `path` is a directory (Hugging Face checkpoint) or a regular file (an exported .h5). glvq::Error naming the
// path for anything else or anything malformed.
RunnableModel openRunnableModel(const std::filesystem::path& path, model::ComputeDevice device,
                                pipeline::QuantizedKernels kernels, bool withTokenizer,
                                const ProgressCallback& progress, const CancelToken& cancel);

// The model's linear layers by kind, as `glvq eval` and `glvq bench` print them:
// "42 × glvq d=8, fused CPU (avx512) kernel; 1 × dense fp32 (lm_head)".
std::string describeLinears(const model::CausalLM& model);

} // namespace glvq::cli
