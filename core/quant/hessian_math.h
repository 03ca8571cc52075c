// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Hessian algebra shared by GPTQ and GLVQ's block-LDLQ error feedback.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace glvq::quant {

// H + damp·I with damp = relativeDamp · mean(diag H); columns whose diagonal is zero (inputs never active)
// get diag 1 so the factorisation exists (GPTQ's "dead" columns). fp64.
at::Tensor dampedHessian(const at::Tensor& hessian, double relativeDamp = 0.01);

// U: the upper Cholesky factor of (H + damp·I)⁻¹ (U ᵀU = H⁻¹), fp64 [n, n]. Throws glvq::Error naming `what`
// if the damped Hessian is not positive definite even after escalating the damping.
at::Tensor inverseHessianUpperCholesky(const at::Tensor& hessian, const std::string& what, double relativeDamp = 0.01);

// A memo of inverseHessianUpperCholesky for one layer. The salience allocator, the quantization of each candidate
// split and the final quantization all need the same O(n³) fp64 factor (43 s for n = 11008 on two cores, then
// once more per candidate); with this they compute it once. Keyed by the Hessian tensor's identity (not its
// values: a different tensor is a different entry), the device and the damping; holds the tensors it returns.
// Not thread-safe: one layer is quantized on one thread.
class InverseHessianFactors {
public:
    // U for `hessian` (on any device) moved to `device` as fp64; computed on the first call for each key.
    at::Tensor upper(const at::Tensor& hessian, at::Device device, const std::string& what, double relativeDamp);

private:
    struct Entry {
        at::Tensor hessian; // the caller's tensor, kept so its identity cannot be reused by another
        at::Device device;
        double relativeDamp;
        at::Tensor upper;
    };
    std::vector<Entry> m_entries;
};

// tr(E H Eᵀ) for E [rows, cols] and H [cols, cols], in fp64.
double proxyLoss(const at::Tensor& error, const at::Tensor& hessian);

} // namespace glvq::quant
