// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The contract every quantization method implements (GLVQ, RTN, GPTQ, E8): one linear layer's weight, its
// proxy Hessian and a bit width per column group in; the quantized weight, its codes and its error out.
// Methods are compared on equal terms because they all see the same inputs and report the same metrics.
//
// Threading: quantize() runs on the caller's thread and may use torch's intra-op threads; it never starts
// threads of its own. It polls `cancel` between groups and throws glvq::Cancelled, leaving its inputs untouched.
#include "core/util/cancel.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace glvq::quant {

class InverseHessianFactors;

// Column groups: group g covers columns [g·groupSize, min((g+1)·groupSize, cols)); the last may be narrower.
std::int64_t groupCount(std::int64_t cols, std::int64_t groupSize);

struct LayerInput {
    std::string name;          // checkpoint name, e.g. "model.layers.3.mlp.down_proj"
    at::Tensor weight;         // [rows, cols] fp32 (the original weights; never modified)
    at::Tensor hessian;        // [cols, cols] fp64, H = XᵀX / T over calibration inputs; undefined for RTN
    std::int64_t groupSize = 128;
    std::vector<int> groupBits; // one entry per column group, each in 1..4
    std::uint64_t seed = 0;     // every random choice derives from it: same seed, same codes
    // Where the method's heavy tensor work runs. GLVQ learns on CUDA when this is a CUDA device (the pipeline
    // passes the model's device); the other methods run on the CPU whatever it says. Results are
    // deterministic per device: CPU and CUDA round differently, so their codes may differ slightly.
    at::Device device = at::kCPU;
    // Optional memo of the Hessian's inverse factor, shared by the copies of this input that the bit allocator
    // quantizes (the pipeline sets one per layer); null: each user factors H itself.
    std::shared_ptr<InverseHessianFactors> inverseHessianFactors;
};

// U with UᵀU = (H + damp·I)⁻¹ for input.hessian, fp64 on `device`: from the input's memo when it has one.
at::Tensor inverseHessianFactor(const LayerInput& input, at::Device device, double relativeDamp);

// Per-group numbers the GUI shows.
struct GroupStats {
    int bits = 0;
    double scale = 0.0;           // group scale s_g (GLVQ, E8) or mean row scale (RTN/GPTQ)
    double mu = 0.0;              // μ-law parameter; 0 when companding is off
    double conditionNumber = 0.0; // of G (GLVQ), 1 for scalar methods
    double weightMse = 0.0;       // mean (W − Ŵ)² over the group
    double proxyLoss = 0.0;       // tr(E H_g Eᵀ) of the group against the Hessian it was quantized with
    int iterations = 0;           // learning iterations run (GLVQ)
};

// Method-specific codes (what export writes). Decoding them reproduces `decoded` bit for bit.
class LayerCodes {
public:
    virtual ~LayerCodes() = default;
    virtual std::string method() const = 0;
    virtual at::Tensor decode() const = 0; // [rows, cols] fp32 on the CPU
    virtual std::int64_t rows() const = 0;
    virtual std::int64_t cols() const = 0;
    // Bits stored per weight, codes and side information (scales, G, μ, bit map) together.
    virtual double bitsPerWeight() const = 0;
    virtual double sideBitsPerWeight() const = 0;
};

struct LayerResult {
    std::string name;
    std::string method;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    at::Tensor decoded;                      // Ŵ, [rows, cols] fp32 on the CPU
    std::shared_ptr<const LayerCodes> codes;
    std::vector<GroupStats> groups;
    double weightMse = 0.0;          // mean (W − Ŵ)²
    // tr(E H Eᵀ) / tr(W H Wᵀ): relative output error ‖(W − Ŵ)X‖² / ‖WX‖²; NaN when not measured (no Hessian,
    // e.g. RTN without calibration), so that nothing shows an unmeasured error as 0.
    double outputRelativeError = std::numeric_limits<double>::quiet_NaN();
    double bitsPerWeight = 0.0;      // including side information
    double seconds = 0.0;
};

class LayerQuantizer {
public:
    virtual ~LayerQuantizer() = default;
    virtual std::string method() const = 0; // e.g. "glvq-8d", "rtn", "gptq", "e8"
    virtual bool needsHessian() const = 0;
    virtual LayerResult quantize(const LayerInput& input, const CancelToken& cancel) const = 0;
};

// Fills weightMse, outputRelativeError (when a Hessian is given), bitsPerWeight from `result.decoded` and codes.
void computeLayerMetrics(const LayerInput& input, LayerResult& result);

} // namespace glvq::quant
