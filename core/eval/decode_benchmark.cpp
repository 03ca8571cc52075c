// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/decode_benchmark.h"

#include "core/util/error.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace glvq::eval {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Greedy next token of the last position; reading it to the host waits for the device.
std::int64_t nextToken(const at::Tensor& logits) { return logits.select(1, -1).argmax(-1).item<std::int64_t>(); }

} // namespace

DecodeBenchmarkResult benchmarkDecoding(const model::CausalLM& model, const DecodeBenchmarkOptions& options,
                                        const ProgressCallback& progress, const CancelToken& cancel)
{
    const auto& config = model.config();
    const auto total = options.promptTokens + options.warmupTokens + options.newTokens;
    if (options.promptTokens < 1 || options.newTokens < 1 || options.warmupTokens < 0)
        throw Error("decode benchmark: the prompt and the timed tokens must be at least 1 token each");
    if (config.maxPositionEmbeddings > 0 && total > config.maxPositionEmbeddings)
        throw Error("decode benchmark: prompt + warm-up + new tokens = " + std::to_string(total)
                    + " exceeds the model's max_position_embeddings " + std::to_string(config.maxPositionEmbeddings));
    c10::InferenceMode inferenceMode;
    // A fixed spread of ids over the vocabulary (a multiplicative walk), deterministic and device-independent.
    auto prompt = at::empty({ 1, options.promptTokens }, at::kLong);
    for (std::int64_t t = 0; t < options.promptTokens; ++t)
        prompt[0][t] = (t * 7919 + 13) % config.vocabSize;

    ProgressReporter reporter(progress, "decode", double(1 + options.warmupTokens + options.newTokens));
    DecodeBenchmarkResult result;
    result.promptTokens = options.promptTokens;
    result.newTokens = options.newTokens;
    model::KvCache cache;
    auto start = Clock::now();
    auto token = nextToken(model.forwardCached(prompt, cache));
    result.prefillSeconds = secondsSince(start);
    reporter.advance(1, "prefill " + std::to_string(options.promptTokens) + " tokens");

    std::vector<double> tokenSeconds;
    const auto step = [&](bool timed) {
        cancel.throwIfCancelled();
        const auto input = at::full({ 1, 1 }, token, at::kLong);
        const auto begin = Clock::now();
        token = nextToken(model.forwardCached(input, cache));
        if (timed) {
            tokenSeconds.push_back(secondsSince(begin));
            result.generated.push_back(token);
        }
    };
    for (std::int64_t t = 0; t < options.warmupTokens; ++t) {
        step(false);
        reporter.advance(1, "warm-up");
    }
    for (std::int64_t t = 0; t < options.newTokens; ++t) {
        step(true);
        reporter.advance(1, "token " + std::to_string(t + 1) + "/" + std::to_string(options.newTokens));
    }
    double sum = 0.0;
    for (double s : tokenSeconds)
        sum += s;
    auto sorted = tokenSeconds;
    std::sort(sorted.begin(), sorted.end());
    const auto n = sorted.size();
    result.medianTokenSeconds = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    result.tokensPerSecond = 1.0 / result.medianTokenSeconds;
    result.meanTokensPerSecond = double(n) / sum;
    return result;
}

nlohmann::json toJson(const DecodeBenchmarkResult& result)
{
    return {
        { "prompt_tokens", result.promptTokens },
        { "new_tokens", result.newTokens },
        { "prefill_seconds", result.prefillSeconds },
        { "median_token_seconds", result.medianTokenSeconds },
        { "tokens_per_second", result.tokensPerSecond },
        { "mean_tokens_per_second", result.meanTokensPerSecond },
    };
}

} // namespace glvq::eval
