// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/hessian_math.h"

#include "core/util/error.h"

#include <ATen/ATen.h>

namespace glvq::quant {

at::Tensor dampedHessian(const at::Tensor& hessian, double relativeDamp)
{
    auto h = hessian.to(at::kDouble).clone();
    auto diagonal = h.diagonal();
    // A column whose input is always zero carries no information: give it unit curvature.
    diagonal.masked_fill_(diagonal.eq(0.0), 1.0);
    const double damp = relativeDamp * diagonal.mean().item<double>();
    diagonal.add_(damp);
    return h;
}

at::Tensor inverseHessianUpperCholesky(const at::Tensor& hessian, const std::string& what, double relativeDamp)
{
    // Escalate the damping a few times before giving up: calibration Hessians of rarely used inputs can be
    // numerically singular.
    double damp = relativeDamp;
    for (int attempt = 0; attempt < 6; ++attempt, damp *= 10.0) {
        const auto h = dampedHessian(hessian, damp);
        const auto [lower, info] = at::linalg_cholesky_ex(h);
        if (info.item<int>() != 0)
            continue;
        const auto inverse = at::cholesky_inverse(lower);
        const auto [upperLower, info2] = at::linalg_cholesky_ex(inverse, /*upper=*/true);
        if (info2.item<int>() == 0)
            return upperLower;
    }
    throw Error(what + ": the calibration Hessian is not positive definite even with damping " + std::to_string(damp)
                + " (too few calibration tokens for this layer?)");
}

at::Tensor InverseHessianFactors::upper(const at::Tensor& hessian, at::Device device, const std::string& what,
                                        double relativeDamp)
{
    for (const auto& entry : m_entries)
        if (entry.hessian.is_same(hessian) && entry.device == device && entry.relativeDamp == relativeDamp)
            return entry.upper;
    auto factor = inverseHessianUpperCholesky(hessian.to(device, at::kDouble), what, relativeDamp);
    m_entries.push_back({hessian, device, relativeDamp, factor});
    return factor;
}

double proxyLoss(const at::Tensor& error, const at::Tensor& hessian)
{
    const auto e = error.to(at::kDouble);
    return (at::matmul(e, hessian.to(at::kDouble)) * e).sum().item<double>();
}

} // namespace glvq::quant
