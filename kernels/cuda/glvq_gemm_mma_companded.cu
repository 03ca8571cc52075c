// SPDX-License-Identifier: GPL-3.0-or-later
// Fused decode + GEMV / GEMM for companded layers with d ∈ {1, 2, 4, 8}, on tensor cores. The codes use the
// linear path's layout and extraction (glvq_mma_layout.h); per tile of 16 rows and chunk of 8 columns:
//   1. V = Z B is one mma.m16n8k8, B the block diagonal of 8/d copies of Gᵀ (Gᵀ itself at d = 8): Z = u − o
//      (half-integers) and G (stored as fp16) are exact in fp16 and the products exact; the tensor cores'
//      fp32 sums are not IEEE-rounded, so V may differ from the CPU's v = G z by a few ulp of the largest
//      product, which F⁻¹'s slope amplifies (far below the 1e-3 contract);
//   2. each lane expands its 4 values of V, ŵ/(r s) = F⁻¹(v) with one exp2 each (identity in μ = 0 groups),
//      and adds ŵ/(r s) · (s_g x) into fp32 accumulators on the CUDA cores.
// A weight then costs half a LOP3 and half an HFMA2 (codes), 1/128 of an mma, ~4 FP32 instructions and one
// MUFU.EX2, whose rate (16 per SM and clock) is the floor of this path, against d + 8 instructions on the
// CUDA cores for the general kernel (glvq_gemm_general.cu), which serves d = 16 and 32.
// Partial sums meet in y (zeroed by the caller) through atomicAdd: the last bits of y may differ between runs.
#include "kernels/cuda/glvq_cuda_check.cuh"
#include "kernels/cuda/glvq_gpu_layer.cuh"
#include "kernels/cuda/glvq_mma_device.cuh"
#include "kernels/glvq_mma_layout.h"

#include <cuda_fp16.h>

#include <utility>

namespace {

using namespace glvq_mma_device;

constexpr int kBlock = 128;
constexpr int kWarpsPerBlock = kBlock / 32;

// Row tiles per warp: fewer for larger batches, whose accumulators and activations take the registers.
template <int NB>
constexpr int kTilesPerWarp = NB >= 8 ? 1 : NB >= 2 ? 2 : 4;

// What a k-block's chunks share: the group's B fragment, compander and activation rows.
template <int NB>
struct UnitInputs {
    std::uint32_t magic;
    std::uint32_t generator; // fp16x2 (B[2 tig][gid], B[2 tig + 1][gid]), glvq_mma_generator_entry
    float log2_rho;          // F⁻¹(v) = sign(v) (2^{|v| log2 ρ} − 1) / μ
    float inv_mu;
    float scale;                       // s_g
    const float* x;                    // row 0 of x at the lane's first column of the k-block (2 tig)
    std::uint32_t cols;                // row stride of x
    std::uint32_t last_row;            // batch − 1: rows t ≥ batch re-read it (their sums are not stored)
    std::uint32_t lane_column;         // 2 tig: the lane's first column within a chunk
    std::uint32_t columns_left;        // group columns from the k-block's start (a multiple of d)
};

// F⁻¹(v) as glvq_gpu_expand, in 4 instructions: FMUL (|v| is an operand modifier), MUFU.EX2 with flush to
// zero (exp2f adds a denormal fix-up; the argument is ≥ 0 and the result ≥ 1, so nothing is lost), one FFMA
// for e/μ − 1/μ (no worse than rounding e − 1 first, which is exact for e ≤ 2 anyway) and a LOP3 for the sign.
__device__ __forceinline__ float expand(float v, float log2Rho, float invMu)
{
    float e;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(e) : "f"(fabsf(v) * log2Rho));
    return copysignf(fmaf(e, invMu, -invMu), v);
}

// Offset of batch row t in x; rows t ≥ batch re-read the last row (their sums are never stored).
template <int NB>
__device__ __forceinline__ std::uint64_t rowOffset(int t, const UnitInputs<NB>& in)
{
    return static_cast<std::uint64_t>(min(static_cast<std::uint32_t>(t), in.last_row)) * in.cols;
}

// Chunk 2S + H of the k-block (columns 16 S + 8 H .. + 7) for the warp's MT tiles.
template <int B, int S, int H, int MT, int NB, bool Companded>
__device__ __forceinline__ void chunk(const std::uint32_t (&w)[MT][4], const UnitInputs<NB>& in,
                                      float (&acc)[MT][NB][2])
{
    constexpr std::uint32_t first = 16 * S + 8 * H;
    if (first >= in.columns_left) // padding of the group's last k-block: zero codes would not decode to zero
        return;
    float xs[NB][2];
    if (first + 8 <= in.columns_left) { // the whole chunk is in the group (always when the width is a multiple of 8)
#pragma unroll
        for (int t = 0; t < NB; ++t) {
            const float* xt = in.x + rowOffset(t, in);
            xs[t][0] = in.scale * __ldg(xt + first);
            xs[t][1] = in.scale * __ldg(xt + first + 1);
        }
    } else { // d < 8 and a width that is not a multiple of 8: x = 0 on the padding (never read past the group).
        // The padding's V is G (−o), a legal code vector's value, so F⁻¹ of it is finite and meets x = 0 as 0.
        // (Compiled into every instantiation as a runtime branch: as a template parameter, ptxas 13 spilled at
        // batch 1.)
        const std::uint32_t inside = in.columns_left - first;
#pragma unroll
        for (int t = 0; t < NB; ++t) {
            const float* xt = in.x + rowOffset(t, in);
#pragma unroll
            for (int i = 0; i < 2; ++i)
                xs[t][i] = in.lane_column + i < inside ? in.scale * __ldg(xt + first + i) : 0.0f;
        }
    }
#pragma unroll
    for (int m = 0; m < MT; ++m) {
        float v[4];
        mma1688(v, pairValue<B, glvq_mma_chunk_pair(S, H, 0)>(w[m], in.magic),
                pairValue<B, glvq_mma_chunk_pair(S, H, 1)>(w[m], in.magic), in.generator);
        if constexpr (Companded) {
#pragma unroll
            for (int i = 0; i < 4; ++i)
                v[i] = expand(v[i], in.log2_rho, in.inv_mu);
        }
        // v[i]: row gid + 8 (i / 2), chunk column 2 tig + i mod 2 (glvq_mma_result_row / _coordinate).
#pragma unroll
        for (int t = 0; t < NB; ++t) {
            acc[m][t][0] = fmaf(v[1], xs[t][1], fmaf(v[0], xs[t][0], acc[m][t][0]));
            acc[m][t][1] = fmaf(v[3], xs[t][1], fmaf(v[2], xs[t][0], acc[m][t][1]));
        }
    }
}

template <int B, int MT, int NB, bool Companded, int... SH>
__device__ __forceinline__ void unitProduct(const std::uint32_t (&w)[MT][4], const UnitInputs<NB>& in,
                                            float (&acc)[MT][NB][2], std::integer_sequence<int, SH...>)
{
    (chunk<B, SH / 2, SH % 2, MT, NB, Companded>(w, in, acc), ...);
}

template <int MT, int NB>
__device__ __forceinline__ void unitProduct(std::uint32_t bits, bool companded, const std::uint32_t (&w)[MT][4],
                                            const UnitInputs<NB>& in, float (&acc)[MT][NB][2])
{
    constexpr auto chunks = std::make_integer_sequence<int, GLVQ_MMA_KBLOCK / 8>();
    if (companded) {
        switch (bits) { // uniform across the warp
        case 1: unitProduct<1, MT, NB, true>(w, in, acc, chunks); break;
        case 2: unitProduct<2, MT, NB, true>(w, in, acc, chunks); break;
        case 3: unitProduct<3, MT, NB, true>(w, in, acc, chunks); break;
        default: unitProduct<4, MT, NB, true>(w, in, acc, chunks); break;
        }
    } else {
        switch (bits) {
        case 1: unitProduct<1, MT, NB, false>(w, in, acc, chunks); break;
        case 2: unitProduct<2, MT, NB, false>(w, in, acc, chunks); break;
        case 3: unitProduct<3, MT, NB, false>(w, in, acc, chunks); break;
        default: unitProduct<4, MT, NB, false>(w, in, acc, chunks); break;
        }
    }
}

// One warp = MT row tiles of 16 × a chunk of groups, as the linear kernel (glvq_gemm_mma.cu).
template <int NB>
__global__ void __launch_bounds__(kBlock)
    glvq_mma_companded_kernel(glvq_mma_view v, const glvq_gpu_group* __restrict__ side, const float* __restrict__ x,
                              int batch, std::uint32_t row_blocks, std::uint32_t groups_per_chunk, std::uint32_t magic,
                              float* __restrict__ y)
{
    constexpr int MT = kTilesPerWarp<NB>;
    __shared__ uint4 stages[kWarpsPerBlock][kStages][MT][32];
    const WarpShare<MT> share(v, kWarpsPerBlock, row_blocks, groups_per_chunk);
    CodeRing<MT> ring = share.ring(v, stages[threadIdx.x / 32]);
    ring.prime();

    float acc[MT][NB][2] = {};
    int stage = 0;
    const std::uint32_t d = static_cast<std::uint32_t>(v.dim);
    UnitInputs<NB> in;
    in.magic = magic;
    in.lane_column = 2 * (share.lane % 4);
    in.cols = static_cast<std::uint32_t>(v.cols);
    in.last_row = static_cast<std::uint32_t>(batch - 1);
    for (std::uint32_t g = static_cast<std::uint32_t>(share.group_begin); g < share.group_end; ++g) {
        const glvq_mma_group grp = v.groups[g];
        const glvq_gpu_group companding = side[g];
        const float* G = v.generators + static_cast<std::uint64_t>(g) * d * d;
        // fp16x2 of two B entries, the lower row in the low half (exact: G is stored as fp16).
        const std::int32_t eLow = glvq_mma_generator_entry(share.lane, 0, d);
        const std::int32_t eHigh = glvq_mma_generator_entry(share.lane, 1, d);
        const __half gLow = __float2half_rn(eLow >= 0 ? __ldg(G + eLow) : 0.0f);
        const __half gHigh = __float2half_rn(eHigh >= 0 ? __ldg(G + eHigh) : 0.0f);
        in.generator = static_cast<std::uint32_t>(__half_as_ushort(gLow))
                       | (static_cast<std::uint32_t>(__half_as_ushort(gHigh)) << 16);
        in.log2_rho = companding.log2_rho;
        in.inv_mu = companding.inv_mu;
        in.scale = grp.scale;
        const bool companded = companding.mu != 0.0f;
        for (std::uint32_t kb = 0; kb < grp.kblocks; ++kb) {
            ring.produce((stage + kStages - 1) % kStages);
            in.x = x + grp.first_column + kb * GLVQ_MMA_KBLOCK + in.lane_column;
            in.columns_left = grp.columns - kb * GLVQ_MMA_KBLOCK;
            std::uint32_t w[MT][4];
            ring.consume(stage, w);
            unitProduct<MT, NB>(grp.bits, companded, w, in, acc);
            stage = (stage + 1) % kStages;
        }
    }
    waitCopies<0>(); // nothing outstanding when the warp retires

    // The 4 lanes of a quad hold partial sums of the same two rows: add them up, then lane tig stores the
    // batch rows t ≡ tig (mod 4).
    const bool hasWork = !share.empty(v);
#pragma unroll
    for (int m = 0; m < MT; ++m)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const std::int64_t row = share.row(m, h);
            const float rowScale = row < v.rows ? __ldg(v.row_scales + row) : 0.0f;
#pragma unroll
            for (int t = 0; t < NB; ++t) {
                float sum = acc[m][t][h];
                sum += __shfl_xor_sync(0xffffffffu, sum, 1);
                sum += __shfl_xor_sync(0xffffffffu, sum, 2);
                if (hasWork && row < v.rows && t < batch && share.lane % 4 == t % 4)
                    atomicAdd(y + static_cast<std::int64_t>(t) * v.rows + row, rowScale * sum);
            }
        }
}

template <int NB>
glvq_status launch(const glvq_gpu_layer* L, const float* x, int batch, float* y, cudaStream_t stream)
{
    constexpr int MT = kTilesPerWarp<NB>;
    static const int blocksPerSm = residentBlocksPerSm(glvq_mma_companded_kernel<NB>, kBlock);
    const std::uint64_t resident = static_cast<std::uint64_t>(L->sm_count) * blocksPerSm * kWarpsPerBlock;
    const glvq_work_split s = glvq_split_work(L->mma.rows_pad, MT * GLVQ_MMA_TILE_ROWS, L->mma.group_count,
                                              kWarpsPerBlock, resident);
    glvq_mma_companded_kernel<NB><<<static_cast<unsigned>(s.blocks), kBlock, 0, stream>>>(
        L->mma, L->view.groups, x, batch, s.row_tiles, s.groups_per_chunk, kFp16Magic, y);
    GLVQ_CUDA_CHECK_LAUNCH();
    return GLVQ_OK;
}

} // namespace

glvq_status glvq_mma_companded_product(const glvq_gpu_layer* layer, const float* x, std::int32_t batch, float* y,
                                       cudaStream_t stream)
{
    if (layer->path != GLVQ_CUDA_PATH_TENSOR_COMPANDED)
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, "companded tensor-core product: d must be 1, 2, 4 or 8");
    switch (glvq_batch_tile(batch)) {
    case 1: return launch<1>(layer, x, batch, y, stream);
    case 2: return launch<2>(layer, x, batch, y, stream);
    case 4: return launch<4>(layer, x, batch, y, stream);
    case 8: return launch<8>(layer, x, batch, y, stream);
    default: return launch<16>(layer, x, batch, y, stream);
    }
}
