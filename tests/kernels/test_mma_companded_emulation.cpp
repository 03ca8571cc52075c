// SPDX-License-Identifier: GPL-3.0-or-later
// The companded tensor-core path (kernels/cuda/glvq_gemm_mma_companded.cu) emulated on the host, warp by
// warp, with mma.m16n8k8 modelled from the PTX ISA's fragment tables rather than from glvq_mma_layout.h:
//   A (16 × 8, fp16): lane l, register r, half h holds row l/4 + 8r, column 2(l mod 4) + h;
//   B (8 × 8, fp16):  lane l, half h holds row (k) 2(l mod 4) + h, column (n) l/4;
// (B is the block diagonal of 8/d copies of Gᵀ for d ∈ {1, 2, 4, 8}: V = Z B is G z of each sub-vector)
//   C (16 × 8, fp32): lane l, element i holds row l/4 + 8(i/2), column 2(l mod 4) + i mod 2.
// The kernel's choices (which code pairs feed A, which G entries feed B, which x columns meet C) come from
// glvq_mma_layout.h; the emulation checks them against these tables and the whole product against the fp64
// reference, on machines without a GPU. test_cuda.cpp runs the kernel itself where a GPU exists.
#include "kernels/glvq_gpu_math.h"
#include "kernels/glvq_mma_layout.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

namespace kt = glvq::kernel_test;

namespace {

constexpr std::uint32_t kLanes = 32;

// A's (row, column within the k-block) of sub-vector (s, h) for lane l, register r, half e: what the kernel
// feeds the mma, from the code layout's own geometry.
std::pair<std::uint32_t, std::uint32_t> kernelAPosition(std::uint32_t lane, std::uint32_t s, std::uint32_t h,
                                                        std::uint32_t r, std::uint32_t e)
{
    const std::uint32_t q = glvq_mma_chunk_pair(s, h, r);
    return {glvq_mma_pair_row(lane, q), glvq_mma_pair_column(lane, q, e)};
}

TEST(MmaCompandedEmulation, KernelFragmentsFollowThePtxTables)
{
    for (std::uint32_t lane = 0; lane < kLanes; ++lane) {
        for (std::uint32_t s = 0; s < 4; ++s)
            for (std::uint32_t h = 0; h < 2; ++h)
                for (std::uint32_t r = 0; r < 2; ++r)
                    for (std::uint32_t e = 0; e < 2; ++e) {
                        const auto [row, column] = kernelAPosition(lane, s, h, r, e);
                        EXPECT_EQ(row, lane / 4 + 8 * r);
                        EXPECT_EQ(column, 16 * s + 8 * h + 2 * (lane % 4) + e) << "lane " << lane;
                    }
        for (std::uint32_t e = 0; e < 2; ++e) { // B[k][n] = G[n mod d][k mod d] inside a diagonal block, else 0
            const std::uint32_t k = 2 * (lane % 4) + e;
            const std::uint32_t n = lane / 4;
            EXPECT_EQ(glvq_mma_generator_entry(lane, e, 8), std::int32_t(n * 8 + k));
            EXPECT_EQ(glvq_mma_generator_entry(lane, e, 4), k / 4 == n / 4 ? std::int32_t((n % 4) * 4 + k % 4) : -1);
            EXPECT_EQ(glvq_mma_generator_entry(lane, e, 2), k / 2 == n / 2 ? std::int32_t((n % 2) * 2 + k % 2) : -1);
            EXPECT_EQ(glvq_mma_generator_entry(lane, e, 1), k == n ? 0 : -1);
        }
        for (std::uint32_t i = 0; i < 4; ++i) {
            EXPECT_EQ(glvq_mma_result_row(lane, i), lane / 4 + 8 * (i / 2));
            EXPECT_EQ(glvq_mma_result_coordinate(lane, i), 2 * (lane % 4) + i % 2);
        }
    }
}

// y = Ŵ x for a layer with d ∈ {1, 2, 4, 8}, computed as the kernel does: per warp tile and 8-column chunk,
// the lanes' A and B registers assembled into matrices by the PTX tables, C = A B (fp32 sums of exact
// products), then per lane F⁻¹ of its C elements times s_g x at the columns glvq_mma_result_coordinate names
// (none past the group's width), summed over the quad and scaled by the row scale.
std::vector<float> emulate(const glvq_mma_image& image, const glvq_gpu_image& side, const std::vector<float>& x,
                           int batch)
{
    const glvq_mma_view v = glvq_mma_image_view(image);
    std::vector<float> y(static_cast<std::size_t>(batch) * v.rows, 0.0f);
    for (std::int64_t tile = 0; tile < v.rows_pad / GLVQ_MMA_TILE_ROWS; ++tile) {
        std::vector<std::array<float, 2>> acc(kLanes * static_cast<std::size_t>(batch), {0.0f, 0.0f});
        for (std::int32_t g = 0; g < v.group_count; ++g) {
            const glvq_mma_group& grp = v.groups[g];
            const glvq_gpu_group& comp = side.groups[static_cast<std::size_t>(g)];
            const auto d = static_cast<std::uint32_t>(v.dim);
            const float* G = v.generators + static_cast<std::size_t>(g) * d * d;
            float B[8][8];
            for (std::uint32_t lane = 0; lane < kLanes; ++lane)
                for (std::uint32_t e = 0; e < 2; ++e) {
                    const std::int32_t entry = glvq_mma_generator_entry(lane, e, d);
                    B[2 * (lane % 4) + e][lane / 4] = entry >= 0 ? G[entry] : 0.0f;
                }
            for (std::uint32_t kb = 0; kb < grp.kblocks; ++kb) {
                std::uint32_t words[kLanes][4] = {};
                for (std::uint32_t lane = 0; lane < kLanes; ++lane)
                    for (std::uint32_t k = 0; k < glvq_mma_words_per_lane(grp.bits); ++k)
                        words[lane][k] = v.words[glvq_mma_lane_word(grp, static_cast<std::uint64_t>(tile), kb, lane, k)];
                for (std::uint32_t sub = 0; sub < GLVQ_MMA_KBLOCK / 8; ++sub) {
                    const std::uint32_t s = sub / 2;
                    const std::uint32_t h = sub % 2;
                    if (kb * GLVQ_MMA_KBLOCK + 8 * sub >= grp.columns)
                        continue; // padding: skipped, as in the kernel
                    float A[16][8];
                    for (std::uint32_t lane = 0; lane < kLanes; ++lane)
                        for (std::uint32_t r = 0; r < 2; ++r)
                            for (std::uint32_t e = 0; e < 2; ++e)
                                A[lane / 4 + 8 * r][2 * (lane % 4) + e] =
                                    glvq_mma_pair_code(grp.bits, glvq_mma_chunk_pair(s, h, r), e, words[lane]);
                    float C[16][8];
                    for (int i = 0; i < 16; ++i)
                        for (int n = 0; n < 8; ++n) {
                            double sum = 0.0; // exact products, one rounding: within the mma's fp32 sums
                            for (int k = 0; k < 8; ++k)
                                sum += static_cast<double>(A[i][k]) * B[k][n];
                            C[i][n] = static_cast<float>(sum);
                        }
                    for (std::uint32_t lane = 0; lane < kLanes; ++lane)
                        for (std::uint32_t i = 0; i < 4; ++i) {
                            const float value = C[lane / 4 + 8 * (i / 2)][2 * (lane % 4) + i % 2]; // PTX C table
                            const float w = glvq_gpu_expand(value, comp);
                            const std::uint32_t inGroup = kb * GLVQ_MMA_KBLOCK + 8 * sub + glvq_mma_result_coordinate(lane, i);
                            if (inGroup >= grp.columns)
                                continue; // padding of a chunk that straddles the group's end (d < 8)
                            const std::uint32_t column = grp.first_column + inGroup;
                            for (int t = 0; t < batch; ++t) {
                                const float xs = grp.scale * x[static_cast<std::size_t>(t) * v.cols + column];
                                auto& a = acc[lane * static_cast<std::size_t>(batch) + t][i / 2];
                                a = std::fma(w, xs, a);
                            }
                        }
                }
            }
        }
        for (std::uint32_t lane = 0; lane < kLanes; ++lane)
            for (std::uint32_t i = 0; i < 4; i += 2) {
                const std::int64_t row = tile * GLVQ_MMA_TILE_ROWS + glvq_mma_result_row(lane, i);
                if (row >= v.rows)
                    continue;
                for (int t = 0; t < batch; ++t)
                    y[static_cast<std::size_t>(t) * v.rows + row] +=
                        v.row_scales[row] * acc[lane * static_cast<std::size_t>(batch) + t][i / 2];
            }
    }
    return y;
}

TEST(MmaCompandedEmulation, ProductMatchesTheFp64Reference)
{
    std::uint64_t seed = 900;
    // Companded, mixed (every other group linear) and linear layers; odd row counts (padding rows), group
    // widths that are not multiples of 64 (padded k-blocks) and, for d < 8, not of 8 either (chunks that run
    // past the group's end into its padding), every bit width, with and without row scales.
    for (int companding : {1, 2, 0})
        for (const auto& spec : {kt::uniformSpec(37, 256, 128, {2, 3}, 8, companding, true, seed++),
                                 kt::uniformSpec(83, 8 * 45, 136, {3, 2, 1, 4, 2}, 8, companding, true, seed++),
                                 kt::uniformSpec(130, 8 * 47, 40, {3, 1, 4, 2, 2}, 8, companding, false, seed++),
                                 kt::uniformSpec(70, 4 * 45, 68, {2, 4, 3}, 4, companding, true, seed++),
                                 kt::uniformSpec(40, 2 * 61, 50, {1, 3, 2}, 2, companding, false, seed++),
                                 kt::uniformSpec(17, 45, 13, {4, 2, 3, 1}, 1, companding, true, seed++)})
            for (int batch : {1, 3}) {
                const auto layer = kt::makeLayer(spec);
                const auto view = layer.view();
                glvq_mma_image image;
                glvq_gpu_image side;
                ASSERT_EQ(glvq_mma_image_build(&view, &image), GLVQ_OK) << glvq_last_error();
                ASSERT_EQ(glvq_gpu_image_build(&view, &side), GLVQ_OK) << glvq_last_error();
                const auto x = kt::randomActivations(static_cast<std::size_t>(batch) * layer.cols, spec.seed + 5);
                const auto ref = kt::productFp64(kt::decodeFp64(layer), layer.rows, layer.cols, x, batch);
                const auto y = emulate(image, side, x, batch);
                // exp2f(t) − 1 instead of expm1f, as in the general path (test_gpu_emulation.cpp)
                EXPECT_LT(kt::relativeError(y.data(), ref), companding ? 1e-4 : 1e-6)
                    << "companding=" << companding << " d=" << spec.dim << " rows=" << spec.rows << " batch=" << batch;
                EXPECT_LT(kt::maxRelativeError(y.data(), ref), companding ? 1e-4 : 1e-6)
                    << "worst output; companding=" << companding << " rows=" << spec.rows << " batch=" << batch;
            }
}

} // namespace
