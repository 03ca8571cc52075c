// SPDX-License-Identifier: GPL-3.0-or-later
// The tensor-core layout (glvq_mma_layout.h) on the host: every code of a layer comes back through the
// kernel's own extraction path (rotate/shift, LOP3 into an fp16 mantissa) at the position the PTX fragment
// order gives it, and the fp16 constants turn the magic pattern into u − o exactly.
#include "kernels/glvq_cuda.h"
#include "kernels/glvq_half.h"
#include "kernels/glvq_mma_layout.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace kt = glvq::kernel_test;

namespace {

TEST(MmaLayout, FragmentPositionsCoverEachKblockOnce)
{
    // 32 lanes × 16 pairs × 2 halves = 16 rows × 64 columns, each exactly once.
    std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
    for (std::uint32_t lane = 0; lane < 32; ++lane)
        for (std::uint32_t q = 0; q < 16; ++q)
            for (std::uint32_t h = 0; h < 2; ++h) {
                const auto pos = std::make_pair(glvq_mma_pair_row(lane, q), glvq_mma_pair_column(lane, q, h));
                EXPECT_LT(pos.first, 16u);
                EXPECT_LT(pos.second, 64u);
                EXPECT_TRUE(seen.insert(pos).second) << "lane " << lane << " pair " << q << " half " << h;
            }
    EXPECT_EQ(seen.size(), 16u * 64u);
}

TEST(MmaLayout, MagicPatternMinusBiasIsTheCenteredCodeExactly)
{
    std::mt19937 rng(11);
    for (std::uint32_t bits = 1; bits <= 4; ++bits)
        for (int trial = 0; trial < 500; ++trial) {
            std::uint32_t w[4];
            for (std::uint32_t& word : w)
                word = static_cast<std::uint32_t>(rng());
            for (std::uint32_t q = 0; q < 16; ++q) {
                const std::uint32_t magic = glvq_mma_pair_magic(bits, q, w);
                for (std::uint32_t h = 0; h < 2; ++h) {
                    const float value = glvq_half_to_float(static_cast<std::uint16_t>(magic >> (16 * h)));
                    // What the kernel's fp16 FMA computes, in float (exact: the result is a small half-integer).
                    const float z = value * glvq_mma_pair_scale(bits, q) - glvq_mma_pair_bias(bits, q);
                    const std::uint32_t off = glvq_mma_pair_offset(bits, q) + 16 * h;
                    std::uint32_t u = (w[glvq_mma_pair_word(bits, q)] >> off) & ((1u << glvq_mma_low_bits(bits)) - 1u);
                    if (bits == 3)
                        u |= ((w[2] >> (glvq_mma_hi_position(q) + 16 * h)) & 1u) << 2;
                    ASSERT_EQ(z, static_cast<float>(u) - static_cast<float>((1u << bits) - 1u) * 0.5f)
                        << bits << " bits, pair " << q << ", half " << h;
                    ASSERT_TRUE(glvq_is_half_value(glvq_mma_pair_bias(bits, q))) << bits << " bits, pair " << q;
                }
            }
        }
}

TEST(MmaLayout, ImageHoldsEveryCodeAtItsFragmentPosition)
{
    // Odd row count (padding rows), group widths that are not multiples of 64 (padded k-blocks), all widths;
    // companded groups (the d = 8 companded kernel reads the same layout).
    for (int companding : {0, 1}) {
        const auto layer = kt::makeLayer(kt::uniformSpec(83, 8 * 45, 136, {3, 2, 1, 4, 2}, 8, companding, true, 31));
        const auto view = layer.view();
        glvq_mma_image image;
        ASSERT_EQ(glvq_mma_image_build(&view, &image), GLVQ_OK) << glvq_last_error();
        EXPECT_EQ(image.rows_pad, 128);
        std::uint64_t words = 0;
        for (const glvq_mma_group& G : image.groups) {
            EXPECT_EQ(G.word_begin, words);
            EXPECT_EQ(G.kblocks, (G.columns + 63) / 64);
            words += static_cast<std::uint64_t>(image.rows_pad / 16) * G.kblocks * 32 * G.bits;
        }
        EXPECT_EQ(image.words.size(), words);
        for (std::int64_t i = 0; i < layer.rows; ++i)
            for (std::uint32_t j = 0; j < layer.cols; ++j)
                ASSERT_EQ(glvq_mma_image_code(image, i, j), layer.codes[static_cast<std::size_t>(i * layer.cols + j)])
                    << "row " << i << " column " << j;
        EXPECT_EQ(image.row_scales[82], glvq_half_to_float(layer.rowScales[82]));
        EXPECT_EQ(image.row_scales[83], 0.0f); // padding row
    }
}

TEST(CudaPath, FollowsCompandingAndDimension)
{
    // What glvq_gpu_layer_create will run, known without a GPU (glvq inspect reports it).
    for (int d : {1, 2, 3, 4, 8, 16, 32, 64})
        EXPECT_EQ(glvq_cuda_product_path(d, true), GLVQ_CUDA_PATH_TENSOR_LINEAR) << "d=" << d;
    for (int d : {1, 2, 4, 8})
        EXPECT_EQ(glvq_cuda_product_path(d, false), GLVQ_CUDA_PATH_TENSOR_COMPANDED) << "d=" << d;
    for (int d : {16, 32})
        EXPECT_EQ(glvq_cuda_product_path(d, false), GLVQ_CUDA_PATH_GENERAL) << "d=" << d;
    for (int d : {3, 5, 6, 7, 64})
        EXPECT_EQ(glvq_cuda_product_path(d, false), GLVQ_CUDA_PATH_UNSUPPORTED) << "d=" << d;
    EXPECT_STREQ(glvq_cuda_path_name(GLVQ_CUDA_PATH_TENSOR_COMPANDED), "tensor-core companded");
}

} // namespace
