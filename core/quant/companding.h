// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// μ-law companding (spec §2), the single implementation shared by the GLVQ learner, the decoder and the GUI:
//   F_μ(x)    = sign(x) · ln(1 + μ|x|) / ln(1 + μ)            (compress, applied before Babai rounding)
//   F_μ⁻¹(v)  = sign(v) · ((1 + μ)^{|v|} − 1) / μ             (expand, applied to lattice points)
// μ = 0 means "companding off": every function is then the identity (derivatives 1 in x/v, 0 in μ), so
// callers need no special case. μ must be ≥ 0. Inputs are dimensionless (weights divided by their scale).
//
// Scalar templates (float for the bit-exact decoder, double for tests/GUI) and tensor versions (fp32 torch
// ops for the learner) evaluate the same formulas; expm1/log1p keep small |x|, |v| accurate.
// Thread-safety: pure functions.
#include <ATen/core/Tensor.h>

#include <cmath>

namespace glvq::quant::mulaw {

// Precomputed constants of one μ: the decoder evaluates F⁻¹ millions of times with the same μ.
template <typename T>
struct MuLaw {
    T mu = 0;
    T lnRho = 0; // ln(1 + μ)

    explicit MuLaw(T muValue)
        : mu(muValue)
        , lnRho(std::log1p(muValue))
    {
    }

    bool off() const { return mu == T(0); }

    T compress(T x) const
    {
        if (off())
            return x;
        return std::copysign(std::log1p(mu * std::fabs(x)) / lnRho, x);
    }

    T expand(T v) const
    {
        if (off())
            return v;
        return std::copysign(std::expm1(std::fabs(v) * lnRho) / mu, v);
    }

    // ∂F⁻¹/∂v = ln(ρ) · ρ^{|v|} / μ
    T expandDv(T v) const
    {
        if (off())
            return T(1);
        return lnRho * std::exp(std::fabs(v) * lnRho) / mu;
    }

    // ∂F⁻¹/∂μ = sign(v) · (μ|v|ρ^{|v|−1} − ρ^{|v|} + 1) / μ²
    T expandDmu(T v) const
    {
        if (off())
            return T(0);
        const T a = std::fabs(v);
        const T rhoA = std::exp(a * lnRho);
        const T magnitude = (mu * a * rhoA / (T(1) + mu) - (rhoA - T(1))) / (mu * mu); // may be negative
        return v < T(0) ? -magnitude : magnitude;
    }

    // ∂F/∂x = μ / ((1 + μ|x|) · ln ρ)
    T compressDx(T x) const
    {
        if (off())
            return T(1);
        return mu / ((T(1) + mu * std::fabs(x)) * lnRho);
    }

    // ∂F/∂μ = sign(x) · ( |x| / ((1 + μ|x|) ln ρ) − ln(1 + μ|x|) / ((1 + μ) ln²ρ) )
    T compressDmu(T x) const
    {
        if (off())
            return T(0);
        const T a = std::fabs(x);
        const T term = a / ((T(1) + mu * a) * lnRho) - std::log1p(mu * a) / ((T(1) + mu) * lnRho * lnRho);
        return x < T(0) ? -term : term; // term may be negative: not copysign
    }
};

// Tensor versions, elementwise on fp32 (or fp64) tensors; return new tensors.
at::Tensor compress(const at::Tensor& x, double mu);
at::Tensor expand(const at::Tensor& v, double mu);
at::Tensor expandDv(const at::Tensor& v, double mu);
at::Tensor expandDmu(const at::Tensor& v, double mu);

// F⁻¹(v) with its two derivatives sharing one exp (the learner's hot path). dv/dmu stay undefined unless
// `derivatives` is set.
struct Expansion {
    at::Tensor value;
    at::Tensor dv;
    at::Tensor dmu;
};
Expansion expandWithDerivatives(const at::Tensor& v, double mu, bool derivatives);

// The same into caller-owned buffers, so an optimisation loop allocates nothing per iteration (fresh 2 MB
// tensors cost more than the arithmetic on them). Every buffer is resized to v's shape on first use; μ > 0.
struct ExpansionWorkspace {
    Expansion out;
    at::Tensor sign;
    at::Tensor magnitude;
    at::Tensor rhoPowerMinusOne;
};
void expandInto(const at::Tensor& v, double mu, bool derivatives, ExpansionWorkspace& workspace);

// F_μ(x) into `out`, given |x| and sign(x) (precomputed once by callers that compress the same x often). μ > 0.
void compressInto(const at::Tensor& magnitude, const at::Tensor& sign, double mu, at::Tensor& out);

} // namespace glvq::quant::mulaw
