// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GLVQ for one linear layer (spec §1–§3 with the §0 defaults): per column group a learned lattice generator G
// (d×d), a μ-law companding parameter μ, a scale s_g and b-bit Babai codes; optionally a per-row RMS scale and
// block-LDLQ error feedback between groups. The result's codes are a GlvqLayerCodes; `decoded` is their decode.
//
// Units: weights in the checkpoint's units, Hessian H = XᵀX/T (fp64, required). Deterministic: the seed is not
// needed (no random choices), identical inputs give identical codes. Threading: runs on the caller's thread with
// torch intra-op parallelism; polls `cancel` between groups and every few learning iterations, and never
// modifies input.weight. Errors: glvq::Error naming the layer (and group).
#include "core/quant/glvq_options.h"
#include "core/quant/layer_quantizer.h"

namespace glvq::quant {

class GlvqQuantizer final : public LayerQuantizer {
public:
    explicit GlvqQuantizer(GlvqOptions options = {}); // throws glvq::Error on invalid options

    std::string method() const override; // "glvq-8d", "glvq-32d", ...
    bool needsHessian() const override { return true; }
    LayerResult quantize(const LayerInput& input, const CancelToken& cancel) const override;

    const GlvqOptions& options() const { return m_options; }

private:
    GlvqOptions m_options;
};

} // namespace glvq::quant
