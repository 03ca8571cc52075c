// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/hessian_accumulator.h"

#include "core/util/error.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace glvq::pipeline {

HessianAccumulator::HessianAccumulator(std::int64_t sampleRowsPerInput, std::int64_t expectedTokens)
    : m_sampleRows(sampleRowsPerInput)
    , m_sampleStride(std::max<std::int64_t>(1, expectedTokens / std::max<std::int64_t>(1, sampleRowsPerInput)))
{
}

void HessianAccumulator::add(const std::string& layerName, const at::Tensor& input)
{
    // Identity of the tensor object, not its address: a freed input's memory can be reused by the next one.
    if (m_last && m_lastInput.defined() && input.is_same(m_lastInput)) {
        m_keyOf[layerName] = m_last; // same tensor as the previous layer's input (q/k/v, gate/up)
        return;
    }
    auto& slot = m_keyOf[layerName];
    if (!slot)
        slot = std::make_shared<Accumulator>();
    auto& acc = *slot;
    const auto x = input.reshape({ -1, input.size(-1) }).to(at::kFloat);
    // The product of one batch in fp32 (fast BLAS), the running sum in fp64 (thousands of batches).
    const auto product = at::matmul(x.t(), x).to(at::kCPU, at::kDouble);
    if (!acc.sum.defined())
        acc.sum = at::zeros_like(product);
    acc.sum.add_(product);

    // Keep every stride-th token row, up to the sample budget.
    const auto rows = x.size(0);
    const auto firstIndex = (m_sampleStride - acc.tokens % m_sampleStride) % m_sampleStride;
    if (acc.sampled < m_sampleRows && firstIndex < rows) {
        auto picked = x.slice(0, firstIndex, rows, m_sampleStride).to(at::kCPU);
        picked = picked.narrow(0, 0, std::min(picked.size(0), m_sampleRows - acc.sampled));
        acc.samples = acc.samples.defined() ? at::cat({ acc.samples, picked }) : picked.clone();
        acc.sampled += picked.size(0);
    }
    acc.tokens += rows;
    m_lastInput = input;
    m_last = slot;
}

const HessianAccumulator::Accumulator& HessianAccumulator::find(const std::string& layerName) const
{
    const auto it = m_keyOf.find(layerName);
    if (it == m_keyOf.end() || it->second->tokens == 0)
        throw Error("no calibration inputs were captured for layer '" + layerName + "'");
    return *it->second;
}

at::Tensor HessianAccumulator::hessian(const std::string& layerName) const
{
    const auto& acc = find(layerName);
    return acc.sum / double(acc.tokens);
}

at::Tensor HessianAccumulator::sampleInputs(const std::string& layerName) const { return find(layerName).samples; }

std::int64_t HessianAccumulator::tokens(const std::string& layerName) const { return find(layerName).tokens; }

} // namespace glvq::pipeline
