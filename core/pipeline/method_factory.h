// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns PipelineOptions into the layer quantizer that runs them.
#include "core/pipeline/pipeline_options.h"
#include "core/quant/layer_quantizer.h"

#include <memory>

namespace glvq::pipeline {

std::unique_ptr<quant::LayerQuantizer> makeLayerQuantizer(const PipelineOptions& options);

// The cheap quantizer the bit allocator compares splits with (spec A11): GLVQ without learning (G0, μ0,
// Babai); the other methods as they are.
std::unique_ptr<quant::LayerQuantizer> makeAllocationQuantizer(const PipelineOptions& options);

} // namespace glvq::pipeline
