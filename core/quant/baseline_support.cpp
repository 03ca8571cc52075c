// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/baseline_support.h"

#include "core/quant/hessian_math.h"
#include "core/util/error.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace glvq::quant::detail {

void validateInput(const LayerInput& input, const std::string& method, const InputRules& rules)
{
    const std::string where = input.name + ": " + method + ": ";
    const auto& w = input.weight;
    if (!w.defined() || w.dim() != 2)
        throw Error(where + "the weight must be a 2-D matrix");
    if (input.groupSize < 1)
        throw Error(where + "group size must be positive, got " + std::to_string(input.groupSize));
    const auto groups = groupCount(w.size(1), input.groupSize);
    if (static_cast<std::int64_t>(input.groupBits.size()) != groups)
        throw Error(where + "expected " + std::to_string(groups) + " group bit widths, got "
                    + std::to_string(input.groupBits.size()));
    for (const int bits : input.groupBits) {
        if (bits < rules.minBits || bits > rules.maxBits)
            throw Error(where + "supports " + std::to_string(rules.minBits) + " to " + std::to_string(rules.maxBits)
                        + " bits per weight, got " + std::to_string(bits));
    }
    if (rules.columnMultiple > 1
        && (input.groupSize % rules.columnMultiple != 0 || w.size(1) % rules.columnMultiple != 0))
        throw Error(where + "the group size (" + std::to_string(input.groupSize) + ") and the column count ("
                    + std::to_string(w.size(1)) + ") must be multiples of " + std::to_string(rules.columnMultiple));
    if (!at::isfinite(w).all().item<bool>())
        throw Error(where + "the weight contains NaN or infinite values");
    if (rules.needsHessian && !input.hessian.defined())
        throw Error(where + "needs a calibration Hessian");
    if (input.hessian.defined() && input.hessian.sizes() != at::IntArrayRef{w.size(1), w.size(1)})
        throw Error(where + "the Hessian must be [" + std::to_string(w.size(1)) + ", " + std::to_string(w.size(1))
                    + "]");
}

at::Tensor weightCopy(const LayerInput& input)
{
    // .to() returns the caller's own tensor when nothing changes; clone so we never write through it.
    return input.weight.to(at::kCPU, at::kFloat).clone().contiguous();
}

LayerResult finishResult(const LayerInput& input, const std::string& method, std::shared_ptr<const LayerCodes> codes,
                         const std::vector<double>& groupScales, std::chrono::steady_clock::time_point start)
{
    LayerResult result;
    result.name = input.name;
    result.method = method;
    result.decoded = codes->decode();
    result.codes = std::move(codes);

    const auto weight = input.weight.to(at::kCPU, at::kDouble);
    const auto error = weight - result.decoded.to(at::kDouble);
    const auto hessian = input.hessian.defined() ? input.hessian.to(at::kCPU, at::kDouble) : at::Tensor();
    const auto cols = weight.size(1);
    for (std::size_t g = 0; g < input.groupBits.size(); ++g) {
        const auto begin = static_cast<std::int64_t>(g) * input.groupSize;
        const auto end = std::min(cols, begin + input.groupSize);
        const auto e = error.slice(1, begin, end);
        GroupStats stats;
        stats.bits = input.groupBits[g];
        stats.scale = g < groupScales.size() ? groupScales[g] : 0.0;
        stats.conditionNumber = 1.0;
        stats.weightMse = e.numel() > 0 ? e.pow(2).mean().item<double>() : 0.0;
        if (hessian.defined())
            stats.proxyLoss = proxyLoss(e, hessian.slice(0, begin, end).slice(1, begin, end));
        result.groups.push_back(stats);
    }
    computeLayerMetrics(input, result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace glvq::quant::detail
