// SPDX-License-Identifier: GPL-3.0-or-later
// Fused decode + GEMV / GEMM on the GPU: the public entry points, one path per layer (glvq_cuda_product_path).
// Linear layers (every μ = 0) run on tensor cores (glvq_gemm_mma.cu: x̂ = Gᵀx, then integer codes × x̂);
// companded layers with d ∈ {1, 2, 4, 8} (d = 8 with learned μ is the default configuration) also run on tensor
// cores (glvq_gemm_mma_companded.cu: V = Z Gᵀ, then one exp2 per weight); companded layers with d = 16 or 32
// run the general kernel (glvq_gemm_general.cu: v = G z on the CUDA cores).
#include "kernels/cuda/glvq_cuda_check.cuh"
#include "kernels/cuda/glvq_gpu_layer.cuh"

#include <algorithm>
#include <string>

glvq_status glvq_gemm_cuda(const glvq_gpu_layer* layer, const float* x, std::int32_t batch, float* y,
                           glvq_stream stream)
{
    if (!layer || !x || !y || batch < 1)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_gemm_cuda: need a layer, x, y and batch >= 1");
    if (layer->path == GLVQ_CUDA_PATH_UNSUPPORTED)
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
        if (layer->path == GLVQ_CUDA_PATH_TENSOR_LINEAR) {
            s = glvq_mma_product(layer, xs, slice, ys, stream);
        } else {
            GLVQ_CUDA_CHECK(cudaMemsetAsync(ys, 0, static_cast<std::size_t>(slice) * rows * sizeof(float), stream));
            const bool tensorCores = layer->path == GLVQ_CUDA_PATH_TENSOR_COMPANDED;
            s = tensorCores ? glvq_mma_companded_product(layer, xs, slice, ys, stream)
                            : glvq_general_product(layer, xs, slice, ys, stream);
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
