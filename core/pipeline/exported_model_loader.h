// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs an exported file (docs/FORMAT.md) as a model: config.json and the full-precision tensors from the file,
// the quantized layers either through the fused kernels (GLVQ layers: FusedGlvqLinear, Ŵ never materialised)
// or decoded once to dense fp32 (every method; what `glvq dequantize` writes). Both give the same model up to
// the kernels' fp32 rounding. Nothing is read from the original checkpoint.
#include "core/model/causal_lm.h"
#include "core/pipeline/export_model.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace glvq::pipeline {

enum class QuantizedKernels {
    Auto,    // Fused on CUDA. On the CPU per GLVQ layer, see fuseCompandedOnCpu: fused without companding, decoded
             // with it while the dense weights fit in memory
    Fused,   // GLVQ layers run the fused decode-GEMV/GEMM kernels; other methods are decoded
    Decoded, // every quantized layer decoded to a dense fp32 weight at load
};

// Auto on the CPU (docs/kernels.md §2b and §4b have the measurements). GLVQ layers without companding always
// run fused: 1.8× the dense fp32 model's tokens/s on Llama-2-7B shapes with one torch thread, 3× with two,
// 0.7–0.9× its speed at evaluation batches, at 1/16 of its memory at 2 bits. Companded layers run fused only
// when this says so: when the model with them decoded (`decodedModelBytes`: their fp32 weights plus every
// tensor the CPU model holds densely anyway) would take more than half of the memory still available, since
// where it fits dense fp32 decodes them faster (1.6× with one torch thread; at parity with two). Unknown
// available memory: decoded.
bool fuseCompandedOnCpu(std::int64_t decodedModelBytes, std::optional<std::int64_t> availableBytes);

// "auto" | "fused" | "decoded"; glvq::Error otherwise.
QuantizedKernels parseQuantizedKernels(const std::string& text);

// `origin` (the file's path) names the source in errors. Throws glvq::Error for a config or tensor that does
// not fit, or (on CUDA with Fused) when the kernels cannot run there.
std::unique_ptr<model::CausalLM> loadExportedCausalLM(const ExportedModel& exported, const std::string& origin,
                                                      model::ComputeDevice device, QuantizedKernels kernels,
                                                      const ProgressCallback& progress = {},
                                                      const CancelToken& cancel = {});

} // namespace glvq::pipeline
