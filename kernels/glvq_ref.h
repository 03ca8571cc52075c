// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// CPU references of the four GLVQ operations: the portable ground truth every CUDA kernel is tested against
// (glvq_cuda.h has the same operations on the device). Plain loops, single-threaded, no SIMD.
//
// Units: weights, activations and outputs are fp32; codes u are uint8 in [0, 2^b − 1]; all matrices are
// row-major. Each function works on output rows [row_begin, row_end) and touches nothing else, so callers
// may split a layer over threads (each row's result is independent of the split, bit for bit).
//
// Numerics:
//  - glvq_decode_ref is bit-identical to core/quant decodeGlvqGroup (the formula in glvq_layout.h: fp32,
//    Σ_b in increasing b, compiled with -ffp-contract=off, expm1f/log1pf from the C library).
//  - glvq_gemv_ref / glvq_gemm_ref multiply exactly those Ŵ values by x, accumulating Σ_j in fp64 in
//    increasing j, then round to fp32; Ŵ is never materialised (one sub-vector at a time).
//  - glvq_babai_encode_ref: x = (w / r_i) / s_g (0 when r_i · s_g = 0), y = F_μ(x) = copysign(log1pf(μ|x|) /
//    log1pf(μ), x) (identity for μ = 0), a = Σ_b G⁻¹[a, b] · y_b (fp32, increasing b),
//    u = clamp(nearbyintf(a + o_b), 0, 2^b − 1) (round half to even; NaN gives 0).
// Ownership: pointers are borrowed for the call. Thread-safety: reentrant. Errors: glvq_status, never throws.
#include "kernels/glvq_layout.h"

#include <cstdint>

// Dense decode: out[i · out_row_stride + j] = Ŵ[i, j] for rows i in [row_begin, row_end), all j < cols.
// `out` points at row 0 of the full matrix; out_row_stride ≥ cols.
glvq_status glvq_decode_ref(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                            float* out, std::int64_t out_row_stride);

// Fused decode + GEMV, batch 1: y[i] = Σ_j Ŵ[i, j] · x[j] for i in [row_begin, row_end). x has cols values,
// y points at row 0 (rows values).
glvq_status glvq_gemv_ref(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                          const float* x, float* y);

// Fused decode + GEMM, Y = X Ŵᵀ: X [batch, cols], Y [batch, rows] (torch's Linear layout);
// Y[t · rows + i] for i in [row_begin, row_end). Any batch ≥ 1 (the CUDA version is tuned for 1..16).
glvq_status glvq_gemm_ref(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                          const float* x, std::int32_t batch, float* y);

// What Babai encoding needs per group. Used by the CPU reference with host pointers and by
// glvq_babai_encode_cuda with device pointers (see there).
struct glvq_encode_params {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::int32_t group_count = 0;
    const std::uint32_t* first_column = nullptr; // group_count, contiguous from 0
    const std::uint32_t* columns = nullptr;      // group_count, multiples of d
    const std::uint8_t* bits = nullptr;          // group_count, 1..4
    const float* generator_inverse = nullptr;    // group_count · d · d, G⁻¹ row-major per group
    const float* mu = nullptr;                   // group_count, ≥ 0 (0 = companding off)
    const float* scale = nullptr;                // group_count, s_g
    const float* row_scales = nullptr;           // rows, or null (r_i = 1)
};

// Checks the params (host pointers): shape, group contiguity and widths, bits, μ ≥ 0.
glvq_status glvq_check_encode_params(const glvq_encode_params* params);

// Babai rounding of real weights w [rows, cols] (row stride w_row_stride) into codes
// codes[i · codes_row_stride + j] (uint8, dense; group g's codes are columns first_column .. + columns),
// rows [row_begin, row_end). Pack them per group with glvq_pack_group(codes + first_column, stride, ...).
glvq_status glvq_babai_encode_ref(const glvq_encode_params* params, std::int64_t row_begin, std::int64_t row_end,
                                  const float* w, std::int64_t w_row_stride, std::uint8_t* codes,
                                  std::int64_t codes_row_stride);
