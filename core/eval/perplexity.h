// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Perplexity of a causal LM on a token stream, and the KL divergence of one model's next-token distribution
// from another's on the same windows (e.g. original vs quantized), under the fixtures' protocol
// (see EvalProtocol). NLLs are accumulated in fp64. Long runs report progress and poll the cancel token
// between forward passes.
#include "core/eval/eval_protocol.h"
#include "core/model/causal_lm.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace glvq::eval {

struct EvalOptions {
    std::int64_t ctx = 512;
    std::int64_t maxWindows = 0;   // 0: all windows
    std::int64_t batchWindows = 0; // 0: chosen from a memory budget for the logits
};

struct PerplexityResult {
    EvalProtocol protocol;
    double meanNll = 0.0;
    double perplexity = 0.0;
    std::vector<double> windowMeanNll;
    double seconds = 0.0;
    double tokensPerSecond = 0.0; // tokens through the model (windows × ctx) per second
};

struct KlResult {
    EvalProtocol protocol;
    double meanKl = 0.0;                    // mean over scored positions of KL(P_reference ‖ P_candidate), nats
    std::vector<double> windowMeanKl;
    PerplexityResult reference;             // both perplexities come from the same pass
    PerplexityResult candidate;
};

// `protocol` carries the text's identity and tokenizer; this fills in windows, ctx, dtype and device.
PerplexityResult evaluatePerplexity(const model::CausalLM& model, std::span<const std::int32_t> ids,
                                    const EvalOptions& options, EvalProtocol protocol,
                                    const ProgressCallback& progress = {}, const CancelToken& cancel = {});

KlResult evaluateKl(const model::CausalLM& reference, const model::CausalLM& candidate,
                    std::span<const std::int32_t> ids, const EvalOptions& options, EvalProtocol protocol,
                    const ProgressCallback& progress = {}, const CancelToken& cancel = {});

nlohmann::json toJson(const PerplexityResult& result);
nlohmann::json toJson(const KlResult& result);

} // namespace glvq::eval
