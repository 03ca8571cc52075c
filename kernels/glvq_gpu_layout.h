// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The interleaved GPU layout the CUDA kernels read, built on the host from the packed export stream
// (glvq_layout.h) when a layer is loaded, and its index maths (host + device). docs/kernels.md explains
// the choices; the short version:
//
//  - Word columns. Group g keeps cpw = floor(32 / b) codes per 32-bit word (32, 16, 10, 8 for b = 1..4),
//    code p of a word at bits [b·p, b·p + b), LSB-first, codes never straddling. Row i of group g has
//    wc_g = ceil(n_g / cpw) words; word (g, wc, i) lives at words[(word_column_begin_g + wc) · rows_pad + i].
//    So lane l of a warp reading row base + l reads consecutive words: every load is a full 128-byte line.
//    rows_pad = rows rounded up to GLVQ_GPU_ROW_TILE; padding rows and codes are zero.
//  - Slots. Each word has spw = cpw rounded up to 4 activation "slots" (32, 16, 12, 8), so the activations a
//    word multiplies are one aligned float4 run. slot_begin_g = Σ_{g' < g} wc_g' · spw_g'.
//  - Magic-number extraction (no shifts, no int->float conversion). Code p is read either from the word w or
//    from h = rotr(w, s_b) at a bit offset e ∈ [1, 23 − b]; OR-ing 0x4B000000 (2^23) gives the float
//    2^23 + u · 2^e exactly, and subtracting 2^23 + o_b · 2^e (exact: e ≥ 1 makes it an integer) leaves
//    (u − o_b) · 2^e. The activation slot holds x̂ · 2^-e, so each weight costs LOP3 + FADD + FFMA.
//
// Companding-off layers use the linear fast path y_i = r_i Σ_j z_ij x̂_j with x̂ = s_g · Gᵀ x_k per
// sub-vector (glvq_gpu_math.h). Thread-safety: pure functions and plain data.
#include "kernels/glvq_half.h"
#include "kernels/glvq_layout.h"

#include <cstdint>
#include <vector>

constexpr int GLVQ_GPU_WARP = 32;
constexpr int GLVQ_GPU_ROWS_PER_THREAD = 4;                               // rows lane, +32, +64, +96
constexpr int GLVQ_GPU_ROW_TILE = GLVQ_GPU_WARP * GLVQ_GPU_ROWS_PER_THREAD; // rows per warp (linear path)
constexpr int GLVQ_GPU_MAX_BATCH = 16;                                    // batch rows per launch

// Per-group side info on the device (fp32, converted exactly from fp16).
struct alignas(16) glvq_gpu_group {
    std::uint32_t word_column_begin;
    std::uint32_t word_columns;
    std::uint32_t slot_begin;
    std::uint32_t first_column;
    std::uint32_t columns;
    std::uint32_t bits;
    float scale;    // s_g
    float mu;       // 0 = companding off
    float log2_rho; // log2(1 + μ): F⁻¹(v) = sign(v) (2^{|v| log2 ρ} − 1) / μ, one exp2 per weight
    float inv_mu;   // 1 / μ (0 when μ = 0)
    std::uint32_t reserved[2];
};
static_assert(sizeof(glvq_gpu_group) == 48, "glvq_gpu_group is read as three 16-byte vectors");

// What a kernel needs of a loaded layer: device pointers (or host pointers for the host emulation in tests).
struct glvq_gpu_view {
    const std::uint32_t* words = nullptr;           // word_columns · rows_pad
    const glvq_gpu_group* groups = nullptr;         // group_count
    const float* generators = nullptr;              // group_count · d · d, G row-major
    const float* row_scales = nullptr;              // rows_pad (1 when the layer has none, 0 on padding rows)
    const std::uint32_t* subvector_group = nullptr; // cols / d: the group of each sub-vector column
    std::int64_t rows = 0;
    std::int64_t rows_pad = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::int32_t group_count = 0;
    std::uint32_t word_columns = 0;
    std::uint32_t slots = 0; // activation slots per batch row (multiple of 4)
};

GLVQ_HD constexpr std::uint32_t glvq_gpu_codes_per_word(std::uint32_t bits) { return 32u / bits; }
GLVQ_HD constexpr std::uint32_t glvq_gpu_slots_per_word(std::uint32_t bits)
{
    return (glvq_gpu_codes_per_word(bits) + 3u) & ~3u;
}

// First code index that no longer fits below bit 23 of the unrotated word, and the rotation s_b that moves
// those codes (and code 0, whose offset would be 0) into [1, 23 − b]: s = b · q − 1.
GLVQ_HD constexpr std::uint32_t glvq_gpu_first_rotated(std::uint32_t bits) { return (23u - bits) / bits + 1u; }
GLVQ_HD constexpr std::uint32_t glvq_gpu_rotation(std::uint32_t bits)
{
    return bits * glvq_gpu_first_rotated(bits) - 1u;
}
GLVQ_HD constexpr bool glvq_gpu_code_rotated(std::uint32_t bits, std::uint32_t p)
{
    return p == 0 || p >= glvq_gpu_first_rotated(bits);
}
// Bit offset e of code p in w (unrotated) or in h = rotr(w, s_b).
GLVQ_HD constexpr std::uint32_t glvq_gpu_code_shift(std::uint32_t bits, std::uint32_t p)
{
    return glvq_gpu_code_rotated(bits, p) ? (bits * p + 32u - glvq_gpu_rotation(bits)) % 32u : bits * p;
}

constexpr bool glvq_gpu_extraction_is_exact()
{
    for (std::uint32_t b = 1; b <= 4; ++b)
        for (std::uint32_t p = 0; p < glvq_gpu_codes_per_word(b); ++p) {
            const std::uint32_t e = glvq_gpu_code_shift(b, p);
            if (e < 1 || e + b > 23)
                return false;
        }
    return true;
}
static_assert(glvq_gpu_extraction_is_exact(), "every code must land at bit offset 1 .. 23 - b");

GLVQ_HD inline std::uint32_t glvq_gpu_rotr(std::uint32_t w, std::uint32_t s) { return (w >> s) | (w << (32u - s)); }

// (u_p − o_b) · 2^e for code p of word w (h = rotr(w, s_b)). With bits and p compile-time constants after
// unrolling, this is one LOP3 and one FADD.
GLVQ_HD inline float glvq_gpu_scaled_code(std::uint32_t bits, std::uint32_t p, std::uint32_t w, std::uint32_t h)
{
    const std::uint32_t e = glvq_gpu_code_shift(bits, p);
    const std::uint32_t field = ((1u << bits) - 1u) << e;
    const float bias = 8388608.0f + static_cast<float>(field) * 0.5f; // 2^23 + o_b · 2^e, exact
    return glvq_bits_to_float(((glvq_gpu_code_rotated(bits, p) ? h : w) & field) | 0x4B000000u) - bias;
}

// 2^-e for code p: what the activation slot is multiplied by so that the product is z · x̂.
GLVQ_HD inline float glvq_gpu_slot_factor(std::uint32_t bits, std::uint32_t p)
{
    return glvq_bits_to_float((127u - glvq_gpu_code_shift(bits, p)) << 23);
}

// ---- host side (kernels/cpu/glvq_gpu_layout.cpp) ----

// The GPU layout in host memory, ready to upload (or to run the host emulation on).
struct glvq_gpu_image {
    std::int64_t rows = 0;
    std::int64_t rows_pad = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::int32_t group_count = 0;
    std::uint32_t word_columns = 0;
    std::uint32_t slots = 0;
    bool all_linear = true; // every group has μ = 0: the linear fast path applies
    std::vector<std::uint32_t> words;
    std::vector<glvq_gpu_group> groups;
    std::vector<float> generators;
    std::vector<float> row_scales;
    std::vector<std::uint32_t> subvector_group;
};

// Builds the image from a packed layer (checked with glvq_check_packed). O(rows · cols), host memory
// about the size of the packed stream. GLVQ_ERR_OUT_OF_MEMORY if allocation fails.
glvq_status glvq_gpu_image_build(const glvq_packed_layer* layer, glvq_gpu_image* image);

// View of an image with host pointers (valid while the image lives and is not modified).
glvq_gpu_view glvq_gpu_image_view(const glvq_gpu_image& image);
