// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/group_objective.h"

#include "core/quant/lattice_math.h"

#include <ATen/ATen.h>

namespace glvq::quant {

GroupObjective::GroupObjective(const at::Tensor& normalised, const at::Tensor& realScale, const at::Tensor& hessian,
                               int dim, int bits, bool subvectorFeedback)
    : m_rows(normalised.size(0))
    , m_cols(normalised.size(1))
    , m_dim(dim)
    , m_bits(bits)
    , m_subvectors(normalised.to(at::kFloat).contiguous().view({-1, dim}))
    , m_realScale(realScale.to(normalised.device(), at::kFloat).reshape({-1, 1}).contiguous())
    , m_doubleRealScale(m_realScale * 2.0)
    , m_hessian(hessian.to(normalised.device(), at::kFloat).contiguous())
{
    m_coordinates = at::empty_like(m_subvectors);
    m_points = at::empty_like(m_subvectors);
    m_error = at::empty_like(m_subvectors);
    m_errorHessian = at::empty({m_rows, m_cols}, m_subvectors.options());
    const std::int64_t blocks = m_cols / m_dim;
    if (subvectorFeedback && blocks > 1) {
        // U upper with H⁻¹ = Uᵀ U (fp64 on the CPU: a few n_g × n_g factorisations cost less there than the
        // launches would on a GPU; H is this group's damped or effective Hessian, positive definite).
        const auto h = hessian.to(at::kCPU, at::kDouble);
        const auto inverse = at::cholesky_inverse(at::linalg_cholesky(h));
        const auto u = at::linalg_cholesky(inverse).t().contiguous();
        for (std::int64_t b = 0; b + 1 < blocks; ++b) {
            const auto first = b * m_dim;
            const auto ubb = u.slice(0, first, first + m_dim).slice(1, first, first + m_dim);
            const auto later = u.slice(0, first, first + m_dim).slice(1, first + m_dim, m_cols);
            m_feedbackRows.push_back(
                at::linalg_solve_triangular(ubb, later, /*upper=*/true).to(device(), at::kFloat).contiguous());
        }
    }
}

const at::Tensor& GroupObjective::companded(double mu) const
{
    if (mu == 0.0)
        return m_subvectors;
    if (mu != m_cachedMu) {
        if (!m_magnitude.defined()) {
            m_magnitude = m_subvectors.abs();
            m_sign = m_subvectors.sign();
        }
        mulaw::compressInto(m_magnitude, m_sign, mu, m_companded);
        m_cachedMu = mu;
    }
    return m_companded;
}

void GroupObjective::encodeInto(const at::Tensor& generator, const at::Tensor& gInverse, double mu,
                                at::Tensor& codes) const
{
    if (m_feedbackRows.empty()) {
        babaiCodesInto(companded(mu), onDevice(gInverse), m_bits, codes);
        return;
    }
    const std::int64_t blocks = m_cols / m_dim;
    ensureBufferLike(codes, m_subvectors);
    const auto codesByBlock = codes.view({m_rows, blocks, m_dim});
    auto target = m_subvectors.view({m_rows, m_cols}).clone(); // x with the earlier blocks' errors fed back
    const auto gT = onDevice(generator).t().contiguous();
    const auto gInverseF = onDevice(gInverse);
    at::Tensor blockCodes;
    for (std::int64_t b = 0; b < blocks; ++b) {
        const auto x = target.slice(1, b * m_dim, (b + 1) * m_dim);
        babaiCodesInto(mu != 0.0 ? mulaw::compress(x, mu) : x, gInverseF, m_bits, blockCodes);
        codesByBlock.select(1, b).copy_(blockCodes);
        if (b + 1 == blocks)
            break;
        auto decoded = at::mm(blockCodes - codeOffset(m_bits), gT);
        if (mu != 0.0)
            decoded = mulaw::expand(decoded, mu);
        target.slice(1, (b + 1) * m_dim, m_cols).sub_(at::mm(x - decoded, m_feedbackRows[std::size_t(b)]));
    }
}

at::Tensor GroupObjective::encode(const at::Tensor& generator, const at::Tensor& gInverse, double mu) const
{
    at::Tensor codes;
    encodeInto(generator, gInverse, mu, codes);
    return codes;
}

GroupObjective::Value GroupObjective::evaluate(const at::Tensor& generator, double mu, const at::Tensor& codes,
                                               bool gradients) const
{
    at::sub_out(m_coordinates, codes, at::scalar_tensor(codeOffset(m_bits), codes.options())); // lattice coordinates
    multiplySubvectors(m_coordinates, onDevice(generator).t().contiguous(), m_points);
    const bool companding = mu != 0.0;
    if (companding)
        mulaw::expandInto(m_points, mu, gradients, m_expansion);
    // Error of the real weights, [rows, cols]: rows carry their factor r_i·s.
    at::sub_out(m_error, m_subvectors, companding ? m_expansion.out.value : m_points);
    const auto error = m_error.view({m_rows, m_cols}).mul_(m_realScale);
    at::mm_out(m_errorHessian, error, m_hessian);
    Value value;
    value.loss = at::dot(m_errorHessian.view(-1), error.view(-1)).item<double>();
    if (!gradients)
        return value;
    // ∂L/∂Ŵ = −2 E H; Ŵ = (r·s) F⁻¹(V) ⇒ ∂L/∂V = −(2 E H · r·s) ⊙ F⁻¹'(V) (spec §3.4).
    const auto p = m_errorHessian.mul_(m_doubleRealScale).view({-1, m_dim});
    if (companding) {
        value.gradMu = -at::dot(p.view(-1), m_expansion.out.dmu.view(-1)).item<double>();
        p.mul_(m_expansion.out.dv);
    }
    value.gradG = transposedProduct(p, m_coordinates).neg_().to(at::kCPU, at::kDouble);
    return value;
}

at::Tensor GroupObjective::onDevice(const at::Tensor& matrix) const
{
    return matrix.to(device(), at::kFloat);
}

double GroupObjective::lossWithRounding(const at::Tensor& generator, const at::Tensor& gInverse, double mu) const
{
    encodeInto(generator, gInverse, mu, m_scratchCodes);
    return evaluate(generator, mu, m_scratchCodes, false).loss;
}

} // namespace glvq::quant
