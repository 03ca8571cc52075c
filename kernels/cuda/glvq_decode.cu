// SPDX-License-Identifier: GPL-3.0-or-later
// Dense decode on the GPU. Layers with word columns (companded, d = 16 or 32): one thread per (row,
// sub-vector); layers whose codes live in the tensor-core layout only (linear, or companded with d ∈ {1, 2, 4,
// 8}): unpack z = u − o, then r · s · F⁻¹(G z) in place. Neighbouring threads
// take neighbouring sub-vectors of one row, so the d-float runs they write form contiguous lines. Not on the inference path
// (GEMV/GEMM never materialise Ŵ); used for export, dequantisation and checks.
#include "kernels/cuda/glvq_cuda_check.cuh"
#include "kernels/cuda/glvq_gpu_layer.cuh"
#include "kernels/glvq_gpu_math.h"
#include "kernels/glvq_mma_layout.h"

#include <algorithm>
#include <string>

namespace {

constexpr int kBlock = 256;

template <int D>
__global__ void __launch_bounds__(kBlock) glvq_decode_kernel(glvq_gpu_view v, float* __restrict__ out)
{
    const std::uint64_t subcolumns = static_cast<std::uint64_t>(v.cols) / D;
    const std::uint64_t total = subcolumns * static_cast<std::uint64_t>(v.rows);
    const std::uint64_t step = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    for (std::uint64_t idx = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
         idx += step) {
        const std::int64_t row = static_cast<std::int64_t>(idx / subcolumns);
        const std::uint32_t sc = static_cast<std::uint32_t>(idx % subcolumns);
        const std::uint32_t g = __ldg(v.subvector_group + sc);
        const glvq_gpu_group grp = v.groups[g];
        float z[D];
        glvq_gpu_gather<D>(v, grp, row, sc - grp.first_column / D, z);
        const float* G = v.generators + static_cast<std::uint64_t>(g) * (D * D);
        const float scale = __ldg(v.row_scales + row) * grp.scale; // r · s, as the CPU decoder
        float* dst = out + row * v.cols + static_cast<std::int64_t>(sc) * D;
#pragma unroll
        for (int a = 0; a < D; ++a) {
            float s = 0.0f;
#pragma unroll
            for (int b = 0; b < D; ++b)
                s = fmaf(__ldg(G + a * D + b), z[b], s);
            dst[a] = scale * glvq_gpu_expand(s, grp);
        }
    }
}

// Tensor-core layout. Pass 1: z = u − o of every code into out, one thread per (tile, k-block, lane) as the
// GEMV kernels read them.
__global__ void __launch_bounds__(kBlock) glvq_mma_unpack_kernel(glvq_mma_view v, float* __restrict__ out)
{
    const std::uint64_t tiles = static_cast<std::uint64_t>(v.rows_pad) / GLVQ_MMA_TILE_ROWS;
    const std::uint32_t kblocks = v.ksteps / (GLVQ_MMA_KBLOCK / GLVQ_MMA_KSTEP);
    const std::uint64_t total = tiles * kblocks * 32u;
    const std::uint64_t step = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    for (std::uint64_t idx = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
         idx += step) {
        const std::uint32_t lane = static_cast<std::uint32_t>(idx % 32u);
        const std::uint32_t K = static_cast<std::uint32_t>((idx / 32u) % kblocks);
        const std::uint64_t tile = idx / 32u / kblocks;
        std::int32_t lo = 0; // group of global k-block K (groups sorted by kstep_begin)
        std::int32_t hi = v.group_count - 1;
        while (lo < hi) {
            const std::int32_t mid = (lo + hi + 1) / 2;
            if (v.groups[mid].kstep_begin <= 4u * K)
                lo = mid;
            else
                hi = mid - 1;
        }
        const glvq_mma_group grp = v.groups[lo];
        const std::uint32_t kb = K - grp.kstep_begin / 4u;
        std::uint32_t w[4] = {};
        for (std::uint32_t k = 0; k < glvq_mma_words_per_lane(grp.bits); ++k)
            w[k] = v.words[glvq_mma_lane_word(grp, tile, kb, lane, k)];
        for (std::uint32_t q = 0; q < 16; ++q) {
            const std::int64_t row = static_cast<std::int64_t>(tile * GLVQ_MMA_TILE_ROWS + glvq_mma_pair_row(lane, q));
            if (row >= v.rows)
                continue;
            for (std::uint32_t h = 0; h < 2; ++h) {
                const std::uint32_t col = kb * GLVQ_MMA_KBLOCK + glvq_mma_pair_column(lane, q, h);
                if (col < grp.columns)
                    out[row * v.cols + grp.first_column + col] = glvq_mma_pair_code(grp.bits, q, h, w);
            }
        }
    }
}

// Pass 2, in place: each (row, sub-vector) becomes r · s · F⁻¹(G z) (identity where μ = 0).
template <int D>
__global__ void __launch_bounds__(kBlock) glvq_mma_decode_kernel(glvq_gpu_view v, float* __restrict__ out)
{
    const std::uint64_t subcolumns = static_cast<std::uint64_t>(v.cols) / D;
    const std::uint64_t total = subcolumns * static_cast<std::uint64_t>(v.rows);
    const std::uint64_t step = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    for (std::uint64_t idx = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
         idx += step) {
        const std::int64_t row = static_cast<std::int64_t>(idx / subcolumns);
        const std::uint32_t sc = static_cast<std::uint32_t>(idx % subcolumns);
        const std::uint32_t g = __ldg(v.subvector_group + sc);
        float* dst = out + row * v.cols + static_cast<std::int64_t>(sc) * D;
        float z[D];
#pragma unroll
        for (int b = 0; b < D; ++b)
            z[b] = dst[b];
        const float* G = v.generators + static_cast<std::uint64_t>(g) * (D * D);
        const glvq_gpu_group grp = v.groups[g];
        const float scale = __ldg(v.row_scales + row) * grp.scale;
#pragma unroll
        for (int a = 0; a < D; ++a) {
            float s = 0.0f;
#pragma unroll
            for (int b = 0; b < D; ++b)
                s = fmaf(__ldg(G + a * D + b), z[b], s);
            dst[a] = scale * glvq_gpu_expand(s, grp);
        }
    }
}

unsigned gridFor(const glvq_gpu_layer* L, std::uint64_t work)
{
    const std::uint64_t blocks = std::min<std::uint64_t>((work + kBlock - 1) / kBlock,
                                                         static_cast<std::uint64_t>(L->sm_count) * 32u);
    return static_cast<unsigned>(std::max<std::uint64_t>(blocks, 1));
}

template <int D>
glvq_status launch(const glvq_gpu_layer* L, float* out, cudaStream_t stream)
{
    const std::uint64_t total = static_cast<std::uint64_t>(L->view.cols / D) * static_cast<std::uint64_t>(L->view.rows);
    if (L->mma_codes()) {
        const std::uint64_t units = static_cast<std::uint64_t>(L->mma.rows_pad / GLVQ_MMA_TILE_ROWS) * (L->mma.ksteps / 4) * 32u;
        glvq_mma_unpack_kernel<<<gridFor(L, units), kBlock, 0, stream>>>(L->mma, out);
        GLVQ_CUDA_CHECK_LAUNCH();
        glvq_mma_decode_kernel<D><<<gridFor(L, total), kBlock, 0, stream>>>(L->view, out);
    } else if constexpr (D == 16 || D == 32) { // word columns: the general path's layers only
        glvq_decode_kernel<D><<<gridFor(L, total), kBlock, 0, stream>>>(L->view, out);
    } else {
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, "glvq_decode_cuda: no word columns for d < 16");
    }
    GLVQ_CUDA_CHECK_LAUNCH();
    return GLVQ_OK;
}

} // namespace

glvq_status glvq_decode_cuda(const glvq_gpu_layer* layer, float* out, glvq_stream stream)
{
    if (!layer || !out)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_decode_cuda: need a layer and an output");
    int device = -1;
    GLVQ_CUDA_CHECK(cudaGetDevice(&device));
    if (device != layer->device)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_decode_cuda: the layer lives on device "
                                                        + std::to_string(layer->device) + ", the current device is "
                                                        + std::to_string(device));
    switch (layer->view.dim) {
    case 1: return launch<1>(layer, out, stream);
    case 2: return launch<2>(layer, out, stream);
    case 4: return launch<4>(layer, out, stream);
    case 8: return launch<8>(layer, out, stream);
    case 16: return launch<16>(layer, out, stream);
    case 32: return launch<32>(layer, out, stream);
    default:
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, "glvq_decode_cuda: d=" + std::to_string(layer->view.dim)
                                                   + " (CUDA handles d = 1, 2, 4, 8, 16, 32)");
    }
}
