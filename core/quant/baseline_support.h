// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Plumbing shared by the baseline quantizers (RTN, GPTQ, E8): input checks with one-line errors that name
// the layer, and the per-group and per-layer metrics every LayerResult carries. Internal to core/quant.
// Thread-safety: free functions without shared state.
#include "core/quant/layer_quantizer.h"

#include <chrono>

namespace glvq::quant::detail {

struct InputRules {
    int minBits = 1;
    int maxBits = 4;
    bool needsHessian = false;
    std::int64_t columnMultiple = 1; // group widths must be multiples of this (8 for E8 sub-vectors)
};

// Throws glvq::Error ("<layer>: <method>: <what is wrong>") unless the weight is a finite 2-D matrix, the
// group bits match the column groups and lie in the rules' range, and the Hessian (when given or required)
// is [cols, cols].
void validateInput(const LayerInput& input, const std::string& method, const InputRules& rules);

// A CPU fp32 contiguous copy of the weight that never aliases the caller's tensor.
at::Tensor weightCopy(const LayerInput& input);

// Assembles the result and its metrics. decoded = codes->decode(), so what export writes reproduces Ŵ bit
// for bit. Per group: bits, the caller's scale, weight MSE and, when the input has a Hessian,
// tr(E_g H_gg E_gᵀ) with H_gg the group's diagonal block; conditionNumber 1 (no learned basis).
LayerResult finishResult(const LayerInput& input, const std::string& method, std::shared_ptr<const LayerCodes> codes,
                         const std::vector<double>& groupScales, std::chrono::steady_clock::time_point start);

} // namespace glvq::quant::detail
