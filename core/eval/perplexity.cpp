// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/perplexity.h"

#include "core/eval/windows.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>

namespace glvq::eval {

namespace {

// Next-token NLL per window, summed over positions 1..ctx−1: [batch] fp64. Works on logits or log-probabilities:
// NLL = logsumexp(logits) − logit[target], which avoids materialising a second [batch, ctx, vocab] tensor.
at::Tensor windowNllSums(const at::Tensor& logits, const at::Tensor& windowIds)
{
    const auto predicting = logits.narrow(1, 0, logits.size(1) - 1);
    const auto targets = windowIds.narrow(1, 1, windowIds.size(1) - 1).to(logits.device()).unsqueeze(-1);
    const auto targetLogits = predicting.gather(-1, targets).squeeze(-1);
    return (at::logsumexp(predicting, -1) - targetLogits).to(at::kDouble).sum(1);
}

std::string modelDtype(const model::CausalLM& model)
{
    const auto& stored = model.config().dtype;
    return "fp32 compute" + (stored.empty() ? std::string() : ", " + stored + " weights");
}

void fillProtocol(EvalProtocol& protocol, const model::CausalLM& model, std::size_t tokenCount, const WindowPlan& plan)
{
    protocol.textTokens = static_cast<std::int64_t>(tokenCount);
    protocol.ctx = plan.ctx;
    protocol.windows = plan.windows;
    protocol.scoredTokens = plan.windows * (plan.ctx - 1);
    protocol.dtype = modelDtype(model);
    protocol.device = model::computeDeviceName(model.device());
}

void finishPerplexity(PerplexityResult& result, double nllSum, double seconds)
{
    result.meanNll = nllSum / double(result.protocol.scoredTokens);
    result.perplexity = std::exp(result.meanNll);
    result.seconds = seconds;
    result.tokensPerSecond = seconds > 0 ? double(result.protocol.windows * result.protocol.ctx) / seconds : 0.0;
}

std::string windowDetail(std::int64_t done, std::int64_t total)
{
    return "window " + std::to_string(done) + "/" + std::to_string(total);
}

} // namespace

PerplexityResult evaluatePerplexity(const model::CausalLM& model, std::span<const std::int32_t> ids,
                                    const EvalOptions& options, EvalProtocol protocol,
                                    const ProgressCallback& progress, const CancelToken& cancel)
{
    c10::InferenceMode inferenceMode;
    const auto plan = planWindows(std::int64_t(ids.size()), options.ctx, options.maxWindows, model.config().vocabSize,
                                  options.batchWindows);
    PerplexityResult result;
    result.protocol = std::move(protocol);
    fillProtocol(result.protocol, model, ids.size(), plan);

    const auto start = std::chrono::steady_clock::now();
    ProgressReporter reporter(progress, "evaluate", double(plan.windows));
    double nllSum = 0.0;
    for (std::int64_t first = 0; first < plan.windows; first += plan.batchWindows) {
        cancel.throwIfCancelled();
        const auto count = std::min(plan.batchWindows, plan.windows - first);
        const auto batch = windowBatch(ids, plan, first, count);
        const auto sums = windowNllSums(model.forward(batch), batch).cpu();
        for (std::int64_t w = 0; w < count; ++w) {
            const double sum = sums[w].item<double>();
            nllSum += sum;
            result.windowMeanNll.push_back(sum / double(plan.ctx - 1));
        }
        reporter.advance(double(count), windowDetail(first + count, plan.windows));
    }
    finishPerplexity(result, nllSum, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return result;
}

KlResult evaluateKl(const model::CausalLM& reference, const model::CausalLM& candidate,
                    std::span<const std::int32_t> ids, const EvalOptions& options, EvalProtocol protocol,
                    const ProgressCallback& progress, const CancelToken& cancel)
{
    c10::InferenceMode inferenceMode;
    if (reference.config().vocabSize != candidate.config().vocabSize)
        throw Error("KL divergence needs models with the same vocabulary (" + std::to_string(reference.config().vocabSize)
                    + " vs " + std::to_string(candidate.config().vocabSize) + " tokens)");
    // Two models' logits are alive at once: halve the batch budget.
    auto plan = planWindows(std::int64_t(ids.size()), options.ctx, options.maxWindows, 2 * reference.config().vocabSize,
                            options.batchWindows);
    KlResult result;
    result.protocol = std::move(protocol);
    fillProtocol(result.protocol, candidate, ids.size(), plan);
    result.reference.protocol = result.protocol;
    fillProtocol(result.reference.protocol, reference, ids.size(), plan);
    result.candidate.protocol = result.protocol;

    const auto start = std::chrono::steady_clock::now();
    ProgressReporter reporter(progress, "evaluate KL", double(plan.windows));
    double klSum = 0.0, referenceNll = 0.0, candidateNll = 0.0;
    const double scoredPerWindow = double(plan.ctx - 1);
    for (std::int64_t first = 0; first < plan.windows; first += plan.batchWindows) {
        cancel.throwIfCancelled();
        const auto count = std::min(plan.batchWindows, plan.windows - first);
        const auto batch = windowBatch(ids, plan, first, count);
        const auto logP = at::log_softmax(reference.forward(batch), -1);
        const auto logQ = at::log_softmax(candidate.forward(batch), -1).to(logP.device());
        // KL(P‖Q) = Σ_v p_v (log p_v − log q_v), at the scored positions 0..ctx−2 (they predict 1..ctx−1).
        const auto scored = [&](const at::Tensor& t) { return t.narrow(1, 0, plan.ctx - 1); };
        const auto kl = (scored(logP).exp() * (scored(logP) - scored(logQ))).sum(-1).to(at::kDouble).sum(1).cpu();
        const auto nllP = windowNllSums(logP, batch).cpu();
        const auto nllQ = windowNllSums(logQ, batch).cpu();
        for (std::int64_t w = 0; w < count; ++w) {
            klSum += kl[w].item<double>();
            referenceNll += nllP[w].item<double>();
            candidateNll += nllQ[w].item<double>();
            result.windowMeanKl.push_back(kl[w].item<double>() / scoredPerWindow);
            result.reference.windowMeanNll.push_back(nllP[w].item<double>() / scoredPerWindow);
            result.candidate.windowMeanNll.push_back(nllQ[w].item<double>() / scoredPerWindow);
        }
        reporter.advance(double(count), windowDetail(first + count, plan.windows));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.meanKl = klSum / double(result.protocol.scoredTokens);
    finishPerplexity(result.reference, referenceNll, seconds);
    finishPerplexity(result.candidate, candidateNll, seconds);
    return result;
}

nlohmann::json toJson(const PerplexityResult& result)
{
    return {
        { "protocol", toJson(result.protocol) },
        { "mean_nll", result.meanNll },
        { "perplexity", result.perplexity },
        { "window_mean_nll", result.windowMeanNll },
        { "seconds", result.seconds },
        { "tokens_per_second", result.tokensPerSecond },
    };
}

nlohmann::json toJson(const KlResult& result)
{
    return {
        { "protocol", toJson(result.protocol) },
        { "mean_kl", result.meanKl },
        { "window_mean_kl", result.windowMeanKl },
        { "reference", toJson(result.reference) },
        { "candidate", toJson(result.candidate) },
    };
}

} // namespace glvq::eval
