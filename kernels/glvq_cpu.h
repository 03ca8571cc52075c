// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The fast CPU kernels for packed GLVQ layers, what a quantized model runs on a machine without a GPU
// (FusedGlvqLinear): the fused decode + GEMM for small batches, and a decoder into transposed panels that a
// BLAS GEMM multiplies at large ones (below).
// glvq_gemm_cpu: same arguments and contract as glvq_gemm_ref (glvq_ref.h): Y = X Ŵᵀ with X [batch, cols],
// Y [batch, rows], output rows [row_begin, row_end) only, Ŵ never materialised.
//
// How: 16 rows at a time, one SIMD lane per row; compiled for AVX-512, AVX2 + FMA and the portable baseline
// (x86-64 levels v4, v3, v1), the best one this CPU runs picked at the first call.
// A linear group (μ = 0) never forms Ŵ: Σ_j Ŵ_ij x_j = r_i s_g Σ (u − o)·x̂ with x̂ = Gᵀx per sub-vector,
// computed once per call (per row range), so a weight costs an unpack and one FMA. A companded group decodes
// v = G z per sub-vector and F⁻¹_μ(v) through 2^f − 1 as a degree-7 Taylor series, then the FMA.
//
// Numerics: differs from glvq_gemm_ref by rounding only. Σ over a group's columns in fp32 (with FMA where
// the CPU has it, so the last bits may differ between CPU generations), Σ over groups in fp64; relative to
// the fp64 product ‖y − y_ref‖/‖y_ref‖ stays near 1e-7 (tests/kernels/test_gemm_cpu.cpp bounds it by 2e-6).
// Each row's result is independent of the row range it was computed in, bit for bit, so callers may split
// rows over threads freely.
// Units: fp32 activations and outputs. Ownership: pointers borrowed for the call; the function allocates
// O(batch · cols + group width) scratch. Thread-safety: reentrant. Errors: glvq_status, never throws.
#include "kernels/glvq_layout.h"

#include <cstdint>

glvq_status glvq_gemm_cpu(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                          const float* x, std::int32_t batch, float* y);

// The instruction sets glvq_gemm_cpu is compiled for (only PORTABLE off x86-64).
enum glvq_cpu_isa : std::int32_t {
    GLVQ_CPU_ISA_AUTO = 0,     // the best one this CPU runs
    GLVQ_CPU_ISA_PORTABLE = 1, // the compiler's baseline: SSE2 and no FMA on x86-64 unless built with -march
    GLVQ_CPU_ISA_AVX2 = 2,     // x86-64-v3: AVX2, FMA
    GLVQ_CPU_ISA_AVX512 = 3,   // x86-64-v4: AVX-512 F/BW/CD/DQ/VL
};
glvq_cpu_isa glvq_cpu_best_isa();
const char* glvq_cpu_isa_name(glvq_cpu_isa isa); // "portable", "avx2", "avx512", "auto"

// glvq_gemm_cpu on a chosen instruction set, so that tests and benches can run each one this CPU has.
// GLVQ_ERR_UNSUPPORTED when the CPU does not run `isa`.
glvq_status glvq_gemm_cpu_isa(glvq_cpu_isa isa, const glvq_packed_layer* layer, std::int64_t row_begin,
                              std::int64_t row_end, const float* x, std::int32_t batch, float* y);

// Fast dense decode into a transposed panel: Ŵ[i, j] for rows i in [row_begin, row_end) goes to
// out[j · out_column_stride + (i − row_begin)], stride ≥ row_end − row_begin. That is Ŵ[row_begin:row_end, :]ᵀ
// as a plain [cols, rows] matrix, what a BLAS GEMM X · Ŵᵀ reads, so FusedGlvqLinear multiplies large batches
// panel by panel without holding Ŵ. Each SIMD block of rows stores whole registers per column; keep the
// stride small (a panel of ~128 rows) so that consecutive columns stay within a few pages.
// The same values as glvq_decode_ref (glvq_ref.h) up to rounding: G z summed with FMA, F⁻¹_μ through the
// series above instead of expm1f (tests/kernels/test_decode_cpu.cpp bounds the difference). Each row's values
// are independent of the range it is decoded in, bit for bit. `isa` as in glvq_gemm_cpu_isa (AUTO: the best
// this CPU runs). Units, ownership, thread-safety and errors as glvq_gemm_cpu.
glvq_status glvq_decode_transposed_cpu(glvq_cpu_isa isa, const glvq_packed_layer* layer, std::int64_t row_begin,
                                       std::int64_t row_end, float* out, std::int64_t out_column_stride);
