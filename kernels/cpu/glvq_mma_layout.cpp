// SPDX-License-Identifier: GPL-3.0-or-later
// Host-side builder of the tensor-core layout (glvq_mma_layout.h). Plain C++: compiled and tested on
// machines without CUDA; kernels/cuda only uploads the result.
#include "kernels/glvq_fail.h"
#include "kernels/glvq_half.h"
#include "kernels/glvq_mma_layout.h"

#include <new>
#include <string>

namespace {

constexpr std::uint32_t kLanes = 32;
constexpr std::uint32_t kPairs = 16; // per lane and k-block

// Writes code u of half h of pair q into the lane's words.
void placeCode(std::vector<std::uint32_t>& words, const glvq_mma_group& G, std::uint64_t tile, std::uint32_t kb,
               std::uint32_t lane, std::uint32_t q, std::uint32_t h, std::uint32_t u)
{
    const std::uint32_t lowBits = glvq_mma_low_bits(G.bits);
    const std::uint32_t low = u & ((1u << lowBits) - 1u);
    words[glvq_mma_lane_word(G, tile, kb, lane, glvq_mma_pair_word(G.bits, q))] |= low << (glvq_mma_pair_offset(G.bits, q) + 16u * h);
    if (G.bits == 3)
        words[glvq_mma_lane_word(G, tile, kb, lane, 2)] |= (u >> 2) << (glvq_mma_hi_position(q) + 16u * h);
}

} // namespace

glvq_status glvq_mma_image_build(const glvq_packed_layer* layer, glvq_mma_image* image)
{
    if (!image)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "mma image: null output");
    if (const glvq_status s = glvq_check_packed(layer); s != GLVQ_OK)
        return s;
    const glvq_packed_layer& L = *layer;
    glvq_mma_image& I = *image;
    I = glvq_mma_image {};
    I.rows = L.rows;
    I.rows_pad = (L.rows + GLVQ_MMA_ROW_ALIGN - 1) / GLVQ_MMA_ROW_ALIGN * GLVQ_MMA_ROW_ALIGN;
    I.cols = L.cols;
    I.dim = L.dim;
    I.group_count = L.group_count;
    const std::uint64_t tiles = static_cast<std::uint64_t>(I.rows_pad) / GLVQ_MMA_TILE_ROWS;
    const std::uint64_t dd = static_cast<std::uint64_t>(L.dim) * static_cast<std::uint64_t>(L.dim);
    try {
        I.groups.resize(static_cast<std::size_t>(L.group_count));
        std::uint64_t words = 0;
        std::uint64_t ksteps = 0;
        for (std::int32_t g = 0; g < L.group_count; ++g) {
            glvq_mma_group& G = I.groups[static_cast<std::size_t>(g)];
            G = glvq_mma_group {};
            G.word_begin = words;
            G.kblocks = (L.columns[g] + GLVQ_MMA_KBLOCK - 1) / GLVQ_MMA_KBLOCK;
            G.kstep_begin = static_cast<std::uint32_t>(ksteps);
            G.bits = L.bits[g];
            G.first_column = L.first_column[g];
            G.columns = L.columns[g];
            G.scale = glvq_half_to_float(L.scale[g]);
            const std::uint64_t groupWords = tiles * G.kblocks * kLanes * G.bits;
            if (groupWords > 0xffffffffull) // the kernel indexes inside a group with 32-bit offsets
                return glvq_fail(GLVQ_ERR_UNSUPPORTED, "mma image: group " + std::to_string(g) + " has 2^32 code words or more");
            words += groupWords;
            ksteps += static_cast<std::uint64_t>(G.kblocks) * (GLVQ_MMA_KBLOCK / GLVQ_MMA_KSTEP);
            if (ksteps > 0xffffffffull)
                return glvq_fail(GLVQ_ERR_UNSUPPORTED, "mma image: more than 2^32 k-steps");
        }
        I.ksteps = static_cast<std::uint32_t>(ksteps);
        I.generators.resize(static_cast<std::size_t>(L.group_count) * dd);
        for (std::size_t e = 0; e < I.generators.size(); ++e)
            I.generators[e] = glvq_half_to_float(L.generators[e]);
        I.row_scales.assign(static_cast<std::size_t>(I.rows_pad), 0.0f);
        for (std::int64_t i = 0; i < L.rows; ++i)
            I.row_scales[static_cast<std::size_t>(i)] = L.row_scales ? glvq_half_to_float(L.row_scales[i]) : 1.0f;

        // Padding rows and columns keep code 0: their activations are zero (columns) or their sums are
        // dropped (rows), so Z = 0 − o never reaches y.
        I.words.assign(static_cast<std::size_t>(words), 0u);
        for (std::int32_t g = 0; g < L.group_count; ++g) {
            const glvq_mma_group& G = I.groups[static_cast<std::size_t>(g)];
            const std::uint32_t rowWords = glvq_row_words(G.columns, G.bits);
            for (std::uint64_t tile = 0; tile < tiles; ++tile)
                for (std::uint32_t kb = 0; kb < G.kblocks; ++kb)
                    for (std::uint32_t lane = 0; lane < kLanes; ++lane)
                        for (std::uint32_t q = 0; q < kPairs; ++q) {
                            const std::int64_t i = static_cast<std::int64_t>(tile * GLVQ_MMA_TILE_ROWS + glvq_mma_pair_row(lane, q));
                            if (i >= L.rows)
                                continue;
                            const std::uint32_t* in = L.words + L.word_offsets[g] + static_cast<std::uint64_t>(i) * rowWords;
                            for (std::uint32_t h = 0; h < 2; ++h) {
                                const std::uint32_t j = kb * GLVQ_MMA_KBLOCK + glvq_mma_pair_column(lane, q, h);
                                if (j < G.columns)
                                    placeCode(I.words, G, tile, kb, lane, q, h, glvq_code_at(in, j, G.bits));
                            }
                        }
        }
    } catch (const std::bad_alloc&) {
        I = glvq_mma_image {};
        return glvq_fail(GLVQ_ERR_OUT_OF_MEMORY, "mma image: out of host memory");
    }
    return GLVQ_OK;
}

glvq_mma_view glvq_mma_image_view(const glvq_mma_image& image)
{
    glvq_mma_view v;
    v.words = image.words.data();
    v.groups = image.groups.data();
    v.generators = image.generators.data();
    v.row_scales = image.row_scales.data();
    v.rows = image.rows;
    v.rows_pad = image.rows_pad;
    v.cols = image.cols;
    v.dim = image.dim;
    v.group_count = image.group_count;
    v.ksteps = image.ksteps;
    return v;
}

std::uint32_t glvq_mma_image_code(const glvq_mma_image& image, std::int64_t row, std::uint32_t column)
{
    std::int32_t g = 0;
    while (g + 1 < image.group_count && image.groups[static_cast<std::size_t>(g + 1)].first_column <= column)
        ++g;
    const glvq_mma_group& G = image.groups[static_cast<std::size_t>(g)];
    const std::uint32_t j = column - G.first_column;
    const std::uint32_t kb = j / GLVQ_MMA_KBLOCK;
    const std::uint32_t local = j % GLVQ_MMA_KBLOCK;
    const std::uint64_t tile = static_cast<std::uint64_t>(row) / GLVQ_MMA_TILE_ROWS;
    const std::uint32_t r = static_cast<std::uint32_t>(row % GLVQ_MMA_TILE_ROWS);
    for (std::uint32_t lane = 0; lane < kLanes; ++lane)
        for (std::uint32_t q = 0; q < kPairs; ++q)
            for (std::uint32_t h = 0; h < 2; ++h) {
                if (glvq_mma_pair_row(lane, q) != r || glvq_mma_pair_column(lane, q, h) != local)
                    continue;
                std::uint32_t w[4] = {};
                for (std::uint32_t k = 0; k < glvq_mma_words_per_lane(G.bits); ++k)
                    w[k] = image.words[glvq_mma_lane_word(G, tile, kb, lane, k)];
                const float z = glvq_mma_pair_code(G.bits, q, h, w); // the kernel's path: magic, then the fp16 FMA
                return static_cast<std::uint32_t>(z + static_cast<float>((1u << G.bits) - 1u) * 0.5f);
            }
    return 0xffffffffu; // unreachable for valid (row, column)
}
