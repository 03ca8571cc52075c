// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A linear layer y = x Wᵀ + b as the model sees it. The dense fp32 layer is the default; quantized layers
// implement the same interface and are swapped in by checkpoint name (CausalLM::replaceLinear).
// Thread-safety: forward() is const and may be called concurrently.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>

namespace glvq::model {

class LinearOp {
public:
    virtual ~LinearOp() = default;
    // x: [..., inFeatures] fp32 on the layer's device; returns [..., outFeatures] fp32.
    virtual at::Tensor forward(const at::Tensor& x) const = 0;
    // The effective weight as a dense fp32 [outFeatures, inFeatures] tensor (decoded, for quantized layers).
    virtual at::Tensor denseWeight() const = 0;
    virtual std::optional<at::Tensor> bias() const = 0;
    virtual std::int64_t inFeatures() const = 0;
    virtual std::int64_t outFeatures() const = 0;
    virtual std::string kind() const = 0; // "dense fp32", "glvq 2-bit d=8", ...
};

class DenseLinear final : public LinearOp {
public:
    // weight: [out, in] fp32; bias: [out] fp32 or undefined.
    DenseLinear(at::Tensor weight, at::Tensor bias);

    at::Tensor forward(const at::Tensor& x) const override;
    at::Tensor denseWeight() const override { return m_weight; }
    std::optional<at::Tensor> bias() const override;
    std::int64_t inFeatures() const override;
    std::int64_t outFeatures() const override;
    std::string kind() const override { return "dense fp32"; }

private:
    at::Tensor m_weight;
    at::Tensor m_bias;
};

// The fp16 deployment baseline: weight (and bias) stored in fp16, y = fp32(fp16(x) Wᵀ + b) with fp32
// accumulation inside the GEMM (cuBLAS). Meant for CUDA, where it is what serving stacks run; LibTorch's CPU
// half GEMM is slow or missing, so on the CPU it computes in fp32 from the fp16-rounded weight.
class HalfDenseLinear final : public LinearOp {
public:
    explicit HalfDenseLinear(const LinearOp& source);

    at::Tensor forward(const at::Tensor& x) const override;
    at::Tensor denseWeight() const override;
    std::optional<at::Tensor> bias() const override;
    std::int64_t inFeatures() const override;
    std::int64_t outFeatures() const override;
    std::string kind() const override { return "dense fp16"; }

private:
    at::Tensor m_weight; // fp16 on CUDA; fp32 holding fp16-rounded values on the CPU
    at::Tensor m_bias;
};

} // namespace glvq::model
