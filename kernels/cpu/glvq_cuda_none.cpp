// SPDX-License-Identifier: GPL-3.0-or-later
// glvq_cuda.h in a build without CUDA: every entry point says so, so callers need no #ifdef.
#include "kernels/glvq_cuda.h"
#include "kernels/glvq_fail.h"

namespace {

glvq_status noCuda(const char* what)
{
    return glvq_fail(GLVQ_ERR_NO_CUDA, std::string(what)
                                           + ": this build has no CUDA kernels (configured without nvcc or with "
                                             "-DGLVQ_CUDA=OFF)");
}

} // namespace

glvq_status glvq_gpu_layer_create(const glvq_packed_layer*, glvq_gpu_layer** out)
{
    if (out)
        *out = nullptr;
    return noCuda("glvq_gpu_layer_create");
}

void glvq_gpu_layer_destroy(glvq_gpu_layer*) {}

glvq_status glvq_gpu_layer_get_info(const glvq_gpu_layer*, glvq_gpu_layer_info*)
{
    return noCuda("glvq_gpu_layer_get_info");
}

glvq_status glvq_decode_cuda(const glvq_gpu_layer*, float*, glvq_stream) { return noCuda("glvq_decode_cuda"); }

glvq_status glvq_gemv_cuda(const glvq_gpu_layer*, const float*, float*, glvq_stream)
{
    return noCuda("glvq_gemv_cuda");
}

glvq_status glvq_gemm_cuda(const glvq_gpu_layer*, const float*, std::int32_t, float*, glvq_stream)
{
    return noCuda("glvq_gemm_cuda");
}

glvq_status glvq_babai_encode_cuda(const glvq_encode_params*, const float*, std::uint8_t*, glvq_stream)
{
    return noCuda("glvq_babai_encode_cuda");
}

glvq_status glvq_cuda_malloc(void** ptr, std::size_t)
{
    if (ptr)
        *ptr = nullptr;
    return noCuda("glvq_cuda_malloc");
}

glvq_status glvq_cuda_free(void* ptr) { return ptr ? noCuda("glvq_cuda_free") : GLVQ_OK; }

glvq_status glvq_cuda_upload(void*, const void*, std::size_t) { return noCuda("glvq_cuda_upload"); }

glvq_status glvq_cuda_download(void*, const void*, std::size_t) { return noCuda("glvq_cuda_download"); }

glvq_status glvq_cuda_memset_async(void*, int, std::size_t, glvq_stream) { return noCuda("glvq_cuda_memset_async"); }

glvq_status glvq_cuda_synchronize(glvq_stream) { return noCuda("glvq_cuda_synchronize"); }
