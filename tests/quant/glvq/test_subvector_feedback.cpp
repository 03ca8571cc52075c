// SPDX-License-Identifier: GPL-3.0-or-later
// The sub-vector LDLQ encoder of GroupObjective against a plain GPTQ-style loop written from the formula
// (fp64, explicit inverses): with G = step·I and no companding both are block-wise GPTQ with block size d, so
// the codes must agree exactly; companded, the reference expands each block's codes through F_μ⁻¹.
#include "core/quant/companding.h"
#include "core/quant/group_objective.h"
#include "core/quant/lattice_math.h"

#include "glvq_test_util.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

using namespace glvq::quant;

namespace {

// Reference: U upper with H⁻¹ = UᵀU; for each block b of d columns, round, then
// X[:, later] −= (X_b − X̂_b) · inv(U_bb) · U[b, later].
at::Tensor referenceCodes(const at::Tensor& x, const at::Tensor& hessian, const at::Tensor& g, double mu, int dim,
                          int bits)
{
    const auto u = at::linalg_cholesky(at::linalg_inv(hessian.to(at::kDouble))).t();
    auto work = x.to(at::kDouble).clone();
    const auto cols = x.size(1);
    const double offset = codeOffset(bits);
    const auto gd = g.to(at::kDouble);
    const auto gInverse = at::linalg_inv(gd);
    std::vector<at::Tensor> blocks;
    for (std::int64_t a = 0; a < cols; a += dim) {
        const auto xb = work.slice(1, a, a + dim).clone();
        const auto y = mu != 0.0 ? mulaw::compress(xb.to(at::kFloat), mu).to(at::kDouble) : xb;
        const auto codes = (at::mm(y, gInverse.t()) + offset).round().clamp(0.0, double((1 << bits) - 1));
        blocks.push_back(codes);
        auto decoded = at::mm(codes - offset, gd.t());
        if (mu != 0.0)
            decoded = mulaw::expand(decoded.to(at::kFloat), mu).to(at::kDouble);
        if (a + dim < cols) {
            const auto ubb = u.slice(0, a, a + dim).slice(1, a, a + dim);
            const auto later = u.slice(0, a, a + dim).slice(1, a + dim, cols);
            work.slice(1, a + dim, cols) -= at::mm(at::mm(xb - decoded, at::linalg_inv(ubb)), later);
        }
    }
    return at::stack(blocks, 1).view({ -1, dim }).to(at::kFloat);
}

} // namespace

TEST(SubvectorFeedback, EncoderIsBlockGptqWithBlockSizeD)
{
    at::manual_seed(23);
    const std::int64_t rows = 6, cols = 32;
    const auto x = at::rand({ rows, cols }, at::kFloat).mul_(2.0).sub_(1.0);
    const auto hessian = glvq::test::correlatedHessian(cols, 24, 256);
    for (const int dim : { 2, 4, 8 }) {
        for (const double mu : { 0.0, 20.0 }) {
            const GroupObjective objective(x, at::ones({ rows }), hessian, dim, 2, /*subvectorFeedback=*/true);
            const auto g = at::eye(dim, at::kDouble) * 0.5 + at::randn({ dim, dim }, at::kDouble) * 0.05;
            const auto gHalf = roundToHalf(g);
            const auto codes = objective.encode(gHalf, at::linalg_inv(gHalf), mu);
            const auto expected = referenceCodes(x, hessian, gHalf, mu, dim, 2);
            const auto mismatches = codes.ne(expected).sum().item<std::int64_t>();
            // fp32 against fp64 may part at an exact rounding tie; none is expected on continuous data.
            EXPECT_EQ(mismatches, 0) << "d " << dim << " μ " << mu;
        }
    }
}

TEST(SubvectorFeedback, LowersTheGroupLossAgainstIndependentRounding)
{
    at::manual_seed(29);
    const std::int64_t rows = 64, cols = 128;
    const auto x = at::rand({ rows, cols }, at::kFloat).mul_(2.0).sub_(1.0);
    const auto hessian = glvq::test::lowRankHessian(cols, 30);
    const auto g = at::eye(8, at::kDouble) * 0.5;
    const GroupObjective independent(x, at::ones({ rows }), hessian, 8, 2, false);
    const GroupObjective fedBack(x, at::ones({ rows }), hessian, 8, 2, true);
    const double plain = independent.lossWithRounding(g, at::linalg_inv(g), 0.0);
    const double ldlq = fedBack.lossWithRounding(g, at::linalg_inv(g), 0.0);
    EXPECT_LT(ldlq, 0.8 * plain);
}
