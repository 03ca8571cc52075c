// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Batch-1 decoding speed, as a user of a chat model sees it: prefill a prompt into the KV cache, then generate
// greedily one token per forward pass. Each token's time runs from the forward call to its argmax being on the
// host (which synchronises a CUDA device), so GPU work is fully counted. Token values do not change the work,
// so the prompt is a fixed deterministic sequence of ids.
// Thread-safety: runs the model from the calling thread; one benchmark per model at a time.
#include "core/model/causal_lm.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <vector>

namespace glvq::eval {

struct DecodeBenchmarkOptions {
    std::int64_t promptTokens = 64;
    std::int64_t newTokens = 64; // timed
    std::int64_t warmupTokens = 4; // generated before timing starts (allocator, kernels, caches)
};

struct DecodeBenchmarkResult {
    std::int64_t promptTokens = 0;
    std::int64_t newTokens = 0;
    double prefillSeconds = 0.0;
    double medianTokenSeconds = 0.0;
    double tokensPerSecond = 0.0;     // 1 / median token time
    double meanTokensPerSecond = 0.0; // new tokens / their total time
    std::vector<std::int64_t> generated; // the greedy continuation (same model and prompt: same tokens)
};

// Throws glvq::Error when prompt + warm-up + new tokens is below 1 or exceeds the model's context length.
DecodeBenchmarkResult benchmarkDecoding(const model::CausalLM& model, const DecodeBenchmarkOptions& options,
                                        const ProgressCallback& progress = {}, const CancelToken& cancel = {});

nlohmann::json toJson(const DecodeBenchmarkResult& result);

} // namespace glvq::eval
