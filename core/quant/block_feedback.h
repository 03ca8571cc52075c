// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Block-LDLQ error feedback across column groups (spec §0 item 2; GPTQ's update for a jointly quantized block,
// QuIP#'s BlockLDLQ). With U the upper Cholesky factor of (H + damp·I)⁻¹, the group on columns [i1, i2) is
// quantized against H_eff = (U_kkᵀ U_kk)⁻¹, U_kk = U[i1:i2, i1:i2], and its error E = W_k − Ŵ_k is pushed into
// the later columns: W[:, i2:] −= (E U_kk⁻¹) U[i1:i2, i2:].
// Internal to core/quant. Holds U (fp64 [n, n]); not thread-safe.
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace glvq::quant {

class BlockFeedback {
public:
    // upper: U, the upper Cholesky factor of (H + damp·I)⁻¹, fp64 [n, n] (inverseHessianFactor); shared, not copied.
    explicit BlockFeedback(at::Tensor upper);

    // H_eff for columns [begin, end): fp64, symmetric positive definite.
    at::Tensor effectiveHessian(std::int64_t begin, std::int64_t end) const;

    // weights: [rows, n] fp32 (modified in place, columns ≥ end only); error: [rows, end − begin].
    void propagate(at::Tensor& weights, const at::Tensor& error, std::int64_t begin, std::int64_t end) const;

private:
    at::Tensor m_upper;
};

} // namespace glvq::quant
