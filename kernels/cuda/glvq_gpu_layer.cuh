// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to kernels/cuda: what a glvq_gpu_layer holds, and the launchers the public entry points share.
#include "kernels/glvq_cuda.h"
#include "kernels/glvq_gpu_layout.h"
#include "kernels/glvq_mma_layout.h"

#include <cuda_runtime.h>

struct glvq_gpu_layer {
    glvq_gpu_view view;          // device pointers into the allocations below
    glvq_cuda_path path = GLVQ_CUDA_PATH_TENSOR_LINEAR; // glvq_cuda_product_path(dim, every μ = 0)
    int device = 0;
    int sm_count = 1;
    // Tensor-core layout of the codes on both tensor-core paths (glvq_mma_layout.h); generators and row scales are shared
    // with `view`, and so is μ (view.groups). Linear layers only: xfrag, ksteps × GLVQ_MMA_MAX_NTILES × 32
    // uint2 activation fragments, and fscale, 16 × groups.
    glvq_mma_view mma;
    uint2* xfrag = nullptr;
    float* fscale = nullptr;
    void* allocations[9] = {};   // words, groups, generators, row scales, sub-vector map, mma words,
                                 // mma groups, xfrag, fscale
    std::uint64_t code_bytes = 0;
    std::uint64_t side_bytes = 0;
    std::uint64_t workspace_bytes = 0;

    bool all_linear() const { return path == GLVQ_CUDA_PATH_TENSOR_LINEAR; }
    // Codes in the tensor-core layout only (no word columns): both tensor-core paths.
    bool mma_codes() const { return all_linear() || path == GLVQ_CUDA_PATH_TENSOR_COMPANDED; }
};

// How a product's rows and groups are cut into warp work units: one warp = rows_per_warp rows (a tile) ×
// a contiguous chunk of groups; partial sums meet in y through atomicAdd.
struct glvq_work_split {
    std::uint32_t row_tiles = 1;
    std::uint32_t groups_per_chunk = 1;
    std::uint32_t chunks = 1;
    std::uint64_t blocks = 1;
};
// resident_warps: how many warps of the kernel the GPU holds at once; the split stays within it when the rows
// allow, so the launch is one full wave (a partial second wave would run at a fraction of the occupancy).
glvq_work_split glvq_split_work(std::int64_t rows, int rows_per_warp, std::int32_t groups, int warps_per_block,
                                std::uint64_t resident_warps);

// Largest power of two ≥ batch among 1, 2, 4, 8, 16: the batch tile the kernels are instantiated for.
int glvq_batch_tile(std::int32_t batch);

// General (companding) path for one slice of ≤ 16 batch rows; y must already be zero. glvq_gemm_general.cu.
glvq_status glvq_general_product(const glvq_gpu_layer* layer, const float* x, std::int32_t batch, float* y,
                                 cudaStream_t stream);

// Tensor-core product of an all-linear layer for one slice of ≤ 16 batch rows (writes all of y).
// glvq_gemm_mma.cu.
glvq_status glvq_mma_product(const glvq_gpu_layer* layer, const float* x, std::int32_t batch, float* y,
                             cudaStream_t stream);

// Tensor-core product of a companded layer with d ∈ {1, 2, 4, 8} for one slice of ≤ 16 batch rows; y must
// already be zero. glvq_gemm_mma_companded.cu.
glvq_status glvq_mma_companded_product(const glvq_gpu_layer* layer, const float* x, std::int32_t batch, float* y,
                                       cudaStream_t stream);

