// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/companding.h"

#include "core/quant/lattice_math.h"

#include <ATen/ATen.h>

namespace glvq::quant::mulaw {

void compressInto(const at::Tensor& magnitude, const at::Tensor& sign, double mu, at::Tensor& out)
{
    ensureBufferLike(out, magnitude);
    at::mul_out(out, magnitude, at::scalar_tensor(mu, magnitude.options()));
    out.log1p_().mul_(1.0 / std::log1p(mu)).mul_(sign);
}

at::Tensor compress(const at::Tensor& x, double mu)
{
    if (mu == 0.0)
        return x.clone();
    at::Tensor out;
    compressInto(x.abs(), x.sign(), mu, out);
    return out;
}

void expandInto(const at::Tensor& v, double mu, bool derivatives, ExpansionWorkspace& w)
{
    ensureBufferLike(w.sign, v);
    ensureBufferLike(w.magnitude, v);
    ensureBufferLike(w.rhoPowerMinusOne, v);
    ensureBufferLike(w.out.value, v);
    const double lnRho = std::log1p(mu);
    at::sign_out(w.sign, v);
    at::abs_out(w.magnitude, v);
    // ρ^{|v|} − 1 as exp(·) − 1: ATen vectorises exp but (in the Debian build) not expm1, a 3× difference on the
    // learner's hot path. The absolute error stays at fp32 round-off (v is O(1)), which is all a loss or
    // gradient needs; the bit-exact decoder uses the scalar expm1 form (MuLaw::expand).
    at::mul_out(w.rhoPowerMinusOne, w.magnitude, at::scalar_tensor(lnRho, v.options())).exp_().sub_(1.0);
    at::mul_out(w.out.value, w.rhoPowerMinusOne, w.sign).mul_(1.0 / mu);
    if (!derivatives)
        return;
    ensureBufferLike(w.out.dv, v);
    ensureBufferLike(w.out.dmu, v);
    // ∂F⁻¹/∂v = ln ρ · ρ^{|v|} / μ = c·(ρ^{|v|} − 1) + c, c = ln ρ / μ
    const double c = lnRho / mu;
    w.out.dv.copy_(w.rhoPowerMinusOne).mul_(c).add_(c);
    // ∂F⁻¹/∂μ = sign(v)·(μ|v|ρ^{|v|}/ρ − (ρ^{|v|} − 1))/μ², with ρ^{|v|} = dv / c
    at::mul_out(w.out.dmu, w.magnitude, w.out.dv)
        .mul_(mu / ((1.0 + mu) * c))
        .sub_(w.rhoPowerMinusOne)
        .mul_(w.sign)
        .mul_(1.0 / (mu * mu));
}

Expansion expandWithDerivatives(const at::Tensor& v, double mu, bool derivatives)
{
    if (mu == 0.0) {
        Expansion out;
        out.value = v.clone();
        if (derivatives) {
            out.dv = at::ones_like(v);
            out.dmu = at::zeros_like(v);
        }
        return out;
    }
    ExpansionWorkspace workspace;
    expandInto(v.contiguous(), mu, derivatives, workspace);
    return workspace.out;
}

at::Tensor expand(const at::Tensor& v, double mu) { return expandWithDerivatives(v, mu, false).value; }

at::Tensor expandDv(const at::Tensor& v, double mu) { return expandWithDerivatives(v, mu, true).dv; }

at::Tensor expandDmu(const at::Tensor& v, double mu) { return expandWithDerivatives(v, mu, true).dmu; }

} // namespace glvq::quant::mulaw
