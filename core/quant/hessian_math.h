// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Hessian algebra shared by GPTQ and GLVQ's block-LDLQ error feedback.
#include <ATen/core/Tensor.h>

#include <string>

namespace glvq::quant {

// H + damp·I with damp = relativeDamp · mean(diag H); columns whose diagonal is zero (inputs never active)
// get diag 1 so the factorisation exists (GPTQ's "dead" columns). fp64.
at::Tensor dampedHessian(const at::Tensor& hessian, double relativeDamp = 0.01);

// U: the upper Cholesky factor of (H + damp·I)⁻¹ (U ᵀU = H⁻¹), fp64 [n, n]. Throws glvq::Error naming `what`
// if the damped Hessian is not positive definite even after escalating the damping.
at::Tensor inverseHessianUpperCholesky(const at::Tensor& hessian, const std::string& what, double relativeDamp = 0.01);

// tr(E H Eᵀ) for E [rows, cols] and H [cols, cols], in fp64.
double proxyLoss(const at::Tensor& error, const at::Tensor& hessian);

} // namespace glvq::quant
