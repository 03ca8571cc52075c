// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/quantized_linear.h"

#include <ATen/ATen.h>

#include <cstdio>

namespace glvq::pipeline {

QuantizedLinear::QuantizedLinear(std::shared_ptr<const quant::LayerResult> result, const model::LinearOp& original)
    : m_result(std::move(result))
{
    const auto device = original.denseWeight().device();
    m_weight = m_result->decoded.to(device, at::kFloat);
    if (auto bias = original.bias())
        m_bias = *bias;
}

at::Tensor QuantizedLinear::forward(const at::Tensor& x) const { return at::linear(x, m_weight, m_bias); }

std::optional<at::Tensor> QuantizedLinear::bias() const
{
    if (m_bias.defined())
        return m_bias;
    return std::nullopt;
}

std::string QuantizedLinear::kind() const
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s %.3f bits/weight", m_result->method.c_str(), m_result->bitsPerWeight);
    return buffer;
}

} // namespace glvq::pipeline
