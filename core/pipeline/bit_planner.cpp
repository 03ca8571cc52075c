// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/bit_planner.h"

#include "core/quant/bit_allocation.h"
#include "core/quant/layer_quantizer.h"
#include "core/util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace glvq::pipeline {

namespace {

constexpr double kSalienceDamp = 0.01; // spec §4: U from GPTQ's damped inverse Hessian (1 % of mean diag H)

std::int64_t groupWidth(std::int64_t group, std::int64_t groupSize, std::int64_t cols)
{
    return std::min(groupSize, cols - group * groupSize);
}

} // namespace

BitPlanner::BitPlanner(const PipelineOptions& options, const quant::LayerQuantizer& allocationQuantizer)
    : m_options(options)
    , m_allocationQuantizer(allocationQuantizer)
{
}

bool BitPlanner::needsCalibration() const
{
    if (m_options.allocation != BitAllocation::Salience)
        return false;
    const double whole = std::floor(m_options.bits);
    return m_options.bits != whole || (whole >= 2 && whole <= 3);
}

LayerReport BitPlanner::plan(const quant::LayerInput& input, const at::Tensor& klInputs, const CancelToken& cancel)
{
    const auto cols = input.weight.size(1);
    const auto groups = quant::groupCount(cols, input.groupSize);
    LayerReport report;
    if (const auto it = m_options.explicitBits.find(input.name); it != m_options.explicitBits.end()) {
        if (std::int64_t(it->second.size()) != groups)
            throw Error("bit map for '" + input.name + "' has " + std::to_string(it->second.size()) + " entries, the layer has "
                        + std::to_string(groups) + " groups");
        report.groupBits = it->second;
        return report;
    }
    const int whole = static_cast<int>(std::floor(m_options.bits));
    const double fraction = m_options.bits - whole;
    if (fraction > 0.0)
        return fractional(input, whole, fraction);
    report.groupBits.assign(std::size_t(groups), whole);
    if (!needsCalibration() || groups < 2)
        return report;

    // Spec §4 / A11: compare splits with the cheap (untrained) quantizer, each split quantized as it would be.
    const auto decodedWith = [&](const std::vector<int>& bits) {
        quant::LayerInput candidate = input;
        candidate.groupBits = bits;
        return m_allocationQuantizer.quantize(candidate, cancel).decoded;
    };
    const auto objective
        = m_options.allocateByProxyLoss ? quant::SplitObjective::ProxyLoss : quant::SplitObjective::OutputKl;
    auto salience = quant::groupSalience(input.weight, quant::inverseHessianFactor(input, input.device, kSalienceDamp),
                                         input.groupSize);
    auto choice = quant::chooseSalienceSplit(input.weight, input.hessian, std::move(salience), klInputs,
                                             input.groupSize, whole, decodedWith, objective);
    report.groupBits = std::move(choice.bits);
    report.salience = std::move(choice.salience);
    report.objectiveByP = std::move(choice.objectiveByP);
    report.splitP = choice.p;
    return report;
}

LayerReport BitPlanner::fractional(const quant::LayerInput& input, int low, double fraction)
{
    const auto cols = input.weight.size(1);
    const auto rows = input.weight.size(0);
    const auto groups = quant::groupCount(cols, input.groupSize);
    LayerReport report;
    // Order of preference for the wider width: by salience when there is a Hessian, else spread evenly.
    std::vector<std::int64_t> order(static_cast<std::size_t>(groups));
    std::iota(order.begin(), order.end(), 0);
    if (m_options.allocation == BitAllocation::Salience && input.hessian.defined()) {
        report.salience = quant::groupSalience(input.weight, quant::inverseHessianFactor(input, input.device, kSalienceDamp),
                                               input.groupSize);
        std::stable_sort(order.begin(), order.end(),
                         [&](auto a, auto b) { return report.salience[a] > report.salience[b]; });
    } else {
        // Even spread: groups in bit-reversed-like stride order (0, k/2, k/4, 3k/4, ...) via a golden-ratio walk.
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
            return std::fmod(double(a) * 0.6180339887, 1.0) < std::fmod(double(b) * 0.6180339887, 1.0);
        });
    }
    double owed = fraction * double(rows * cols) + m_carryWeights;
    report.groupBits.assign(std::size_t(groups), low);
    for (auto g : order) {
        const double weights = double(rows * groupWidth(g, input.groupSize, cols));
        if (owed - weights < -weights / 2.0) // taking this group would overshoot by more than leaving it
            continue;
        report.groupBits[std::size_t(g)] = low + 1;
        owed -= weights;
    }
    m_carryWeights = owed;
    return report;
}

} // namespace glvq::pipeline
