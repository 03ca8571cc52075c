// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The word-column GPU layout of companded layers with d = 16 or 32 (the general kernel and decode read it),
// built on the host from the packed export stream (glvq_layout.h) when a layer is loaded, and its index maths
// (host + device).
//
//  - Word columns. Group g keeps cpw = floor(32 / b) codes per 32-bit word (32, 16, 10, 8 for b = 1..4),
//    code p of a word at bits [b·p, b·p + b), LSB-first, codes never straddling. Row i of group g has
//    wc_g = ceil(n_g / cpw) words; word (g, wc, i) lives at words[(word_column_begin_g + wc) · rows_pad + i].
//    So lane l of a warp reading row base + l reads consecutive words: every load is a full 128-byte line.
//    rows_pad = rows rounded up to GLVQ_GPU_ROW_TILE; padding rows and codes are zero.
//
// Linear layers (all μ = 0) and companded layers with d ∈ {1, 2, 4, 8} use the tensor-core layout instead
// (glvq_mma_layout.h); the per-group side info below serves every layer. Thread-safety: pure
// functions and plain data.
#include "kernels/glvq_half.h"
#include "kernels/glvq_layout.h"

#include <cstdint>
#include <vector>

constexpr int GLVQ_GPU_WARP = 32;
constexpr int GLVQ_GPU_ROW_TILE = 128;                                   // rows_pad multiple
constexpr int GLVQ_GPU_MAX_BATCH = 16;                                    // batch rows per launch

// Per-group side info on the device (fp32, converted exactly from fp16).
struct alignas(16) glvq_gpu_group {
    std::uint32_t word_column_begin;
    std::uint32_t word_columns;
    std::uint32_t first_column;
    std::uint32_t columns;
    std::uint32_t bits;
    float scale;    // s_g
    float mu;       // 0 = companding off
    float log2_rho; // log2(1 + μ): F⁻¹(v) = sign(v) (2^{|v| log2 ρ} − 1) / μ, one exp2 per weight
    float inv_mu;   // 1 / μ (0 when μ = 0)
    std::uint32_t reserved[3];
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
};

GLVQ_HD constexpr std::uint32_t glvq_gpu_codes_per_word(std::uint32_t bits) { return 32u / bits; }
// ---- host side (kernels/cpu/glvq_gpu_layout.cpp) ----

// The GPU layout in host memory, ready to upload (or to run the host emulation on).
struct glvq_gpu_image {
    std::int64_t rows = 0;
    std::int64_t rows_pad = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::int32_t group_count = 0;
    std::uint32_t word_columns = 0;
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
