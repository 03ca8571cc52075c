// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Salience-driven bit allocation (spec §4, after SliM-LLM): groups of a layer get N−1, N or N+1 bits with as
// many groups at N−1 as at N+1, so the layer's mean is exactly N; the split is chosen by the layer's output
// KL on calibration inputs. Fractional targets mix two integer widths by salience rank.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace glvq::quant {

// S_g = mean over group g of w²/[U_jj]², U the upper Cholesky factor of (H + damp·I)⁻¹ (GPTQ's factor, from
// inverseHessianFactor).
std::vector<double> groupSalience(const at::Tensor& weight, const at::Tensor& inverseHessianUpper, std::int64_t groupSize);

// The p lowest-salience groups get base − 1 bits, the p highest base + 1, the rest base.
std::vector<int> splitBits(const std::vector<double>& salience, int base, std::int64_t p);

// The `highCount` most salient groups get low + 1 bits, the rest low.
std::vector<int> fractionalBits(const std::vector<double>& salience, int low, std::int64_t highCount);

// Mean over tokens of KL(softmax(x Wᵀ) ‖ softmax(x Ŵᵀ)), softmax over the layer's output features.
double outputKl(const at::Tensor& inputs, const at::Tensor& weight, const at::Tensor& quantized);

// How candidate splits are compared: the layer's output KL on calibration inputs (SliM-LLM, the default), or
// the proxy loss tr(E H Eᵀ) the quantizers minimise.
enum class SplitObjective { OutputKl, ProxyLoss };

struct SplitChoice {
    std::vector<int> bits;          // per group
    std::int64_t p = 0;             // groups moved to N−1 (and as many to N+1)
    std::vector<double> objectiveByP;      // the objective for p = 0, 1, … (output KL or proxy loss)
    std::vector<double> salience;
};

// Quantizes the whole layer with the given per-group widths and returns it decoded ([rows, cols]).
using DecodeWithBits = std::function<at::Tensor(const std::vector<int>& groupBits)>;

// Scans p = 0 … ⌊k/2⌋ (k groups), quantizing the layer once per candidate split, and stops early once three
// splits in a row have not beaten the best (objectiveByP then has fewer than ⌊k/2⌋ + 1 entries). Each candidate is quantized
// for real rather than assembled from uniform-width runs: with error feedback a group's result depends on the
// errors of the groups before it, so pieces of runs at different widths would not add up to what the split
// actually gives (assembled candidates overrate the uniform split and it was never left; docs/quality.md).
// `salience` from groupSalience; `hessian` for the proxy loss, `inputs` for the output KL.
SplitChoice chooseSalienceSplit(const at::Tensor& weight, const at::Tensor& hessian, std::vector<double> salience,
                                const at::Tensor& inputs, std::int64_t groupSize, int base,
                                const DecodeWithBits& decodedWith, SplitObjective objective = SplitObjective::OutputKl);

} // namespace glvq::quant
