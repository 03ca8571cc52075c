// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The learning problem of one column group (spec §3.1, §3.4), in the normalised domain x = W_g / (r·s):
//   L_data(G, μ; U) = tr(E H Eᵀ),  E = W_g − Ŵ_g = diag(r·s) · (x − F_μ⁻¹(V)),  V = (U − o_b) Gᵀ per sub-vector,
// i.e. the error of the real weights (rows weighted by (r_i·s)²) against the group's Hessian H (the damped
// diagonal block, or H_eff under error feedback). Codes U are an explicit argument so gradients are taken with
// the codes held fixed (block coordinate descent, spec §3.3); encode() re-derives them by Babai rounding.
// Internal to core/quant. Not thread-safe: evaluations reuse preallocated workspace buffers (allocating fresh
// multi-MB tensors every iteration cost more than the arithmetic) and cache F_μ(x) for the last μ.
// Devices: the [rows, cols] work runs where `normalised` lives (CPU or CUDA); G, G⁻¹ and the gradients are small
// d × d tensors on the CPU (the learner's SVDs and Adam steps run there), copied over as needed.
#include "core/quant/companding.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace glvq::quant {

class GroupObjective {
public:
    // normalised: [rows, cols] fp32 (W_g / (r·s)), on the device the objective runs on; realScale: [rows] fp32
    // (r_i·s, the factor back to real units) and hessian: [cols, cols] symmetric positive definite, both on
    // that device. cols must be a multiple of dim; bits in 1..4.
    // subvectorFeedback: encode() rounds the d-column blocks in order with LDLQ error feedback inside the group
    // (see encodeInto); otherwise every sub-vector is Babai-rounded on its own.
    GroupObjective(const at::Tensor& normalised, const at::Tensor& realScale, const at::Tensor& hessian, int dim,
                   int bits, bool subvectorFeedback = false);

    struct Value {
        double loss = 0.0;   // L_data
        at::Tensor gradG;    // ∂L_data/∂G [d, d] fp64 on the CPU, codes fixed (undefined unless asked for)
        double gradMu = 0.0; // ∂L_data/∂μ, codes fixed (0 when μ = 0)
    };

    // Codes u [ℓ, d] (fp32 integers, on the objective's device) by Babai rounding of the companded sub-vectors; gInverse = G⁻¹.
    // With sub-vector feedback, the d-column blocks are rounded in column order and each block's error
    // E_b = x_b − F⁻¹(G z_b) is propagated to the group's later columns as in GPTQ/BlockLDLQ with block d:
    // x[:, later] −= (E_b U_bb⁻¹) U[b, later], U the upper Cholesky factor of H⁻¹ (H this group's Hessian).
    // The loss stays that of the original x; only the choice of codes changes (a better one, as GPTQ's is).
    at::Tensor encode(const at::Tensor& generator, const at::Tensor& gInverse, double mu) const;
    void encodeInto(const at::Tensor& generator, const at::Tensor& gInverse, double mu, at::Tensor& codes) const;
    Value evaluate(const at::Tensor& generator, double mu, const at::Tensor& codes, bool gradients) const;
    // L_data with codes re-derived for (G, μ).
    double lossWithRounding(const at::Tensor& generator, const at::Tensor& gInverse, double mu) const;

    // Companded sub-vectors F_μ(x) as [ℓ, d] (cached for the last μ; valid until the next call).
    const at::Tensor& companded(double mu) const;
    const at::Tensor& subvectors() const { return m_subvectors; }
    int dim() const { return m_dim; }
    at::Device device() const { return m_subvectors.device(); }
    int bits() const { return m_bits; }
    std::int64_t rows() const { return m_rows; }
    std::int64_t cols() const { return m_cols; }

private:
    std::int64_t m_rows;
    std::int64_t m_cols;
    int m_dim;
    int m_bits;
    at::Tensor m_subvectors;      // [ℓ, d] fp32 view of x
    at::Tensor m_realScale;       // [rows, 1] fp32
    at::Tensor m_doubleRealScale; // [rows, 1] fp32, 2·r·s (∂L/∂Ŵ carries the factor 2)
    at::Tensor m_hessian;         // [cols, cols] fp32
    // Sub-vector feedback: for block b, U_bb⁻¹ U[b, later] as [d, cols − (b+1)·d] fp32 (empty: feedback off).
    std::vector<at::Tensor> m_feedbackRows;

    at::Tensor onDevice(const at::Tensor& matrix) const; // a d × d matrix as fp32 on device()

    // Caches and workspace (see class comment).
    mutable double m_cachedMu = -1.0;
    mutable at::Tensor m_companded;
    mutable at::Tensor m_magnitude; // |x|, sign(x): computed on the first companded call
    mutable at::Tensor m_sign;
    mutable at::Tensor m_coordinates; // z = u − o_b
    mutable at::Tensor m_points;      // v = z Gᵀ
    mutable at::Tensor m_error;       // [ℓ, d] ≡ [rows, cols]
    mutable at::Tensor m_errorHessian;
    mutable at::Tensor m_scratchCodes;
    mutable mulaw::ExpansionWorkspace m_expansion;
};

} // namespace glvq::quant
