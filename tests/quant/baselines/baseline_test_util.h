// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Synthetic layers for the baseline quantizer tests: bf16-representable Gaussian weights (like the
// fixtures' checkpoints) and Hessians with and without correlation between inputs.
#include "core/quant/layer_quantizer.h"

#include <ATen/ATen.h>

#include <cstdint>

namespace glvq::quant::test {

inline LayerInput makeLayer(std::int64_t rows, std::int64_t cols, std::vector<int> groupBits, std::uint64_t seed,
                            std::int64_t groupSize = 128)
{
    at::manual_seed(seed);
    LayerInput input;
    input.name = "model.layers.0.mlp.test_proj";
    input.weight = (at::randn({rows, cols}, at::kFloat) * 0.05).to(at::kBFloat16).to(at::kFloat);
    input.groupSize = groupSize;
    input.groupBits = std::move(groupBits);
    input.seed = seed;
    return input;
}

inline std::vector<int> uniformBits(std::int64_t cols, int bits, std::int64_t groupSize = 128)
{
    return std::vector<int>(static_cast<std::size_t>(groupCount(cols, groupSize)), bits);
}

// H = XᵀX / T for inputs whose neighbouring columns are strongly correlated (AR(1), ρ = 0.9) and whose
// energies differ by column: the situation in which GPTQ's error feedback pays off.
inline at::Tensor correlatedHessian(std::int64_t cols, std::uint64_t seed, std::int64_t tokens = 2048)
{
    at::manual_seed(seed);
    auto x = at::randn({tokens, cols}, at::kDouble);
    for (std::int64_t j = 1; j < cols; ++j)
        x.select(1, j).mul_(std::sqrt(1.0 - 0.81)).add_(x.select(1, j - 1), 0.9);
    x.mul_((at::rand({1, cols}, at::kDouble) * 2.0 + 0.2));
    return at::matmul(x.t(), x) / static_cast<double>(tokens);
}

} // namespace glvq::quant::test
