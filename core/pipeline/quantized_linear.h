// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A quantized layer as the model runs it: y = x Ŵᵀ + b with Ŵ decoded from the layer's codes. The codes are
// kept (shared, immutable) for export; the decoded fp32 weight lives on the model's device.
#include "core/model/linear.h"
#include "core/quant/layer_quantizer.h"

#include <memory>

namespace glvq::pipeline {

class QuantizedLinear final : public model::LinearOp {
public:
    // `original` supplies the bias (quantization keeps biases in full precision) and the device.
    QuantizedLinear(std::shared_ptr<const quant::LayerResult> result, const model::LinearOp& original);

    at::Tensor forward(const at::Tensor& x) const override;
    at::Tensor denseWeight() const override { return m_weight; }
    std::optional<at::Tensor> bias() const override;
    std::int64_t inFeatures() const override { return m_weight.size(1); }
    std::int64_t outFeatures() const override { return m_weight.size(0); }
    std::string kind() const override;
    const quant::LayerResult& result() const { return *m_result; }

private:
    std::shared_ptr<const quant::LayerResult> m_result;
    at::Tensor m_weight;
    at::Tensor m_bias;
};

} // namespace glvq::pipeline
