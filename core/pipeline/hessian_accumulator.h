// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Accumulates, for each linear layer, H = XᵀX / T over the inputs X it sees (fp64, on the CPU), and keeps a
// spread-out sample of input rows for the bit allocator's output-KL objective. Layers that read the same
// tensor (q/k/v, gate/up) share one accumulator, so the product is computed once.
// Not thread-safe: feed it from the thread that runs the forward pass.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace glvq::pipeline {

class HessianAccumulator {
public:
    explicit HessianAccumulator(std::int64_t sampleRowsPerInput = 2048, std::int64_t expectedTokens = 65536);

    // input: [..., features]. Call in forward order; consecutive calls with the same tensor object share an
    // accumulator.
    void add(const std::string& layerName, const at::Tensor& input);

    bool contains(const std::string& layerName) const { return m_keyOf.count(layerName) != 0; }
    at::Tensor hessian(const std::string& layerName) const;       // [n, n] fp64, CPU
    at::Tensor sampleInputs(const std::string& layerName) const;  // [≤ sampleRows, n] fp32, CPU
    std::int64_t tokens(const std::string& layerName) const;

private:
    struct Accumulator {
        at::Tensor sum; // Σ xᵀx, fp64
        std::int64_t tokens = 0;
        at::Tensor samples;
        std::int64_t sampled = 0;
    };
    const Accumulator& find(const std::string& layerName) const;

    std::int64_t m_sampleRows;
    std::int64_t m_sampleStride;
    std::map<std::string, std::shared_ptr<Accumulator>> m_keyOf;
    at::Tensor m_lastInput; // held so the identity check cannot be fooled by address reuse
    std::shared_ptr<Accumulator> m_last;
};

} // namespace glvq::pipeline
