// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Decides each layer's per-group bit widths for a run: an explicit bit map when given; otherwise uniform N, the
// salience-driven N−1/N/N+1 split chosen by output KL (integer N = 2, 3), or for fractional targets the most
// salient groups at ⌈r⌉ and the rest at ⌊r⌋, with the remainder carried from layer to layer so the model's
// mean code width equals the target. (N = 1 and N = 4 have no N−1 / N+1 inside the 1..4-bit format and stay
// uniform.) Not thread-safe: one planner per run, called in layer order.
#include "core/pipeline/pipeline_options.h"
#include "core/pipeline/quantization_pipeline.h"
#include "core/quant/layer_quantizer.h"
#include "core/util/cancel.h"

namespace glvq::pipeline {

class BitPlanner {
public:
    BitPlanner(const PipelineOptions& options, const quant::LayerQuantizer& allocationQuantizer);

    bool needsCalibration() const;
    // `input` without groupBits; `klInputs` are calibration input rows of the layer ([T, cols]) or undefined.
    LayerReport plan(const quant::LayerInput& input, const at::Tensor& klInputs, const CancelToken& cancel);

private:
    LayerReport fractional(const quant::LayerInput& input, int low, double fraction);

    const PipelineOptions& m_options;
    const quant::LayerQuantizer& m_allocationQuantizer;
    double m_carryWeights = 0.0; // high-width weights owed (+) or overdrawn (−) by earlier layers
};

} // namespace glvq::pipeline
