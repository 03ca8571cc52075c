// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The tensor-core GPU layout of a linear (companding-off) layer or of a companded layer with d ∈ {1, 2, 4, 8},
// built on the host at load time, and the per-lane code extraction the CUDA kernels use (host + device, so
// tests check it without a GPU). Groups are padded to whole 64-column k-blocks: nothing for the usual
// 128-column groups, but a 13-column group of a d = 1 layer takes 64 columns of codes.
//
// With μ = 0 the product is y_i = r_i Σ_g s_g Σ_j (u_ij − o_g) x̂_j with x̂ = Gᵀ x_k per sub-vector
// (spec §5 fast path). The kernel feeds Z = u − o to `mma.sync.m16n8k16` as fp16 A fragments (half-integers
// up to ±7.5: exact) and x̂ as fp16 B fragments split into hi + lo parts (≈ 2^-22 relative), accumulating in
// fp32. So each weight costs about one LOP3 (code into an fp16 mantissa) and one half of an HFMA2 (remove the
// magic exponent and the offset o), with no decode arithmetic on the CUDA cores.
//
//  - Tiles. Rows in tiles of 16 (the mma's M); rows_pad = rows rounded up to GLVQ_MMA_ROW_ALIGN.
//    Columns of a group in k-blocks of 64 (4 k-steps of 16, the mma's K); the last k-block of a group is
//    padded with zero codes, which meet zero activations.
//  - Lanes. For tile T, k-block kb of group g, lane l = 4·gid + tig holds, per k-step s and A register r,
//    one "pair" q = 4s + r: the codes of row 16T + gid + 8(r & 1), columns 16s + 2 tig + 8(r >> 1) + {0, 1}
//    of the k-block (the PTX A-fragment order). A pair's two codes sit at the same offset of the low and
//    the high 16-bit half of one 32-bit word, so one LOP3 fills both halves of an fp16x2 register.
//  - Words. The b words of one (g, T, kb, lane) are contiguous per lane and the 32 lanes' runs are
//    contiguous (one coalesced 4/8/12/16-byte load per lane): block (g, T, kb) starts at
//    word_begin_g + (T · kblocks_g + kb) · 32 · b_g; lane l's words at + l · w for b ∈ {1, 2, 4} (w = b).
//    For b = 3 the 2-bit low parts of the codes are an 8-byte run at + 2l and the high bits one word at
//    + 64 + l (bit planes: no bits wasted, unlike 10 codes per word), pair q's at glvq_mma_hi_position(q).
//  - Offsets inside a half (pair q): b = 1: q; b = 2: 2 (q mod 8) in word q / 8; b = 4: 4 (q mod 4) in word
//    q / 4; b = 3: low parts as b = 2, high bit q of the plane word.
//  - Extraction (glvq_mma_pair_*): the word rotated left by 1, or shifted right by 7 (8 for b = 1), puts the
//    code at an fp16 mantissa offset e ∈ [1, 10 − b]; OR 0x6400 gives 1024 + u·2^e exactly, and
//    fma(·, 2^-e, −(1024·2^-e + o)) = u − o exactly (e ≥ 1 makes the constant an fp16 value).
// Thread-safety: pure functions and plain data.
#include "kernels/glvq_half.h"
#include "kernels/glvq_layout.h"

#include <cstdint>
#include <vector>

constexpr int GLVQ_MMA_TILE_ROWS = 16;   // M of mma.m16n8k16
constexpr int GLVQ_MMA_KSTEP = 16;       // K
constexpr int GLVQ_MMA_KBLOCK = 64;      // columns per k-block: 4 k-steps, 16 pairs per lane
constexpr int GLVQ_MMA_ROW_ALIGN = 64;   // rows_pad multiple: whole row blocks of 4 tiles
constexpr int GLVQ_MMA_BATCH_PER_NTILE = 4; // an n-tile of 8 columns holds 4 batch rows × (hi, lo)
constexpr int GLVQ_MMA_MAX_NTILES = 4;   // batch 16 per launch

// Per-group side info on the device.
struct alignas(16) glvq_mma_group {
    std::uint64_t word_begin;  // first word of the group's blocks
    std::uint32_t kblocks;     // ceil(columns / 64)
    std::uint32_t kstep_begin; // global index of the group's first k-step (activation fragments)
    std::uint32_t bits;
    std::uint32_t first_column;
    std::uint32_t columns;
    float scale; // s_g
};
static_assert(sizeof(glvq_mma_group) == 32, "glvq_mma_group is read as two 16-byte vectors");

struct glvq_mma_view {
    const std::uint32_t* words = nullptr;   // Σ_g rows_pad/16 · kblocks_g · 32 · b_g
    const glvq_mma_group* groups = nullptr; // group_count
    const float* generators = nullptr;      // group_count · d · d, G row-major
    const float* row_scales = nullptr;      // rows_pad (1 when the layer has none, 0 on padding rows)
    std::int64_t rows = 0;
    std::int64_t rows_pad = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::int32_t group_count = 0;
    std::uint32_t ksteps = 0; // Σ_g 4 · kblocks_g
};

// ---- pair geometry (host + device, all constexpr) ----

// Row within the tile and column within the k-block of the code in half h of pair q of lane `lane`.
GLVQ_HD constexpr std::uint32_t glvq_mma_pair_row(std::uint32_t lane, std::uint32_t q)
{
    return lane / 4u + 8u * (q & 1u);
}
GLVQ_HD constexpr std::uint32_t glvq_mma_pair_column(std::uint32_t lane, std::uint32_t q, std::uint32_t h)
{
    return 16u * (q / 4u) + 2u * (lane % 4u) + 8u * ((q % 4u) >> 1) + h;
}
// Words per lane and k-block: b (for b = 3: two low-part words and one high-bit word).
GLVQ_HD constexpr std::uint32_t glvq_mma_words_per_lane(std::uint32_t bits) { return bits; }
// Which of the lane's words holds pair q's (low part of the) code, and its offset in each half.
GLVQ_HD constexpr std::uint32_t glvq_mma_pair_word(std::uint32_t bits, std::uint32_t q)
{
    return bits == 1 ? 0u : bits == 4 ? q / 4u : q / 8u;
}
GLVQ_HD constexpr std::uint32_t glvq_mma_pair_offset(std::uint32_t bits, std::uint32_t q)
{
    return bits == 1 ? q : bits == 4 ? 4u * (q % 4u) : 2u * (q % 8u);
}
// Bits of the code that live in the (low-part) word: b, except 2 for b = 3.
GLVQ_HD constexpr std::uint32_t glvq_mma_low_bits(std::uint32_t bits) { return bits == 3 ? 2u : bits; }
// Extraction source: the word rotated left by 1 (when the code then fits below mantissa bit 10) or
// shifted right by 7 (8 for b = 1).
GLVQ_HD constexpr bool glvq_mma_pair_rotated(std::uint32_t bits, std::uint32_t q)
{
    return glvq_mma_pair_offset(bits, q) + 1u + bits <= 10u;
}
GLVQ_HD constexpr std::uint32_t glvq_mma_right_shift(std::uint32_t bits) { return bits == 1 ? 8u : 7u; }
// fp16 mantissa offset e of pair q after extraction.
GLVQ_HD constexpr std::uint32_t glvq_mma_pair_e(std::uint32_t bits, std::uint32_t q)
{
    return glvq_mma_pair_rotated(bits, q) ? glvq_mma_pair_offset(bits, q) + 1u
                                          : glvq_mma_pair_offset(bits, q) - glvq_mma_right_shift(bits);
}

// b = 3: the high bits of pairs 4k .. 4k + 3 sit in the plane word where one shared left rotation by
// glvq_mma_hi_rotation(k) moves each to mantissa bit e + 2 (four rotations per word instead of sixteen).
GLVQ_HD constexpr std::uint32_t glvq_mma_hi_rotation(std::uint32_t k)
{
    return k == 0 ? 3u : k == 1 ? 2u : k == 2 ? 27u : 26u;
}
GLVQ_HD constexpr std::uint32_t glvq_mma_hi_position(std::uint32_t q)
{
    return (glvq_mma_pair_e(3, q) + 2u + 32u - glvq_mma_hi_rotation(q / 4u)) % 32u;
}

constexpr bool glvq_mma_extraction_is_exact()
{
    for (std::uint32_t b = 1; b <= 4; ++b)
        for (std::uint32_t q = 0; q < 16; ++q) {
            const std::uint32_t e = glvq_mma_pair_e(b, q);
            const std::uint32_t off = glvq_mma_pair_offset(b, q);
            if (e < 1 || e + b > 10 || off + glvq_mma_low_bits(b) > 16)
                return false;
            if (!glvq_mma_pair_rotated(b, q) && off < glvq_mma_right_shift(b))
                return false;
        }
    std::uint32_t used = 0; // b = 3: sixteen distinct high-bit positions below bit 16
    for (std::uint32_t q = 0; q < 16; ++q) {
        if (glvq_mma_hi_position(q) >= 16 || (used >> glvq_mma_hi_position(q)) & 1u)
            return false;
        used |= 1u << glvq_mma_hi_position(q);
    }
    return true;
}
static_assert(glvq_mma_extraction_is_exact(), "every code must land at fp16 mantissa offset 1 .. 10 - b");

GLVQ_HD inline std::uint32_t glvq_mma_rotl(std::uint32_t w, std::uint32_t s)
{
    return s == 0 ? w : (w << s) | (w >> (32u - s));
}

// The fp16x2 bit pattern (1024 + u_lo·2^e, 1024 + u_hi·2^e) of pair q, from the lane's k-block words w[0..b).
// One rotate or shift per word (shared between pairs after unrolling), one LOP3; b = 3 adds a rotate and a
// LOP3 for the high bit.
GLVQ_HD inline std::uint32_t glvq_mma_pair_magic(std::uint32_t bits, std::uint32_t q, const std::uint32_t* w)
{
    const std::uint32_t e = glvq_mma_pair_e(bits, q);
    const std::uint32_t word = w[glvq_mma_pair_word(bits, q)];
    const std::uint32_t src = glvq_mma_pair_rotated(bits, q) ? glvq_mma_rotl(word, 1) : word >> glvq_mma_right_shift(bits);
    const std::uint32_t field = ((1u << glvq_mma_low_bits(bits)) - 1u) << e;
    std::uint32_t out = (src & (field | field << 16)) | 0x64006400u;
    if (bits == 3) {
        const std::uint32_t hiBit = 1u << (e + 2u);
        out |= glvq_mma_rotl(w[2], glvq_mma_hi_rotation(q / 4u)) & (hiBit | hiBit << 16);
    }
    return out;
}

// Constants of the fp16 FMA that turns the magic pattern into u − o: scale 2^-e, bias 1024·2^-e + o.
GLVQ_HD constexpr float glvq_mma_pair_scale(std::uint32_t bits, std::uint32_t q)
{
    return 1.0f / static_cast<float>(1u << glvq_mma_pair_e(bits, q));
}
GLVQ_HD constexpr float glvq_mma_pair_bias(std::uint32_t bits, std::uint32_t q)
{
    return 1024.0f * glvq_mma_pair_scale(bits, q) + static_cast<float>((1u << bits) - 1u) * 0.5f;
}

// Index of word `word` (< b) of lane `lane`'s run in block (group, tile, kb) of the layer's word array.
GLVQ_HD inline std::uint64_t glvq_mma_lane_word(const glvq_mma_group& G, std::uint64_t tile, std::uint32_t kb,
                                                std::uint32_t lane, std::uint32_t word)
{
    const std::uint64_t begin = G.word_begin + (tile * G.kblocks + kb) * 32u * G.bits;
    if (G.bits == 3 && word == 2)
        return begin + 64u + lane; // the high-bit plane
    return begin + static_cast<std::uint64_t>(lane) * (G.bits == 3 ? 2u : G.bits) + word;
}

// u − o of half h of pair q from the lane's words, through the kernel's extraction (exact in float).
GLVQ_HD inline float glvq_mma_pair_code(std::uint32_t bits, std::uint32_t q, std::uint32_t h, const std::uint32_t* w)
{
    const std::uint32_t magic = glvq_mma_pair_magic(bits, q, w);
    const float value = glvq_half_to_float(static_cast<std::uint16_t>(magic >> (16u * h)));
    return value * glvq_mma_pair_scale(bits, q) - glvq_mma_pair_bias(bits, q);
}

// ---- companded layers, d ∈ {1, 2, 4, 8}: V = Z B per 8-column chunk on mma.m16n8k8, then F⁻¹ per weight ----
// The same code layout serves them: k-step s holds two 8-column chunks, and pairs 4s + 2h (rows gid) and
// 4s + 2h + 1 (rows gid + 8) of chunk h are exactly the two A registers of an m16n8k8 (columns 2·tig + {0, 1}).
// B is the 8 × 8 block diagonal of 8/d copies of Gᵀ, so V holds G z of each of the chunk's 8/d sub-vectors:
// lane l holds B[2·tig + i][gid] in half i. The fp32 result V lands in the C registers: element i of lane l
// is row gid + 8·(i / 2), chunk column 2·tig + i mod 2.
GLVQ_HD constexpr std::uint32_t glvq_mma_chunk_pair(std::uint32_t kstep, std::uint32_t half, std::uint32_t reg)
{
    return 4u * kstep + 2u * half + reg;
}
// Index into G (d × d, row-major) of half i of lane l's B register, or −1 where B is zero (off the diagonal
// blocks): B[k][n] = G[n mod d][k mod d] when k and n lie in the same sub-vector (k / d = n / d). d must divide
// 8 (1, 2, 4 or 8); other d are not on this path (glvq_cuda_product_path).
GLVQ_HD constexpr std::int32_t glvq_mma_generator_entry(std::uint32_t lane, std::uint32_t i, std::uint32_t d)
{
    const std::uint32_t n = lane / 4u;
    const std::uint32_t k = 2u * (lane % 4u) + i;
    return k / d == n / d ? static_cast<std::int32_t>((n % d) * d + k % d) : -1;
}
GLVQ_HD constexpr std::uint32_t glvq_mma_result_row(std::uint32_t lane, std::uint32_t i) { return lane / 4u + 8u * (i / 2u); }
GLVQ_HD constexpr std::uint32_t glvq_mma_result_coordinate(std::uint32_t lane, std::uint32_t i)
{
    return 2u * (lane % 4u) + i % 2u;
}

// ---- host side (kernels/cpu/glvq_mma_layout.cpp) ----

struct glvq_mma_image {
    std::int64_t rows = 0;
    std::int64_t rows_pad = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::int32_t group_count = 0;
    std::uint32_t ksteps = 0;
    std::vector<std::uint32_t> words;
    std::vector<glvq_mma_group> groups;
    std::vector<float> generators;
    std::vector<float> row_scales;
};

// Builds the image of a packed layer (codes only: μ, G and the scales stay in the glvq_gpu_image of the same
// layer). Checks the layer (glvq_check_packed). Host memory about the size of the packed stream.
glvq_status glvq_mma_image_build(const glvq_packed_layer* layer, glvq_mma_image* image);

glvq_mma_view glvq_mma_image_view(const glvq_mma_image& image);

// Code u of (row, column) read back from the image through the kernel's extraction path (tests).
std::uint32_t glvq_mma_image_code(const glvq_mma_image& image, std::int64_t row, std::uint32_t column);
