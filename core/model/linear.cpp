// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/linear.h"

#include <ATen/ATen.h>

namespace glvq::model {

DenseLinear::DenseLinear(at::Tensor weight, at::Tensor bias)
    : m_weight(std::move(weight))
    , m_bias(std::move(bias))
{
}

at::Tensor DenseLinear::forward(const at::Tensor& x) const { return at::linear(x, m_weight, m_bias); }

std::optional<at::Tensor> DenseLinear::bias() const
{
    if (m_bias.defined())
        return m_bias;
    return std::nullopt;
}

std::int64_t DenseLinear::inFeatures() const { return m_weight.size(1); }
std::int64_t DenseLinear::outFeatures() const { return m_weight.size(0); }

} // namespace glvq::model
