// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GPTQ (Frantar et al., 2022) on the scalar grid of scalar_codes.h, so that it differs from RTN only by the
// Hessian-aware error feedback:
// - Columns are quantized one at a time; after column q the not-yet-quantized columns of the same lazy block
//   absorb its error, err = (w_q − ŵ_q) / U_qq, W_F −= err ⊗ U_{q,F}, with U the upper Cholesky factor of
//   (H + λI)⁻¹, λ = 1 % of mean diag H (inverseHessianUpperCholesky). Later blocks get the whole block's error
//   at once (lazy batch update), W[:, i2:] −= Err · U[i1:i2, i2:], as the reference implementation does.
// - Without act-order the lazy blocks are the column groups (128 columns by default, i.e. the reference's
//   block size 128) and each group's min-max grid is computed from the group's current, error-updated
//   weights when the group starts — the reference's `groupsize` semantics.
// - With act-order, columns are processed by descending diag H (stable order on ties) in lazy blocks of 128,
//   and the groups are the reference's "static groups": group g is still columns [g·n_g, (g+1)·n_g) of the
//   original order and its grid comes from the original weights before any update. That keeps one grid and
//   one bit width per contiguous column group, so the codes, their storage and decode are the same as RTN's.
// - Columns whose diag H is 0 (inputs never active) are set to 0 before quantizing, as in the reference.
// The grid is the fixtures' RTN grid (plain min and max); the reference GPTQ quantizer additionally widens
// [min, max] to contain 0, which changes nothing for groups that straddle 0 (nearly all of them).
// Arithmetic: weights and U in fp32 (as the reference), U computed in fp64. Deterministic for a given torch
// build and thread count. Thread-safety: stateless; polls `cancel` between lazy blocks.
#include "core/quant/layer_quantizer.h"

namespace glvq::quant {

struct GptqOptions {
    bool actOrder = false;
    double relativeDamp = 0.01;     // λ = relativeDamp · mean diag H
    std::int64_t actOrderBlock = 128; // lazy batch size with act-order (without it the groups are the blocks)
};

class GptqQuantizer final : public LayerQuantizer {
public:
    explicit GptqQuantizer(GptqOptions options = {})
        : m_options(options)
    {
    }
    // "gptq", or "gptq-actorder" with act-order.
    std::string method() const override { return m_options.actOrder ? "gptq-actorder" : "gptq"; }
    bool needsHessian() const override { return true; }
    // groupBits may mix widths (1..8 bits per group). Result codes are ScalarLayerCodes.
    LayerResult quantize(const LayerInput& input, const CancelToken& cancel) const override;

private:
    GptqOptions m_options;
};

} // namespace glvq::quant
