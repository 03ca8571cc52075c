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

HalfDenseLinear::HalfDenseLinear(const LinearOp& source)
{
    const auto weight = source.denseWeight();
    const bool cuda = weight.is_cuda();
    m_weight = cuda ? weight.to(at::kHalf) : weight.to(at::kHalf).to(at::kFloat);
    if (auto bias = source.bias())
        m_bias = cuda ? bias->to(at::kHalf) : bias->to(at::kHalf).to(at::kFloat);
}

at::Tensor HalfDenseLinear::forward(const at::Tensor& x) const
{
    if (m_weight.scalar_type() == at::kHalf)
        return at::linear(x.to(at::kHalf), m_weight, m_bias).to(at::kFloat);
    return at::linear(x, m_weight, m_bias);
}

at::Tensor HalfDenseLinear::denseWeight() const { return m_weight.to(at::kFloat); }

std::optional<at::Tensor> HalfDenseLinear::bias() const
{
    if (m_bias.defined())
        return m_bias.to(at::kFloat);
    return std::nullopt;
}

std::int64_t HalfDenseLinear::inFeatures() const { return m_weight.size(1); }
std::int64_t HalfDenseLinear::outFeatures() const { return m_weight.size(0); }

} // namespace glvq::model
