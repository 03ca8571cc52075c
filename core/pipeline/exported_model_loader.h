// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs an exported file (docs/FORMAT.md) as a model: config.json and the full-precision tensors from the file,
// the quantized layers either through the fused kernels (GLVQ layers: FusedGlvqLinear, Ŵ never materialised)
// or decoded once to dense fp32 (every method; what `glvq dequantize` writes). Both give the same model up to
// the kernels' fp32 rounding. Nothing is read from the original checkpoint.
#include "core/model/causal_lm.h"
#include "core/pipeline/export_model.h"

#include <memory>
#include <string>

namespace glvq::pipeline {

enum class QuantizedKernels {
    Auto,    // Fused on CUDA; Decoded on the CPU, where dense fp32 is faster for companded layers while it fits in
             // memory (Fused keeps the codes: 16× less memory at 2 bits; docs/kernels.md §2b has the speeds)
    Fused,   // GLVQ layers run the fused decode-GEMV/GEMM kernels; other methods are decoded
    Decoded, // every quantized layer decoded to a dense fp32 weight at load
};

// "auto" | "fused" | "decoded"; glvq::Error otherwise.
QuantizedKernels parseQuantizedKernels(const std::string& text);

// `origin` (the file's path) names the source in errors. Throws glvq::Error for a config or tensor that does
// not fit, or (on CUDA with Fused) when the kernels cannot run there.
std::unique_ptr<model::CausalLM> loadExportedCausalLM(const ExportedModel& exported, const std::string& origin,
                                                      model::ComputeDevice device, QuantizedKernels kernels,
                                                      const ProgressCallback& progress = {},
                                                      const CancelToken& cancel = {});

} // namespace glvq::pipeline
