// SPDX-License-Identifier: GPL-3.0-or-later
// Fused decode + GEMV / GEMM on the GPU. Linear layers (every μ = 0), the default configuration:
//   1. glvq_xhat_kernel: x̂ = s_g · Gᵀ x_k per sub-vector, scaled per slot (≈ cols · d FMAs, negligible),
//      and zeroes y;
//   2. glvq_linear_kernel: one warp = 128 rows × a chunk of groups; each thread streams the code words of 4
//      rows (coalesced 128-byte lines), turns each code into (u − o)·2^e with LOP3 + FADD and accumulates
//      with one FFMA per weight and batch row; partial sums meet in y with atomicAdd (so the last bits of y
//      may differ between runs; the order of the atomics is not fixed).
// Companded layers go to the general kernel (glvq_gemm_general.cu): v = G z and one exp2 per weight.
#include "kernels/cuda/glvq_cuda_check.cuh"
#include "kernels/cuda/glvq_gpu_layer.cuh"
#include "kernels/glvq_gpu_math.h"

#include <algorithm>
#include <string>

namespace {

constexpr int kBlock = 128; // 4 warps; the kernels use no shared memory, so small blocks schedule freely
constexpr int kWarpsPerBlock = kBlock / GLVQ_GPU_WARP;

// x̂ for NB batch rows (rows ≥ batch are zero, so the linear kernel can run a padded batch tile) and y = 0.
__global__ void __launch_bounds__(kBlock) glvq_xhat_kernel(glvq_gpu_view v, const float* __restrict__ x,
                                                           int batch, int nb, float* __restrict__ xhat,
                                                           float* __restrict__ y)
{
    const std::uint64_t xhatCount = static_cast<std::uint64_t>(nb) * v.slots;
    const std::uint64_t total = xhatCount + static_cast<std::uint64_t>(batch) * static_cast<std::uint64_t>(v.rows);
    const std::uint64_t step = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    for (std::uint64_t idx = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
         idx += step) {
        if (idx < xhatCount) {
            const int t = static_cast<int>(idx / v.slots);
            const std::uint32_t slot = static_cast<std::uint32_t>(idx % v.slots);
            xhat[idx] = t < batch ? glvq_gpu_xhat_value(v, x + static_cast<std::int64_t>(t) * v.cols, slot) : 0.0f;
        } else {
            y[idx - xhatCount] = 0.0f;
        }
    }
}

template <int NB>
__global__ void __launch_bounds__(kBlock) glvq_linear_kernel(glvq_gpu_view v, const float* __restrict__ xhat,
                                                             int batch, std::uint32_t row_tiles,
                                                             std::uint32_t groups_per_chunk, float* __restrict__ y)
{
    // Two word columns in flight per iteration for GEMV (memory-bound); one for GEMM, whose larger body
    // would otherwise blow the instruction cache and the register budget.
    constexpr int WPI = NB == 1 ? 2 : 1;
    constexpr int R = GLVQ_GPU_ROWS_PER_THREAD;
    const std::uint64_t warp = (static_cast<std::uint64_t>(blockIdx.x) * kBlock + threadIdx.x) / GLVQ_GPU_WARP;
    const int lane = static_cast<int>(threadIdx.x % GLVQ_GPU_WARP);
    // Row tile varies fastest: neighbouring warps read the same activation slots (L1/L2 hits).
    const std::uint32_t tile = static_cast<std::uint32_t>(warp % row_tiles);
    const std::uint64_t g0 = (warp / row_tiles) * groups_per_chunk;
    if (g0 >= static_cast<std::uint64_t>(v.group_count))
        return; // whole warp: no shuffles or barriers below
    const std::uint64_t end = g0 + groups_per_chunk;
    const std::uint32_t g1 = static_cast<std::uint32_t>(
        end < static_cast<std::uint64_t>(v.group_count) ? end : static_cast<std::uint64_t>(v.group_count));
    const std::int64_t row0 = static_cast<std::int64_t>(tile) * GLVQ_GPU_ROW_TILE + lane;
    float acc[R][NB];
#pragma unroll
    for (int r = 0; r < R; ++r)
#pragma unroll
        for (int t = 0; t < NB; ++t)
            acc[r][t] = 0.0f;
    for (std::uint32_t g = static_cast<std::uint32_t>(g0); g < g1; ++g) {
        const glvq_gpu_group grp = v.groups[g];
        switch (grp.bits) { // uniform across the warp
        case 1: glvq_gpu_linear_group<1, NB, WPI>(v, grp, row0, xhat, acc); break;
        case 2: glvq_gpu_linear_group<2, NB, WPI>(v, grp, row0, xhat, acc); break;
        case 3: glvq_gpu_linear_group<3, NB, WPI>(v, grp, row0, xhat, acc); break;
        default: glvq_gpu_linear_group<4, NB, WPI>(v, grp, row0, xhat, acc); break;
        }
    }
#pragma unroll
    for (int r = 0; r < R; ++r) {
        const std::int64_t row = row0 + r * GLVQ_GPU_WARP;
        if (row >= v.rows)
            continue;
        const float rowScale = __ldg(v.row_scales + row);
#pragma unroll
        for (int t = 0; t < NB; ++t)
            if (t < batch)
                atomicAdd(y + static_cast<std::int64_t>(t) * v.rows + row, rowScale * acc[r][t]);
    }
}

template <int NB>
glvq_status launchLinear(const glvq_gpu_layer* L, int batch, float* y, cudaStream_t stream)
{
    const glvq_work_split s = glvq_split_work(L->view.rows, GLVQ_GPU_ROW_TILE, L->view.group_count, L->sm_count,
                                              kWarpsPerBlock);
    glvq_linear_kernel<NB><<<static_cast<unsigned>(s.blocks), kBlock, 0, stream>>>(L->view, L->xhat, batch,
                                                                                   s.row_tiles, s.groups_per_chunk, y);
    GLVQ_CUDA_CHECK_LAUNCH();
    return GLVQ_OK;
}

glvq_status linearProduct(const glvq_gpu_layer* L, const float* x, int batch, float* y, cudaStream_t stream)
{
    const int nb = glvq_batch_tile(batch);
    const std::uint64_t work = static_cast<std::uint64_t>(nb) * L->view.slots
                               + static_cast<std::uint64_t>(batch) * static_cast<std::uint64_t>(L->view.rows);
    const std::uint64_t blocks = std::min<std::uint64_t>((work + kBlock - 1) / kBlock,
                                                         static_cast<std::uint64_t>(L->sm_count) * 16u);
    glvq_xhat_kernel<<<static_cast<unsigned>(std::max<std::uint64_t>(blocks, 1)), kBlock, 0, stream>>>(
        L->view, x, batch, nb, L->xhat, y);
    GLVQ_CUDA_CHECK_LAUNCH();
    switch (nb) {
    case 1: return launchLinear<1>(L, batch, y, stream);
    case 2: return launchLinear<2>(L, batch, y, stream);
    case 4: return launchLinear<4>(L, batch, y, stream);
    case 8: return launchLinear<8>(L, batch, y, stream);
    default: return launchLinear<16>(L, batch, y, stream);
    }
}

} // namespace

glvq_status glvq_gemm_cuda(const glvq_gpu_layer* layer, const float* x, std::int32_t batch, float* y,
                           glvq_stream stream)
{
    if (!layer || !x || !y || batch < 1)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_gemm_cuda: need a layer, x, y and batch >= 1");
    if (!layer->all_linear && !glvq_cuda_dim_supported(layer->view.dim))
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, "glvq_gemm_cuda: companded layer with d=" + std::to_string(layer->view.dim)
                                                   + " (CUDA handles d = 1, 2, 4, 8, 16, 32)");
    int device = -1;
    GLVQ_CUDA_CHECK(cudaGetDevice(&device));
    if (device != layer->device)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_gemm_cuda: the layer lives on device "
                                                        + std::to_string(layer->device) + ", the current device is "
                                                        + std::to_string(device));
    const std::int64_t rows = layer->view.rows;
    const std::int64_t cols = layer->view.cols;
    for (std::int32_t t0 = 0; t0 < batch; t0 += GLVQ_GPU_MAX_BATCH) {
        const int slice = std::min<std::int32_t>(GLVQ_GPU_MAX_BATCH, batch - t0);
        const float* xs = x + static_cast<std::int64_t>(t0) * cols;
        float* ys = y + static_cast<std::int64_t>(t0) * rows;
        glvq_status s = GLVQ_OK;
        if (layer->all_linear) {
            s = linearProduct(layer, xs, slice, ys, stream);
        } else {
            GLVQ_CUDA_CHECK(cudaMemsetAsync(ys, 0, static_cast<std::size_t>(slice) * rows * sizeof(float), stream));
            s = glvq_general_product(layer, xs, slice, ys, stream);
        }
        if (s != GLVQ_OK)
            return s;
    }
    return GLVQ_OK;
}

glvq_status glvq_gemv_cuda(const glvq_gpu_layer* layer, const float* x, float* y, glvq_stream stream)
{
    return glvq_gemm_cuda(layer, x, 1, y, stream);
}
