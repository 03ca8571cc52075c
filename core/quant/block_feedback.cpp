// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/block_feedback.h"

#include <ATen/ATen.h>

#include <utility>

namespace glvq::quant {

BlockFeedback::BlockFeedback(at::Tensor upper)
    : m_upper(std::move(upper))
{
}

at::Tensor BlockFeedback::effectiveHessian(std::int64_t begin, std::int64_t end) const
{
    const auto block = m_upper.slice(0, begin, end).slice(1, begin, end);
    const auto identity = at::eye(end - begin, block.options());
    // (U_kkᵀ U_kk)⁻¹ = U_kk⁻¹ U_kk⁻ᵀ; symmetrised so the quadratic form's gradient 2EH is exact.
    const auto inverse = at::linalg_solve_triangular(block, identity, /*upper=*/true);
    const auto h = at::mm(inverse, inverse.t());
    return (h + h.t()).mul_(0.5);
}

void BlockFeedback::propagate(at::Tensor& weights, const at::Tensor& error, std::int64_t begin, std::int64_t end) const
{
    const std::int64_t n = m_upper.size(0);
    if (end >= n)
        return;
    const auto block = m_upper.slice(0, begin, end).slice(1, begin, end);
    // E U_kk⁻¹ by a triangular solve from the right (X U_kk = E), in fp64 for accuracy on a small block.
    const auto scaledError = at::linalg_solve_triangular(block, error.to(at::kDouble), /*upper=*/true, /*left=*/false);
    const auto coupling = m_upper.slice(0, begin, end).slice(1, end, n).to(at::kFloat);
    // The big rows × (n − end) update runs in fp32, as GPTQ's does.
    weights.slice(1, end, n).sub_(at::mm(scaledError.to(at::kFloat), coupling));
}

} // namespace glvq::quant
