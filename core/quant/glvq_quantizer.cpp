// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/glvq_quantizer.h"

#include "core/quant/block_feedback.h"
#include "core/quant/glvq_codes.h"
#include "core/quant/group_learner.h"
#include "core/quant/group_objective.h"
#include "core/quant/hessian_math.h"
#include "core/quant/lattice_math.h"
#include "core/util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

namespace glvq::quant {
namespace {

std::string groupWhat(const LayerInput& input, std::int64_t group)
{
    return input.name + " group " + std::to_string(group);
}

void validateInput(const LayerInput& input, const GlvqOptions& options)
{
    options.validate(input.name);
    if (!input.weight.defined() || input.weight.dim() != 2 || input.weight.numel() == 0)
        throw Error(input.name + ": GLVQ needs a non-empty 2-D weight");
    const std::int64_t cols = input.weight.size(1);
    if (!input.hessian.defined() || input.hessian.dim() != 2 || input.hessian.size(0) != cols
        || input.hessian.size(1) != cols)
        throw Error(input.name + ": GLVQ needs a calibration Hessian of size " + std::to_string(cols) + "×"
                    + std::to_string(cols));
    if (input.groupSize <= 0 || input.groupSize % options.dim != 0)
        throw Error(input.name + ": lattice dimension d=" + std::to_string(options.dim)
                    + " does not divide the group size " + std::to_string(input.groupSize));
    const std::int64_t groups = groupCount(cols, input.groupSize);
    if (static_cast<std::int64_t>(input.groupBits.size()) != groups)
        throw Error(input.name + ": " + std::to_string(input.groupBits.size()) + " group bit widths for "
                    + std::to_string(groups) + " groups");
    for (std::int64_t g = 0; g < groups; ++g) {
        const int bits = input.groupBits[static_cast<std::size_t>(g)];
        if (bits < 1 || bits > 4)
            throw Error(groupWhat(input, g) + ": GLVQ supports 1..4 bits, got " + std::to_string(bits));
        const std::int64_t width = std::min(input.groupSize, cols - g * input.groupSize);
        if (width % options.dim != 0)
            throw Error(groupWhat(input, g) + ": its " + std::to_string(width)
                        + " columns are not a multiple of the lattice dimension d=" + std::to_string(options.dim));
    }
    if (!at::isfinite(input.weight).all().item<bool>())
        throw Error(input.name + ": the weight contains NaN or infinity");
}

// r_i = RMS of row i rounded to fp16 (spec §0 item 1), to `mantissaBits` of it; an all-zero row gets 1 so W / r
// stays defined.
at::Tensor rowScales(const at::Tensor& weight, const std::string& what, int mantissaBits)
{
    auto rms = roundToMantissaBits(weight.to(at::kDouble).pow(2).mean(1).sqrt().to(at::kFloat), mantissaBits);
    rms.masked_fill_(rms.eq(0.0f), 1.0f);
    if (!at::isfinite(rms).all().item<bool>())
        throw Error(what + ": a row's RMS exceeds the fp16 range");
    return rms;
}

std::vector<float> toFloatVector(const at::Tensor& tensor)
{
    const auto flat = tensor.to(at::kCPU, at::kFloat).contiguous().view(-1);
    return {flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel()};
}

std::vector<std::uint8_t> toCodeVector(const at::Tensor& codes)
{
    const auto flat = codes.to(at::kCPU, at::kByte).contiguous().view(-1);
    return {flat.data_ptr<std::uint8_t>(), flat.data_ptr<std::uint8_t>() + flat.numel()};
}

double conditionNumber(const at::Tensor& generator)
{
    const auto sigma = at::linalg_svdvals(generator.to(at::kDouble));
    const double smallest = sigma.min().item<double>();
    return smallest > 0.0 ? sigma.max().item<double>() / smallest : std::numeric_limits<double>::infinity();
}

} // namespace

GlvqQuantizer::GlvqQuantizer(GlvqOptions options)
    : m_options(options)
{
    m_options.validate("GLVQ options");
}

std::string GlvqQuantizer::method() const { return "glvq-" + std::to_string(m_options.dim) + "d"; }

LayerResult GlvqQuantizer::quantize(const LayerInput& input, const CancelToken& cancel) const
{
    const auto start = std::chrono::steady_clock::now();
    validateInput(input, m_options);
    const int d = m_options.dim;
    // The [rows, cols] work (feedback, learning) runs on input.device; codes, G and the decoder on the CPU.
    const at::Device device = input.device;
    // A private working copy: error feedback rewrites later columns, the caller's tensor must stay untouched.
    auto weights = input.weight.detach().to(device, at::kFloat).clone().contiguous();
    const auto original = input.weight.detach().to(at::kCPU, at::kFloat);
    const std::int64_t rows = weights.size(0);
    const std::int64_t cols = weights.size(1);

    const auto rowScale = m_options.rowScale ? rowScales(weights, input.name, m_options.rowScaleMantissaBits)
                                             : at::ones({rows}, weights.options());
    const auto rowScaleOnCpu = rowScale.to(at::kCPU).contiguous(); // what the decoder reads
    std::optional<BlockFeedback> feedback;
    at::Tensor hessian; // without feedback each group uses its damped diagonal block of H, on the device
    if (m_options.feedback)
        feedback.emplace(inverseHessianFactor(input, device, m_options.relativeDamp));
    else
        hessian = input.hessian.detach().to(device, at::kDouble);

    LayerResult result;
    std::vector<GlvqGroupCodes> groups;
    std::map<int, std::size_t> sharedLattice; // bit width → group whose lattice later groups reuse
    const std::int64_t groupTotal = groupCount(cols, input.groupSize);
    for (std::int64_t g = 0; g < groupTotal; ++g) {
        cancel.throwIfCancelled();
        const std::int64_t begin = g * input.groupSize;
        const std::int64_t width = std::min(input.groupSize, cols - begin);
        const std::int64_t end = begin + width;
        const int bits = input.groupBits[static_cast<std::size_t>(g)];
        const auto groupWeights = weights.slice(1, begin, end);
        const auto groupHessian = feedback ? feedback->effectiveHessian(begin, end)
                                           : dampedHessian(hessian.slice(0, begin, end).slice(1, begin, end),
                                                           m_options.relativeDamp);

        // s_g = max|W_g / r| in fp16 (spec A1); x = W_g / (r·s) is μ-law's design domain [−1, 1].
        const auto scaled = groupWeights / rowScale.unsqueeze(1);
        const double scale = roundToHalf(scaled.abs().max().item<double>());
        if (!std::isfinite(scale))
            throw Error(groupWhat(input, g) + ": the group scale exceeds the fp16 range");
        const auto normalised = scale > 0.0 ? scaled / scale : at::zeros_like(scaled);
        const GroupObjective objective = [&] {
            try {
                return GroupObjective(normalised, rowScale * static_cast<float>(scale), groupHessian, d, bits,
                                      m_options.subvectorFeedback);
            } catch (const c10::Error& error) { // the sub-vector feedback factor needs a positive definite H
                throw Error(groupWhat(input, g) + ": cannot factor the group's Hessian: "
                            + error.what_without_backtrace());
            }
        }();
        const MuRange mu = muRange(m_options.companding, normalised);

        GroupLattice lattice;
        int latticeSource = -1;
        const auto shared = sharedLattice.find(bits);
        if (scale == 0.0) {
            // An all-zero group decodes to zeros through s = 0 whatever the codes; store a trivial lattice.
            lattice = encodeWithLattice(objective, at::eye(d, at::kDouble) * maxUniformStep(bits), mu.initial);
        } else if (m_options.sharedLattice && shared != sharedLattice.end()) {
            const auto& source = groups[shared->second];
            const auto sourceG = at::tensor(source.generator, at::kFloat).view({d, d}).to(at::kDouble);
            lattice = encodeWithLattice(objective, sourceG, source.mu);
            latticeSource = static_cast<int>(shared->second);
        } else {
            lattice = learnGroupLattice(objective, m_options, mu, cancel);
            if (m_options.sharedLattice)
                sharedLattice.emplace(bits, groups.size());
        }

        GlvqGroupCodes codes;
        codes.firstColumn = begin;
        codes.columns = width;
        codes.bits = bits;
        codes.generator = toFloatVector(lattice.generator);
        codes.initialGenerator = toFloatVector(lattice.initialGenerator);
        codes.mu = static_cast<float>(lattice.mu);
        codes.scale = static_cast<float>(scale);
        codes.codes = toCodeVector(lattice.codes);
        codes.latticeSource = latticeSource;

        // Ŵ_k through the decoder itself, so feedback and stats see exactly what decode() will return.
        auto decoded = at::empty({rows, width}, at::TensorOptions().dtype(at::kFloat));
        decodeGlvqGroup(codes, rows, d, m_options.rowScale ? rowScaleOnCpu.data_ptr<float>() : nullptr,
                        decoded.data_ptr<float>(), width);
        const auto error = groupWeights - decoded.to(device);

        GroupStats stats;
        stats.bits = bits;
        stats.scale = scale;
        stats.mu = lattice.mu;
        stats.conditionNumber = conditionNumber(lattice.generator);
        stats.weightMse = (original.slice(1, begin, end) - decoded).to(at::kDouble).pow(2).mean().item<double>();
        stats.proxyLoss = proxyLoss(error, groupHessian);
        stats.iterations = lattice.iterations;
        result.groups.push_back(stats);
        groups.push_back(std::move(codes));

        if (feedback)
            feedback->propagate(weights, error, begin, end);
    }

    auto storedRowScales = m_options.rowScale ? toFloatVector(rowScale) : std::vector<float>{};
    auto layerCodes = std::make_shared<GlvqLayerCodes>(rows, cols, d, input.groupSize, std::move(storedRowScales),
                                                       std::move(groups));
    result.name = input.name;
    result.method = method();
    result.decoded = layerCodes->decode();
    result.codes = layerCodes;
    computeLayerMetrics(input, result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace glvq::quant
