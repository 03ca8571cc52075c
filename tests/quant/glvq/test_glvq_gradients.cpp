// SPDX-License-Identifier: GPL-3.0-or-later
// The analytic gradients of spec §3.4 (codes held fixed) against central finite differences, for G and μ,
// with and without companding, on a group whose rows carry different real-unit scales.
#include "core/quant/group_objective.h"
#include "core/quant/lattice_math.h"

#include "glvq_test_util.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

using namespace glvq::quant;

namespace {

struct Problem {
    at::Tensor normalised;
    at::Tensor realScale;
    at::Tensor hessian;
};

Problem makeProblem(std::int64_t rows, std::int64_t cols)
{
    at::manual_seed(17);
    Problem p;
    p.normalised = at::rand({rows, cols}, at::kFloat).mul_(2.0).sub_(1.0);
    p.realScale = at::rand({rows}, at::kFloat).add_(0.5);
    p.hessian = glvq::test::correlatedHessian(cols, 18, 256);
    return p;
}

void checkGradients(int dim, int bits, double mu)
{
    const auto p = makeProblem(12, 32);
    const GroupObjective objective(p.normalised, p.realScale, p.hessian, dim, bits);
    at::manual_seed(19);
    const auto g = (at::eye(dim, at::kDouble) * 0.6 + at::randn({dim, dim}, at::kDouble) * 0.08);
    const auto codes = objective.encode(g, at::linalg_inv(g), mu);
    const auto value = objective.evaluate(g, mu, codes, true);
    ASSERT_GT(value.loss, 0.0);

    // The objective runs in fp32: a step of 1e-3 keeps truncation and rounding error both small.
    const double h = 1e-3;
    const double gradScale = value.gradG.abs().max().item<double>();
    for (int a = 0; a < dim; ++a) {
        for (int b = 0; b < dim; ++b) {
            auto up = g.clone();
            auto down = g.clone();
            up[a][b] += h;
            down[a][b] -= h;
            const double lossUp = objective.evaluate(up, mu, codes, false).loss;
            const double lossDown = objective.evaluate(down, mu, codes, false).loss;
            const double fd = (lossUp - lossDown) / (2 * h);
            EXPECT_NEAR(value.gradG[a][b].item<double>(), fd, 2e-3 * gradScale)
                << "d=" << dim << " bits=" << bits << " mu=" << mu << " G[" << a << "][" << b << "]";
        }
    }
    if (mu != 0.0) {
        const double hm = 1e-3 * mu;
        const double lossUp = objective.evaluate(g, mu + hm, codes, false).loss;
        const double lossDown = objective.evaluate(g, mu - hm, codes, false).loss;
        const double fd = (lossUp - lossDown) / (2 * hm);
        EXPECT_NEAR(value.gradMu, fd, 2e-3 * std::max(std::abs(fd), 1e-3 * value.loss)) << "mu=" << mu;
    } else {
        EXPECT_EQ(value.gradMu, 0.0);
    }
}

} // namespace

TEST(GlvqGradients, GeneratorWithoutCompanding) { checkGradients(4, 2, 0.0); }
TEST(GlvqGradients, GeneratorAndMuWithCompanding) { checkGradients(4, 2, 5.0); }
TEST(GlvqGradients, StrongCompandingEightDimensions) { checkGradients(8, 3, 120.0); }
TEST(GlvqGradients, WeakCompandingOneBit) { checkGradients(8, 1, 1.0); }

TEST(GlvqGradients, NoCompandingGradientHasClosedForm)
{
    // Without companding and with H = I, rs = 1: ∇_G = −2 (X − ZGᵀ)ᵀ Z (spec §3.3's form after reshaping).
    at::manual_seed(23);
    const auto x = at::rand({8, 16}, at::kFloat).mul_(2.0).sub_(1.0);
    const GroupObjective objective(x, at::ones({8}), at::eye(16, at::kDouble), 4, 2);
    const auto g = at::eye(4, at::kDouble) * 0.5;
    const auto codes = objective.encode(g, at::linalg_inv(g), 0.0);
    const auto value = objective.evaluate(g, 0.0, codes, true);
    const auto z = codes.to(at::kDouble) - codeOffset(2);
    const auto residual = x.to(at::kDouble).view({-1, 4}) - at::mm(z, g.t());
    EXPECT_TRUE(at::allclose(value.gradG, at::mm(residual.t(), z) * -2.0, 1e-5, 1e-5));
    EXPECT_NEAR(value.loss, residual.pow(2).sum().item<double>(), 1e-5);
}
