// SPDX-License-Identifier: GPL-3.0-or-later
// General fused decode + GEMV/GEMM for companded layers with d = 16 or 32 (smaller d run on tensor cores,
// glvq_gemm_mma_companded.cu): any mix of companded (μ > 0) and linear groups. One warp = 32 rows (one
// per lane) × a chunk of groups; per group the warp stages G in shared memory (every lane reads the same
// entry: broadcast, no bank conflicts), then each lane decodes its row sub-vector by sub-vector:
// z from the code words, v = G z (d FMAs per weight on CUDA cores), F⁻¹ with one exp2, × x.
// This path is compute-bound (≈ d + 8 instructions per weight); docs/kernels.md has the tensor-core plan.
#include "kernels/cuda/glvq_cuda_check.cuh"
#include "kernels/cuda/glvq_gpu_layer.cuh"
#include "kernels/glvq_gpu_math.h"

#include <algorithm>

namespace {

constexpr int kBlock = 128;
constexpr int kWarpsPerBlock = kBlock / GLVQ_GPU_WARP;

template <int D, int NB>
__global__ void __launch_bounds__(kBlock) glvq_general_kernel(glvq_gpu_view v, const float* __restrict__ x,
                                                              int batch, std::uint32_t row_tiles,
                                                              std::uint32_t groups_per_chunk, float* __restrict__ y)
{
    __shared__ float generators[kWarpsPerBlock][D * D];
    const int lane = static_cast<int>(threadIdx.x % GLVQ_GPU_WARP);
    float* G = generators[threadIdx.x / GLVQ_GPU_WARP];
    const std::uint64_t warp = (static_cast<std::uint64_t>(blockIdx.x) * kBlock + threadIdx.x) / GLVQ_GPU_WARP;
    const std::uint32_t tile = static_cast<std::uint32_t>(warp % row_tiles);
    const std::uint64_t g0 = (warp / row_tiles) * groups_per_chunk;
    if (g0 >= static_cast<std::uint64_t>(v.group_count))
        return; // whole warp; only warp-level syncs below
    const std::uint64_t end = g0 + groups_per_chunk;
    const std::uint32_t g1 = static_cast<std::uint32_t>(
        end < static_cast<std::uint64_t>(v.group_count) ? end : static_cast<std::uint64_t>(v.group_count));
    // Rows of the last tile beyond `rows` still lie inside rows_pad (zero codes): computed, never stored.
    const std::int64_t row = static_cast<std::int64_t>(tile) * GLVQ_GPU_WARP + lane;
    float acc[NB];
#pragma unroll
    for (int t = 0; t < NB; ++t)
        acc[t] = 0.0f;
    for (std::uint32_t g = static_cast<std::uint32_t>(g0); g < g1; ++g) {
        const glvq_gpu_group grp = v.groups[g];
        __syncwarp(); // every lane is done with the previous group's G
        for (int e = lane; e < D * D; e += GLVQ_GPU_WARP)
            G[e] = __ldg(v.generators + static_cast<std::uint64_t>(g) * (D * D) + e);
        __syncwarp();
        glvq_gpu_general_group<D, NB>(v, grp, G, row, x, batch, acc);
    }
    if (row >= v.rows)
        return;
    const float rowScale = __ldg(v.row_scales + row);
#pragma unroll
    for (int t = 0; t < NB; ++t)
        if (t < batch)
            atomicAdd(y + static_cast<std::int64_t>(t) * v.rows + row, rowScale * acc[t]);
}

template <int D, int NB>
glvq_status launch(const glvq_gpu_layer* L, const float* x, int batch, float* y, cudaStream_t stream)
{
    // Compute-bound: about 32 warps per SM is plenty (exact occupancy matters little here).
    const glvq_work_split s = glvq_split_work(L->view.rows, GLVQ_GPU_WARP, L->view.group_count, kWarpsPerBlock,
                                              static_cast<std::uint64_t>(L->sm_count) * 32u);
    glvq_general_kernel<D, NB><<<static_cast<unsigned>(s.blocks), kBlock, 0, stream>>>(
        L->view, x, batch, s.row_tiles, s.groups_per_chunk, y);
    GLVQ_CUDA_CHECK_LAUNCH();
    return GLVQ_OK;
}

template <int D>
glvq_status launchForBatch(const glvq_gpu_layer* L, const float* x, int batch, float* y, cudaStream_t stream)
{
    switch (glvq_batch_tile(batch)) {
    case 1: return launch<D, 1>(L, x, batch, y, stream);
    case 2: return launch<D, 2>(L, x, batch, y, stream);
    case 4: return launch<D, 4>(L, x, batch, y, stream);
    case 8: return launch<D, 8>(L, x, batch, y, stream);
    default: return launch<D, 16>(L, x, batch, y, stream);
    }
}

} // namespace

glvq_status glvq_general_product(const glvq_gpu_layer* layer, const float* x, std::int32_t batch, float* y,
                                 cudaStream_t stream)
{
    // Only layers on this path have word columns (glvq_cuda_product_path: companded, d = 16 or 32).
    if (layer->path != GLVQ_CUDA_PATH_GENERAL)
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, "general product: the layer is not on the general path");
    return layer->view.dim == 16 ? launchForBatch<16>(layer, x, batch, y, stream)
                                 : launchForBatch<32>(layer, x, batch, y, stream);
}
