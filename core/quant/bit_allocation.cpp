// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/bit_allocation.h"

#include "core/quant/hessian_math.h"
#include "core/quant/layer_quantizer.h"
#include "core/util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>

namespace glvq::quant {

namespace {

// The scan over p stops once this many splits in a row have not beaten the best. Every candidate is a full
// (untrained) quantization of the layer, and wide layers have many groups (Llama-7B's down_proj: 86, so 44
// candidates). SliM-LLM and the GLVQ paper treat the objective as unimodal in p (GLVQ: O(log m) search);
// the patience keeps the scan exhaustive on small layers and bounded on wide ones.
constexpr std::int64_t kSplitPatience = 3;

// Group indices sorted by ascending salience (ties by index, so the order is deterministic).
std::vector<std::size_t> salienceOrder(const std::vector<double>& salience)
{
    std::vector<std::size_t> order(salience.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return salience[a] < salience[b]; });
    return order;
}

} // namespace

std::vector<double> groupSalience(const at::Tensor& weight, const at::Tensor& inverseHessianUpper, std::int64_t groupSize)
{
    const auto diagonal = inverseHessianUpper.diagonal().to(at::kCPU, at::kDouble);
    const auto salience = weight.to(at::kCPU, at::kDouble).pow(2) / diagonal.pow(2).unsqueeze(0);
    const auto cols = weight.size(1);
    std::vector<double> perGroup;
    for (std::int64_t first = 0; first < cols; first += groupSize)
        perGroup.push_back(salience.narrow(1, first, std::min(groupSize, cols - first)).mean().item<double>());
    return perGroup;
}

std::vector<int> splitBits(const std::vector<double>& salience, int base, std::int64_t p)
{
    const auto k = static_cast<std::int64_t>(salience.size());
    if (p < 0 || 2 * p > k)
        throw Error("bit split p = " + std::to_string(p) + " is outside [0, " + std::to_string(k / 2) + "]");
    std::vector<int> bits(salience.size(), base);
    const auto order = salienceOrder(salience);
    for (std::int64_t i = 0; i < p; ++i) {
        bits[order[i]] = base - 1;
        bits[order[k - 1 - i]] = base + 1;
    }
    return bits;
}

std::vector<int> fractionalBits(const std::vector<double>& salience, int low, std::int64_t highCount)
{
    std::vector<int> bits(salience.size(), low);
    const auto order = salienceOrder(salience);
    highCount = std::clamp<std::int64_t>(highCount, 0, std::int64_t(salience.size()));
    for (std::int64_t i = 0; i < highCount; ++i)
        bits[order[order.size() - 1 - i]] = low + 1;
    return bits;
}

double outputKl(const at::Tensor& inputs, const at::Tensor& weight, const at::Tensor& quantized)
{
    const auto x = inputs.to(at::kFloat);
    const auto logP = at::log_softmax(at::matmul(x, weight.to(x.device(), at::kFloat).t()).to(at::kDouble), -1);
    const auto logQ = at::log_softmax(at::matmul(x, quantized.to(x.device(), at::kFloat).t()).to(at::kDouble), -1);
    return (logP.exp() * (logP - logQ)).sum(-1).mean().item<double>();
}

SplitChoice chooseSalienceSplit(const at::Tensor& weight, const at::Tensor& hessian, std::vector<double> salience,
                                const at::Tensor& inputs, std::int64_t groupSize, int base,
                                const DecodeWithBits& decodedWith, SplitObjective objective)
{
    SplitChoice choice;
    choice.salience = std::move(salience);
    const auto k = static_cast<std::int64_t>(choice.salience.size());
    // The proxy loss where the weight lives (the model's device): rows × n × n fp64 work per candidate. Its
    // operands (an n × n fp64 copy of H on that device) exist only when that is the objective.
    const auto device = weight.device();
    const bool byProxy = objective == SplitObjective::ProxyLoss;
    const auto reference = byProxy ? weight.to(device, at::kFloat) : at::Tensor();
    const auto hessianOnDevice = byProxy ? hessian.to(device, at::kDouble) : at::Tensor();
    double best = 0.0;
    std::int64_t sinceBest = 0;
    for (std::int64_t p = 0; 2 * p <= k && sinceBest < kSplitPatience; ++p) {
        auto bits = splitBits(choice.salience, base, p);
        const auto candidate = decodedWith(bits).to(device, at::kFloat);
        const double value = byProxy ? proxyLoss(reference - candidate, hessianOnDevice)
                                     : outputKl(inputs, weight, candidate);
        choice.objectiveByP.push_back(value);
        if (p == 0 || value < best) {
            best = value;
            choice.p = p;
            choice.bits = std::move(bits);
            sinceBest = 0;
        } else {
            ++sinceBest;
        }
    }
    return choice;
}

} // namespace glvq::quant
