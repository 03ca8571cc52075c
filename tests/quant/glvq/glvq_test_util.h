// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Synthetic layers for the GLVQ tests: seeded Gaussian weights and a correlated SPD Hessian XᵀX/T.
#include "core/quant/glvq_codes.h"
#include "core/quant/layer_quantizer.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace glvq::test {

// Inputs with neighbouring channels correlated (AR(1)-like mixing) so the Hessian has real off-diagonal mass.
inline at::Tensor correlatedHessian(std::int64_t cols, std::uint64_t seed, std::int64_t tokens = 2048)
{
    at::manual_seed(seed);
    const auto raw = at::randn({tokens, cols}, at::kDouble);
    auto mixed = raw.clone();
    for (std::int64_t j = 1; j < cols; ++j)
        mixed.select(1, j).mul_(0.6).add_(mixed.select(1, j - 1), 0.8);
    // Uneven channel energies, as real activations have.
    mixed.mul_(at::linspace(0.5, 2.0, cols, at::kDouble).unsqueeze(0));
    return at::mm(mixed.t(), mixed).div_(static_cast<double>(tokens));
}

// Inputs driven by a few shared latent factors plus noise: correlations reach across column groups, which is
// where cross-group error feedback has something to recover.
inline at::Tensor lowRankHessian(std::int64_t cols, std::uint64_t seed, std::int64_t rank = 16,
                                 std::int64_t tokens = 2048)
{
    at::manual_seed(seed);
    const auto latent = at::randn({tokens, rank}, at::kDouble);
    const auto mixing = at::randn({rank, cols}, at::kDouble);
    const auto x = at::mm(latent, mixing).add_(at::randn({tokens, cols}, at::kDouble), 0.5);
    return at::mm(x.t(), x).div_(static_cast<double>(tokens));
}

inline quant::LayerInput syntheticLayer(std::int64_t rows, std::int64_t cols, int bits, std::uint64_t seed,
                                        std::int64_t groupSize = 128)
{
    quant::LayerInput input;
    input.name = "test.layer";
    at::manual_seed(seed + 1);
    // Rows of different magnitude, so the row scale matters.
    input.weight = at::randn({rows, cols}, at::kFloat).mul_(at::linspace(0.02, 0.2, rows, at::kFloat).unsqueeze(1));
    input.hessian = correlatedHessian(cols, seed + 2);
    input.groupSize = groupSize;
    input.groupBits.assign(static_cast<std::size_t>(quant::groupCount(cols, groupSize)), bits);
    input.seed = seed;
    return input;
}

// Two GLVQ results with the same codes, G, μ, scales and decoded weights, group by group (determinism tests).
inline void expectIdenticalGlvqResults(const quant::LayerResult& first, const quant::LayerResult& second)
{
    const auto* a = dynamic_cast<const quant::GlvqLayerCodes*>(first.codes.get());
    const auto* b = dynamic_cast<const quant::GlvqLayerCodes*>(second.codes.get());
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->groups().size(), b->groups().size());
    for (std::size_t g = 0; g < a->groups().size(); ++g) {
        EXPECT_EQ(a->groups()[g].codes, b->groups()[g].codes) << "group " << g;
        EXPECT_EQ(a->groups()[g].generator, b->groups()[g].generator) << "group " << g;
        EXPECT_EQ(a->groups()[g].mu, b->groups()[g].mu) << "group " << g;
        EXPECT_EQ(a->groups()[g].scale, b->groups()[g].scale) << "group " << g;
    }
    EXPECT_EQ(a->rowScales(), b->rowScales());
    EXPECT_TRUE(at::equal(first.decoded, second.decoded));
}

} // namespace glvq::test
