// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Per-thread pieces of the CUDA kernels, written once for host and device: the kernels in kernels/cuda/
// are loops, loads and reductions around these functions, and tests/kernels runs the same functions on the
// host against the CPU reference (so the layout, slot and extraction maths are tested without a GPU).
//
// Linear path (all μ = 0):  x̂[t, slot] = s_g · (Gᵀ x_k)[b] · 2^-e   (glvq_gpu_xhat_value)
//                           acc[r][t] += Σ_words Σ_p (u − o)·2^e · x̂    (glvq_gpu_linear_group)
//                           y[t, i] = r_i · acc                          (kernel epilogue)
// General path (any μ):     v = G z per sub-vector, ŵ/(r s) = F⁻¹(v), acc[t] += s_g Σ F⁻¹(v_a) x_a
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

// Four consecutive floats; p must be 16-byte aligned (slot runs are, see glvq_gpu_layout.h).
GLVQ_HD inline void glvq_gpu_load4(const float* p, float (&out)[4])
{
#if defined(__CUDA_ARCH__)
    const float4 v = __ldg(reinterpret_cast<const float4*>(p));
    out[0] = v.x;
    out[1] = v.y;
    out[2] = v.z;
    out[3] = v.w;
#else
    for (int k = 0; k < 4; ++k)
        out[k] = p[k];
#endif
}

// Group whose slot range holds `slot` (groups sorted by slot_begin; binary search).
GLVQ_HD inline std::int32_t glvq_gpu_group_of_slot(const glvq_gpu_view& v, std::uint32_t slot)
{
    std::int32_t lo = 0;
    std::int32_t hi = v.group_count - 1;
    while (lo < hi) {
        const std::int32_t mid = (lo + hi + 1) / 2;
        if (v.groups[mid].slot_begin <= slot)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

// Activation slot value for one batch row x (cols floats): s_g · Σ_a G[a, b] x[c0 + k d + a] · 2^-e,
// 0 for padding slots and padding codes.
GLVQ_HD inline float glvq_gpu_xhat_value(const glvq_gpu_view& v, const float* x, std::uint32_t slot)
{
    const std::int32_t g = glvq_gpu_group_of_slot(v, slot);
    const glvq_gpu_group& grp = v.groups[g];
    const std::uint32_t spw = glvq_gpu_slots_per_word(grp.bits);
    const std::uint32_t local = slot - grp.slot_begin;
    const std::uint32_t p = local % spw;
    const std::uint32_t column = (local / spw) * glvq_gpu_codes_per_word(grp.bits) + p; // within the group
    if (p >= glvq_gpu_codes_per_word(grp.bits) || column >= grp.columns)
        return 0.0f;
    const std::uint32_t d = static_cast<std::uint32_t>(v.dim);
    const std::uint32_t b = column % d;
    const float* xs = x + grp.first_column + (column - b);
    const float* G = v.generators + static_cast<std::uint64_t>(g) * d * d;
    float t = 0.0f;
    for (std::uint32_t a = 0; a < d; ++a)
        t = fmaf(glvq_gpu_load(G + a * d + b), glvq_gpu_load(xs + a), t);
    return grp.scale * t * glvq_gpu_slot_factor(grp.bits, p);
}

// One word column for R = GLVQ_GPU_ROWS_PER_THREAD rows and NB batch rows. xhat points at the word's first
// slot of batch row 0; batch rows are `stride` floats apart.
template <std::uint32_t B, int NB>
GLVQ_HD inline void glvq_gpu_linear_word(const std::uint32_t (&w)[GLVQ_GPU_ROWS_PER_THREAD], const float* xhat,
                                         std::uint32_t stride, float (&acc)[GLVQ_GPU_ROWS_PER_THREAD][NB])
{
    constexpr std::uint32_t cpw = glvq_gpu_codes_per_word(B);
    constexpr std::uint32_t spw = glvq_gpu_slots_per_word(B);
    constexpr std::uint32_t rot = glvq_gpu_rotation(B);
    std::uint32_t h[GLVQ_GPU_ROWS_PER_THREAD];
    GLVQ_UNROLL
    for (int r = 0; r < GLVQ_GPU_ROWS_PER_THREAD; ++r)
        h[r] = glvq_gpu_rotr(w[r], rot);
    GLVQ_UNROLL
    for (std::uint32_t c = 0; c < spw / 4; ++c) {
        float xv[NB][4];
        GLVQ_UNROLL
        for (int t = 0; t < NB; ++t)
            glvq_gpu_load4(xhat + static_cast<std::uint64_t>(t) * stride + 4 * c, xv[t]);
        GLVQ_UNROLL
        for (std::uint32_t q = 0; q < 4; ++q) {
            const std::uint32_t p = 4 * c + q;
            if (p >= cpw)
                continue; // the 2 padding slots of a 3-bit word (compile-time after unrolling)
            GLVQ_UNROLL
            for (int r = 0; r < GLVQ_GPU_ROWS_PER_THREAD; ++r) {
                const float z = glvq_gpu_scaled_code(B, p, w[r], h[r]);
                GLVQ_UNROLL
                for (int t = 0; t < NB; ++t)
                    acc[r][t] = fmaf(z, xv[t][q], acc[r][t]);
            }
        }
    }
}

// All word columns of one group for rows row0 + 32 r. WPI word columns per iteration, the next WPI
// prefetched while the current ones are used (more bytes in flight per thread).
template <std::uint32_t B, int NB, int WPI>
GLVQ_HD inline void glvq_gpu_linear_group(const glvq_gpu_view& v, const glvq_gpu_group& grp, std::int64_t row0,
                                          const float* xhat, float (&acc)[GLVQ_GPU_ROWS_PER_THREAD][NB])
{
    constexpr std::uint32_t spw = glvq_gpu_slots_per_word(B);
    constexpr int R = GLVQ_GPU_ROWS_PER_THREAD;
    const std::uint64_t pitch = static_cast<std::uint64_t>(v.rows_pad);
    const std::uint32_t* col = v.words + grp.word_column_begin * pitch + static_cast<std::uint64_t>(row0);
    const std::uint32_t n = grp.word_columns;
    std::uint32_t cur[WPI][R];
    GLVQ_UNROLL
    for (int u = 0; u < WPI; ++u)
        GLVQ_UNROLL
        for (int r = 0; r < R; ++r)
            cur[u][r] = static_cast<std::uint32_t>(u) < n ? glvq_gpu_load_code(col + u * pitch + r * GLVQ_GPU_WARP) : 0u;
    for (std::uint32_t wc = 0; wc < n; wc += WPI) {
        std::uint32_t next[WPI][R];
        GLVQ_UNROLL
        for (int u = 0; u < WPI; ++u)
            GLVQ_UNROLL
            for (int r = 0; r < R; ++r)
                next[u][r] = wc + WPI + u < n ? glvq_gpu_load_code(col + (wc + WPI + u) * pitch + r * GLVQ_GPU_WARP) : 0u;
        GLVQ_UNROLL
        for (int u = 0; u < WPI; ++u)
            if (wc + u < n)
                glvq_gpu_linear_word<B, NB>(cur[u], xhat + grp.slot_begin + (wc + u) * spw, v.slots, acc);
        GLVQ_UNROLL
        for (int u = 0; u < WPI; ++u)
            GLVQ_UNROLL
            for (int r = 0; r < R; ++r)
                cur[u][r] = next[u][r];
    }
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
