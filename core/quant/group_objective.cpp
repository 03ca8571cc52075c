// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/group_objective.h"

#include "core/quant/lattice_math.h"

#include <ATen/ATen.h>

namespace glvq::quant {

GroupObjective::GroupObjective(const at::Tensor& normalised, const at::Tensor& realScale, const at::Tensor& hessian,
                               int dim, int bits)
    : m_rows(normalised.size(0))
    , m_cols(normalised.size(1))
    , m_dim(dim)
    , m_bits(bits)
    , m_subvectors(normalised.to(at::kFloat).contiguous().view({-1, dim}))
    , m_realScale(realScale.to(at::kFloat).reshape({-1, 1}).contiguous())
    , m_doubleRealScale(m_realScale * 2.0)
    , m_hessian(hessian.to(at::kFloat).contiguous())
{
    m_coordinates = at::empty_like(m_subvectors);
    m_points = at::empty_like(m_subvectors);
    m_error = at::empty_like(m_subvectors);
    m_errorHessian = at::empty({m_rows, m_cols}, m_subvectors.options());
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

void GroupObjective::encodeInto(const at::Tensor& gInverse, double mu, at::Tensor& codes) const
{
    babaiCodesInto(companded(mu), gInverse, m_bits, codes);
}

at::Tensor GroupObjective::encode(const at::Tensor& gInverse, double mu) const
{
    at::Tensor codes;
    encodeInto(gInverse, mu, codes);
    return codes;
}

GroupObjective::Value GroupObjective::evaluate(const at::Tensor& generator, double mu, const at::Tensor& codes,
                                               bool gradients) const
{
    at::sub_out(m_coordinates, codes, at::scalar_tensor(codeOffset(m_bits), codes.options())); // lattice coordinates
    multiplySubvectors(m_coordinates, generator.to(at::kFloat).t().contiguous(), m_points);
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
    value.gradG = transposedProduct(p, m_coordinates).neg_().to(at::kDouble);
    return value;
}

double GroupObjective::lossWithRounding(const at::Tensor& generator, const at::Tensor& gInverse, double mu) const
{
    encodeInto(gInverse, mu, m_scratchCodes);
    return evaluate(generator, mu, m_scratchCodes, false).loss;
}

} // namespace glvq::quant
