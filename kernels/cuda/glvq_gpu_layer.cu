// SPDX-License-Identifier: GPL-3.0-or-later
// glvq_gpu_layer lifetime, device-memory helpers and the CUDA error recorder.
#include "kernels/cuda/glvq_cuda_check.cuh"
#include "kernels/cuda/glvq_gpu_layer.cuh"

#include <algorithm>
#include <new>
#include <string>
#include <vector>

glvq_status glvq_cuda_fail(cudaError_t error, const char* call, const char* file, int line)
{
    std::string where = file;
    const auto slash = where.find_last_of('/');
    if (slash != std::string::npos)
        where = where.substr(slash + 1);
    const std::string detail = std::string(cudaGetErrorName(error)) + ": " + cudaGetErrorString(error) + " in "
                               + call + " at " + where + ":" + std::to_string(line);
    cudaGetLastError(); // clear a non-sticky error so the next call starts clean
    switch (error) {
    case cudaErrorMemoryAllocation: return glvq_fail(GLVQ_ERR_OUT_OF_MEMORY, detail);
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver: return glvq_fail(GLVQ_ERR_NO_CUDA, detail);
    default: return glvq_fail(GLVQ_ERR_CUDA, detail);
    }
}

glvq_work_split glvq_split_work(std::int64_t rows, int rows_per_warp, std::int32_t groups, int warps_per_block,
                                std::uint64_t resident_warps)
{
    glvq_work_split s;
    s.row_tiles = static_cast<std::uint32_t>((rows + rows_per_warp - 1) / rows_per_warp);
    // As many group chunks per row tile as fit in one wave (at least one): each warp then streams whole
    // groups between its atomics, and no warp waits for a second wave.
    std::uint64_t chunks = std::max<std::uint64_t>(resident_warps / s.row_tiles, 1);
    chunks = std::min<std::uint64_t>(chunks, static_cast<std::uint64_t>(groups));
    s.groups_per_chunk = static_cast<std::uint32_t>((static_cast<std::uint64_t>(groups) + chunks - 1) / chunks);
    s.chunks = static_cast<std::uint32_t>((static_cast<std::uint64_t>(groups) + s.groups_per_chunk - 1)
                                          / s.groups_per_chunk);
    const std::uint64_t warps = static_cast<std::uint64_t>(s.row_tiles) * s.chunks;
    s.blocks = (warps + warps_per_block - 1) / warps_per_block;
    return s;
}

int glvq_batch_tile(std::int32_t batch)
{
    int tile = 1;
    while (tile < batch && tile < GLVQ_GPU_MAX_BATCH)
        tile *= 2;
    return tile;
}

namespace {

template <typename T>
glvq_status uploadVector(glvq_gpu_layer* L, int slot, const std::vector<T>& host, const T** device)
{
    const std::size_t bytes = host.size() * sizeof(T);
    GLVQ_CUDA_CHECK(cudaMalloc(&L->allocations[slot], std::max<std::size_t>(bytes, 16)));
    if (bytes > 0)
        GLVQ_CUDA_CHECK(cudaMemcpy(L->allocations[slot], host.data(), bytes, cudaMemcpyHostToDevice));
    *device = static_cast<const T*>(L->allocations[slot]);
    return GLVQ_OK;
}

glvq_status fill(glvq_gpu_layer* L, const glvq_gpu_image& I, const glvq_packed_layer* host)
{
    GLVQ_CUDA_CHECK(cudaGetDevice(&L->device));
    GLVQ_CUDA_CHECK(cudaDeviceGetAttribute(&L->sm_count, cudaDevAttrMultiProcessorCount, L->device));
    glvq_gpu_view& v = L->view;
    v = glvq_gpu_image_view(I); // scalars; pointers replaced below
    glvq_status s = GLVQ_OK;
    // Layers on either tensor-core path stream codes only from the tensor-core layout (uploaded below): no
    // word-column copy.
    L->path = glvq_cuda_product_path(I.dim, I.all_linear);
    static const std::vector<std::uint32_t> noWords;
    if ((s = uploadVector(L, 0, L->mma_codes() ? noWords : I.words, &v.words)) != GLVQ_OK
        || (s = uploadVector(L, 1, I.groups, &v.groups)) != GLVQ_OK
        || (s = uploadVector(L, 2, I.generators, &v.generators)) != GLVQ_OK
        || (s = uploadVector(L, 3, I.row_scales, &v.row_scales)) != GLVQ_OK
        || (s = uploadVector(L, 4, I.subvector_group, &v.subvector_group)) != GLVQ_OK)
        return s;
    L->code_bytes = I.words.size() * sizeof(std::uint32_t);
    if (L->mma_codes()) {
        glvq_mma_image M;
        if ((s = glvq_mma_image_build(host, &M)) != GLVQ_OK)
            return s;
        L->mma = glvq_mma_image_view(M);
        if ((s = uploadVector(L, 5, M.words, &L->mma.words)) != GLVQ_OK
            || (s = uploadVector(L, 6, M.groups, &L->mma.groups)) != GLVQ_OK)
            return s;
        L->mma.generators = v.generators;
        L->mma.row_scales = v.row_scales;
        // What a product streams: the tensor-core copy of the codes.
        L->code_bytes = M.words.size() * sizeof(std::uint32_t);
    }
    if (L->all_linear()) {
        const glvq_mma_view& M = L->mma;
        const std::uint64_t fragBytes = static_cast<std::uint64_t>(M.ksteps) * GLVQ_MMA_MAX_NTILES * 32 * sizeof(uint2);
        const std::uint64_t scaleBytes = static_cast<std::uint64_t>(GLVQ_MMA_MAX_NTILES) * 4 * M.group_count * sizeof(float);
        GLVQ_CUDA_CHECK(cudaMalloc(&L->allocations[7], std::max<std::uint64_t>(fragBytes, 16)));
        GLVQ_CUDA_CHECK(cudaMalloc(&L->allocations[8], std::max<std::uint64_t>(scaleBytes, 16)));
        L->xfrag = static_cast<uint2*>(L->allocations[7]);
        L->fscale = static_cast<float*>(L->allocations[8]);
        L->workspace_bytes = fragBytes + scaleBytes;
    }
    L->side_bytes = I.groups.size() * sizeof(glvq_gpu_group) + I.generators.size() * sizeof(float)
                    + I.row_scales.size() * sizeof(float) + I.subvector_group.size() * sizeof(std::uint32_t);
    return GLVQ_OK;
}

} // namespace

glvq_status glvq_gpu_layer_create(const glvq_packed_layer* host_layer, glvq_gpu_layer** out)
{
    if (!out)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_gpu_layer_create: null output");
    *out = nullptr;
    glvq_gpu_image image;
    if (const glvq_status s = glvq_gpu_image_build(host_layer, &image); s != GLVQ_OK)
        return s;
    auto* layer = new (std::nothrow) glvq_gpu_layer;
    if (!layer)
        return glvq_fail(GLVQ_ERR_OUT_OF_MEMORY, "glvq_gpu_layer_create: out of host memory");
    if (const glvq_status s = fill(layer, image, host_layer); s != GLVQ_OK) {
        glvq_gpu_layer_destroy(layer);
        return s;
    }
    *out = layer;
    return GLVQ_OK;
}

void glvq_gpu_layer_destroy(glvq_gpu_layer* layer)
{
    if (!layer)
        return;
    for (void* p : layer->allocations)
        if (p)
            cudaFree(p); // nothing useful to do with a failure while tearing down
    delete layer;
}

glvq_status glvq_gpu_layer_get_info(const glvq_gpu_layer* layer, glvq_gpu_layer_info* info)
{
    if (!layer || !info)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_gpu_layer_get_info: null argument");
    info->rows = layer->view.rows;
    info->cols = layer->view.cols;
    info->dim = layer->view.dim;
    info->group_count = layer->view.group_count;
    info->all_linear = layer->all_linear();
    info->path = layer->path;
    info->code_bytes = layer->code_bytes;
    info->side_bytes = layer->side_bytes;
    info->workspace_bytes = layer->workspace_bytes;
    info->activation_slots = layer->all_linear() ? layer->mma.ksteps * GLVQ_MMA_KSTEP : 0;
    return GLVQ_OK;
}

glvq_status glvq_cuda_malloc(void** ptr, std::size_t bytes)
{
    if (!ptr)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_cuda_malloc: null output");
    *ptr = nullptr;
    GLVQ_CUDA_CHECK(cudaMalloc(ptr, std::max<std::size_t>(bytes, 1)));
    return GLVQ_OK;
}

glvq_status glvq_cuda_free(void* ptr)
{
    if (ptr)
        GLVQ_CUDA_CHECK(cudaFree(ptr));
    return GLVQ_OK;
}

glvq_status glvq_cuda_upload(void* device_dst, const void* host_src, std::size_t bytes)
{
    GLVQ_CUDA_CHECK(cudaMemcpy(device_dst, host_src, bytes, cudaMemcpyHostToDevice));
    return GLVQ_OK;
}

glvq_status glvq_cuda_download(void* host_dst, const void* device_src, std::size_t bytes)
{
    GLVQ_CUDA_CHECK(cudaMemcpy(host_dst, device_src, bytes, cudaMemcpyDeviceToHost));
    return GLVQ_OK;
}

glvq_status glvq_cuda_memset_async(void* device_ptr, int value, std::size_t bytes, glvq_stream stream)
{
    GLVQ_CUDA_CHECK(cudaMemsetAsync(device_ptr, value, bytes, stream));
    return GLVQ_OK;
}

glvq_status glvq_cuda_synchronize(glvq_stream stream)
{
    GLVQ_CUDA_CHECK(cudaStreamSynchronize(stream));
    return GLVQ_OK;
}
