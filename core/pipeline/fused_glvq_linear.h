// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A GLVQ layer that the model runs through the fused decode + GEMV/GEMM kernels (kernels/): Ŵ is never
// materialised as a whole; each forward streams the packed codes. On a CUDA model the codes live on the GPU
// in the kernels' load-time layout (glvq_gpu_layer) and glvq_gemm_cuda runs. On the CPU:
//  - batches below CpuProductOptions::panelBatch (decoding, short prompts): glvq_gemm_cpu (SIMD over rows,
//    kernels/glvq_cpu.h), split over output rows with at::parallel_for;
//  - larger batches (prefill, evaluation windows) while torch runs one intra-op thread, as it does on machines
//    where it counts one physical core: there the BLAS library's own threads make a GEMM faster than the
//    single-threaded fused product, so panelRows rows at a time are decoded (glvq_decode_transposed_cpu) and
//    multiplied by at::mm; memory stays at the packed size plus one panel per calling thread. With two or
//    more torch threads the fused product splits its rows over them and stays ahead (bench_fused_linear_cpu).
// Both equal decode-then-matmul up to fp32 rounding, not bit for bit each other: the fused product sums each
// group in fp32 and the groups in fp64 (relative error ~1e-7); the panels sum all columns in fp32 in BLAS
// (~1e-6 at thousands of columns, like the dense layer).
//
// Precision: activations and outputs fp32 (the kernels' contract). The CUDA path computes with fp16 tensor-core
// inputs (hi + lo split of x) and fp32 accumulation: relative error ≤ 1e-3 by contract (docs/kernels.md).
// Streams: CUDA launches go to the legacy default stream, so they order with torch's work on torch's default
// stream; forward() refuses to run while torch's current stream is another one (it could race).
// Ownership: holds the packed codes and, on CUDA, the device copy. Thread-safety: forward() may be called from
// several threads. On CUDA the default stream serialises the launches, so calls never overlap on the layer's
// workspace; on the CPU each calling thread decodes into its own panel buffer (kept for reuse).
#include "core/model/linear.h"
#include "core/pipeline/packed_glvq_layer.h"

#include <string>

struct glvq_gpu_layer;

namespace glvq::quant {
class GlvqLayerCodes;
}

namespace glvq::pipeline {

// How a CPU layer multiplies (see above); tests and benchmarks pin one.
enum class CpuProduct { Auto, Fused, DecodedPanels };
struct CpuProductOptions {
    CpuProduct product = CpuProduct::Auto;
    // Auto with one torch thread: decoded panels from this many input rows (tokens, all leading dimensions
    // flattened) on. Where they overtake the fused product grows with the layer's width
    // (bench_fused_linear_cpu: ~48 at 4096 columns, ~128 at 11008); 96 sits between.
    std::int64_t panelBatch = 96;
    // Rows per decoded panel, one BLAS call each (fp32, panelRows × cols: 2 MB at 4096 columns): small enough
    // to stay in cache between its decode and its product. Raised to a multiple of 16 (the decoder's widest
    // row block) and to 16 per torch thread; at most rows.
    std::int64_t panelRows = 128;
};

class FusedGlvqLinear final : public model::LinearOp {
public:
    // bias: [rows] fp32 or undefined. device: where inputs arrive and outputs go (CPU or CUDA:0). `cpu`
    // matters on the CPU only. Throws glvq::Error naming `name` for a malformed layer or, on CUDA, when this
    // build's kernels have no CUDA or the upload fails.
    FusedGlvqLinear(PackedGlvqLayer packed, at::Tensor bias, at::Device device, std::string name,
                    CpuProductOptions cpu = {});
    FusedGlvqLinear(const quant::GlvqLayerCodes& codes, at::Tensor bias, at::Device device, std::string name,
                    CpuProductOptions cpu = {});
    ~FusedGlvqLinear() override;
    FusedGlvqLinear(const FusedGlvqLinear&) = delete;
    FusedGlvqLinear& operator=(const FusedGlvqLinear&) = delete;

    at::Tensor forward(const at::Tensor& x) const override;
    // Decodes on demand (the layer keeps no dense copy): O(rows · cols) per call. On the CPU with the reference
    // decoder, bit-identical to GlvqLayerCodes::decode().
    at::Tensor denseWeight() const override;
    std::optional<at::Tensor> bias() const override;
    std::int64_t inFeatures() const override { return m_packed.cols; }
    std::int64_t outFeatures() const override { return m_packed.rows; }
    std::string kind() const override;

private:
    bool panelsPay(std::int64_t batch) const; // Auto on the CPU: decoded panels for this batch?
    void multiplyFusedCpu(const at::Tensor& input, at::Tensor& output) const;
    void multiplyDecodedPanelsCpu(const at::Tensor& input, at::Tensor& output) const;

    PackedGlvqLayer m_packed; // on CUDA without the code words (they live on the device)
    glvq_gpu_layer* m_gpu = nullptr; // owned; null on the CPU
    at::Tensor m_bias;
    at::Device m_device;
    std::string m_name;
    CpuProductOptions m_cpu;
};

} // namespace glvq::pipeline
