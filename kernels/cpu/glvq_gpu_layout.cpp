// SPDX-License-Identifier: GPL-3.0-or-later
// Host-side builder of the interleaved GPU layout (glvq_gpu_layout.h). Plain C++ so that it is compiled and
// tested on machines without CUDA; kernels/cuda only uploads the result.
#include "kernels/glvq_fail.h"
#include "kernels/glvq_gpu_layout.h"

#include <cmath>
#include <new>
#include <string>

glvq_status glvq_gpu_image_build(const glvq_packed_layer* layer, glvq_gpu_image* image)
{
    if (!image)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "gpu image: null output");
    if (const glvq_status s = glvq_check_packed(layer); s != GLVQ_OK)
        return s;
    const glvq_packed_layer& L = *layer;
    glvq_gpu_image& I = *image;
    I = glvq_gpu_image {};
    I.rows = L.rows;
    I.rows_pad = (L.rows + GLVQ_GPU_ROW_TILE - 1) / GLVQ_GPU_ROW_TILE * GLVQ_GPU_ROW_TILE;
    I.cols = L.cols;
    I.dim = L.dim;
    I.group_count = L.group_count;
    const std::uint64_t dd = static_cast<std::uint64_t>(L.dim) * static_cast<std::uint64_t>(L.dim);
    try {
        I.groups.resize(static_cast<std::size_t>(L.group_count));
        std::uint64_t wordColumns = 0;
        for (std::int32_t g = 0; g < L.group_count; ++g) {
            glvq_gpu_group& G = I.groups[static_cast<std::size_t>(g)];
            const std::uint32_t bits = L.bits[g];
            const std::uint32_t cpw = glvq_gpu_codes_per_word(bits);
            G = glvq_gpu_group {};
            G.word_column_begin = static_cast<std::uint32_t>(wordColumns);
            G.word_columns = (L.columns[g] + cpw - 1) / cpw;
            G.first_column = L.first_column[g];
            G.columns = L.columns[g];
            G.bits = bits;
            G.scale = glvq_half_to_float(L.scale[g]);
            G.mu = glvq_half_to_float(L.mu[g]);
            if (G.mu != 0.0f) {
                G.log2_rho = static_cast<float>(std::log2(1.0 + static_cast<double>(G.mu)));
                G.inv_mu = static_cast<float>(1.0 / static_cast<double>(G.mu));
                I.all_linear = false;
            }
            wordColumns += G.word_columns;
            if (wordColumns > 0xffffffffull)
                return glvq_fail(GLVQ_ERR_UNSUPPORTED, "gpu image: more than 2^32 word columns");
        }
        I.word_columns = static_cast<std::uint32_t>(wordColumns);

        I.generators.resize(static_cast<std::size_t>(L.group_count) * dd);
        for (std::size_t e = 0; e < I.generators.size(); ++e)
            I.generators[e] = glvq_half_to_float(L.generators[e]);
        I.row_scales.assign(static_cast<std::size_t>(I.rows_pad), 0.0f);
        for (std::int64_t i = 0; i < L.rows; ++i)
            I.row_scales[static_cast<std::size_t>(i)] = L.row_scales ? glvq_half_to_float(L.row_scales[i]) : 1.0f;
        I.subvector_group.resize(static_cast<std::size_t>(L.cols / L.dim));
        for (std::int32_t g = 0; g < L.group_count; ++g)
            for (std::uint32_t k = 0; k < L.columns[g] / static_cast<std::uint32_t>(L.dim); ++k)
                I.subvector_group[L.first_column[g] / static_cast<std::uint32_t>(L.dim) + k] = static_cast<std::uint32_t>(g);

        // Codes: repack every packed row into cpw-per-word columns. Padding rows and codes stay zero; the
        // general kernel never reads padding codes (it loops over the group's sub-vectors).
        I.words.assign(static_cast<std::size_t>(wordColumns) * static_cast<std::size_t>(I.rows_pad), 0u);
        for (std::int32_t g = 0; g < L.group_count; ++g) {
            const glvq_gpu_group& G = I.groups[static_cast<std::size_t>(g)];
            const std::uint32_t cpw = glvq_gpu_codes_per_word(G.bits);
            const std::uint32_t rowWords = glvq_row_words(G.columns, G.bits);
            for (std::int64_t i = 0; i < L.rows; ++i) {
                const std::uint32_t* in = L.words + L.word_offsets[g] + static_cast<std::uint64_t>(i) * rowWords;
                for (std::uint32_t j = 0; j < G.columns; ++j) {
                    const std::uint32_t u = glvq_code_at(in, j, G.bits);
                    const std::size_t index = (static_cast<std::size_t>(G.word_column_begin) + j / cpw)
                                                  * static_cast<std::size_t>(I.rows_pad)
                                              + static_cast<std::size_t>(i);
                    I.words[index] |= u << ((j % cpw) * G.bits);
                }
            }
        }
    } catch (const std::bad_alloc&) {
        I = glvq_gpu_image {};
        return glvq_fail(GLVQ_ERR_OUT_OF_MEMORY, "gpu image: out of host memory");
    }
    return GLVQ_OK;
}

glvq_gpu_view glvq_gpu_image_view(const glvq_gpu_image& image)
{
    glvq_gpu_view v;
    v.words = image.words.data();
    v.groups = image.groups.data();
    v.generators = image.generators.data();
    v.row_scales = image.row_scales.data();
    v.subvector_group = image.subvector_group.data();
    v.rows = image.rows;
    v.rows_pad = image.rows_pad;
    v.cols = image.cols;
    v.dim = image.dim;
    v.group_count = image.group_count;
    v.word_columns = image.word_columns;
    return v;
}
