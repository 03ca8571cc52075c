// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/layer_quantizer.h"

#include "core/quant/hessian_math.h"

#include <ATen/ATen.h>

namespace glvq::quant {

std::int64_t groupCount(std::int64_t cols, std::int64_t groupSize) { return (cols + groupSize - 1) / groupSize; }

at::Tensor inverseHessianFactor(const LayerInput& input, at::Device device, double relativeDamp)
{
    if (input.inverseHessianFactors)
        return input.inverseHessianFactors->upper(input.hessian, device, input.name, relativeDamp);
    return inverseHessianUpperCholesky(input.hessian.to(device, at::kDouble), input.name, relativeDamp);
}

void computeLayerMetrics(const LayerInput& input, LayerResult& result)
{
    // On the method's device: the two fp64 products with an n × n Hessian dominate for wide layers.
    const auto weight = input.weight.to(input.device, at::kFloat);
    const auto error = weight - result.decoded.to(input.device);
    result.rows = weight.size(0);
    result.cols = weight.size(1);
    result.weightMse = error.to(at::kDouble).pow(2).mean().item<double>();
    if (input.hessian.defined()) {
        const auto h = input.hessian.to(input.device, at::kDouble);
        const double reference = proxyLoss(weight, h);
        result.outputRelativeError = reference > 0 ? proxyLoss(error, h) / reference : 0.0;
    }
    if (result.codes)
        result.bitsPerWeight = result.codes->bitsPerWeight();
}

} // namespace glvq::quant
