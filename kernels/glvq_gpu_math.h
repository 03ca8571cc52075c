// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Per-thread pieces of the general-path (companding) and decode kernels, written once for host and device:
// the kernels in kernels/cuda/ are loops, loads and reductions around these functions, and tests/kernels
// runs the same functions on the host against the CPU reference (layout and extraction maths tested without
// a GPU). General path (any μ): v = G z per sub-vector, ŵ/(r s) = F⁻¹(v), acc[t] += s_g Σ F⁻¹(v_a) x_a.
// Linear layers run on tensor cores instead (glvq_mma_layout.h).
// Thread-safety: pure functions over read-only inputs and the caller's accumulators.
#include "kernels/glvq_gpu_layout.h"

#include <cstdint>
#include <math.h> // fmaf, exp2f, copysignf at global scope on host and device

#if defined(__CUDACC__)
#define GLVQ_UNROLL _Pragma("unroll")
#else
#define GLVQ_UNROLL
#endif

// Code words are streamed once: keep them out of L1 on the device (ld.global.cs).
GLVQ_HD inline std::uint32_t glvq_gpu_load_code(const std::uint32_t* p)
{
#if defined(__CUDA_ARCH__)
    return __ldcs(p);
#else
    return *p;
#endif
}

// Activations and side info are re-read by many warps: read-only cache.
GLVQ_HD inline float glvq_gpu_load(const float* p)
{
#if defined(__CUDA_ARCH__)
    return __ldg(p);
#else
    return *p;
#endif
}

// z_b = u_b − o_b of sub-vector k (0-based within the group) of row `row`; runtime bits, compile-time D.
// Each word is loaded once per sub-vector (the branch is uniform across a warp: same group and k).
template <int D>
GLVQ_HD inline void glvq_gpu_gather(const glvq_gpu_view& v, const glvq_gpu_group& grp, std::int64_t row,
                                    std::uint32_t k, float (&z)[D])
{
    const std::uint32_t bits = grp.bits;
    const std::uint32_t cpw = glvq_gpu_codes_per_word(bits);
    const std::uint32_t mask = (1u << bits) - 1u;
    const float offset = static_cast<float>(mask) * 0.5f;
    const std::uint32_t j = k * static_cast<std::uint32_t>(D);
    std::uint32_t p = j % cpw;
    const std::uint64_t pitch = static_cast<std::uint64_t>(v.rows_pad);
    const std::uint32_t* col = v.words + (grp.word_column_begin + j / cpw) * pitch + static_cast<std::uint64_t>(row);
    std::uint32_t word = glvq_gpu_load_code(col);
    GLVQ_UNROLL
    for (int b = 0; b < D; ++b) {
        if (p == cpw) {
            col += pitch;
            word = glvq_gpu_load_code(col);
            p = 0;
        }
        // u into the mantissa of 2^23 and 2^23 subtracted (exact) instead of an int->float conversion, which
        // runs on the quarter-rate unit the companding's exp2 also needs. o_b is subtracted separately:
        // 2^23 + o_b is a half-integer, not an fp32 value.
        z[b] = (glvq_bits_to_float(((word >> (p * bits)) & mask) | 0x4B000000u) - 8388608.0f) - offset;
        ++p;
    }
}

// F⁻¹_μ(v) with one exp2 (identity when μ = 0); within a few ulp of the CPU's expm1f form except where
// ρ^|v| − 1 cancels (|v| log ρ ≪ 1), where the absolute error stays ~1e-7 / μ.
GLVQ_HD inline float glvq_gpu_expand(float v, const glvq_gpu_group& grp)
{
    if (grp.mu == 0.0f)
        return v;
    return copysignf((exp2f(fabsf(v) * grp.log2_rho) - 1.0f) * grp.inv_mu, v);
}

// One group of the general path for one row and NB batch rows (x [batch, cols], rows ≥ batch clamp to the
// last one so nothing is read out of bounds; their sums are discarded). G: d×d fp32 (shared memory).
template <int D, int NB>
GLVQ_HD inline void glvq_gpu_general_group(const glvq_gpu_view& v, const glvq_gpu_group& grp, const float* G,
                                           std::int64_t row, const float* x, std::int32_t batch, float (&acc)[NB])
{
    float gacc[NB];
    const float* xs[NB];
    GLVQ_UNROLL
    for (int t = 0; t < NB; ++t) {
        gacc[t] = 0.0f;
        xs[t] = x + static_cast<std::int64_t>(t < batch ? t : batch - 1) * v.cols + grp.first_column;
    }
    const std::uint32_t subvectors = grp.columns / static_cast<std::uint32_t>(D);
    for (std::uint32_t k = 0; k < subvectors; ++k) {
        float z[D];
        glvq_gpu_gather<D>(v, grp, row, k, z);
        GLVQ_UNROLL
        for (int a = 0; a < D; ++a) {
            float s = 0.0f;
            GLVQ_UNROLL
            for (int b = 0; b < D; ++b)
                s = fmaf(G[a * D + b], z[b], s);
            const float e = glvq_gpu_expand(s, grp);
            GLVQ_UNROLL
            for (int t = 0; t < NB; ++t)
                gacc[t] = fmaf(e, glvq_gpu_load(xs[t] + k * D + a), gacc[t]);
        }
    }
    GLVQ_UNROLL
    for (int t = 0; t < NB; ++t)
        acc[t] = fmaf(grp.scale, gacc[t], acc[t]);
}
