// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// CUDA versions of the four GLVQ operations (same semantics as glvq_ref.h, fp32 in and out; relative error
// ≤ 1e-3 against an fp64 reference by contract; by the host emulation of the same per-thread maths ~1e-7 for
// linear layers and ~1e-5 with companding, where exp2f − 1 replaces expm1f), plus the device-memory helpers callers need
// without including CUDA headers. This header has no CUDA dependency: in a build without CUDA every
// function exists and returns GLVQ_ERR_NO_CUDA (queryCudaStatus() in device.h says why).
//
// Streams: `glvq_stream` is cudaStream_t (same type); null means the legacy default stream. Launches are
// asynchronous: errors of the launch itself are returned, faults during execution surface at the next
// synchronising call (glvq_cuda_synchronize). Every CUDA call is checked; the detail is in glvq_last_error().
//
// Ownership and thread-safety:
//  - glvq_gpu_layer owns device memory (codes in the GPU layouts, side info, a 16-batch activation
//    workspace); create/destroy are synchronous. Launches on one layer must not overlap in time (use one
//    stream per layer or synchronise), because they share its workspace; different layers are independent.
//  - All device pointers passed in must be on the layer's device (the current device at create time).
#include "kernels/glvq_layout.h"
#include "kernels/glvq_ref.h"
#include "kernels/glvq_status.h"

#include <cstddef>
#include <cstdint>

struct CUstream_st;
using glvq_stream = CUstream_st*;

struct glvq_gpu_layer; // opaque

// Which fused product a layer runs on CUDA (glvq_gpu_layer_create chooses it from these two facts alone), so
// tools can say how an exported model will run without a GPU.
enum glvq_cuda_path : std::int32_t {
    GLVQ_CUDA_PATH_TENSOR_LINEAR = 0,    // every μ = 0, any d: x̂ = Gᵀx, then integer codes × x̂ on tensor cores
    GLVQ_CUDA_PATH_TENSOR_COMPANDED = 1, // d ∈ {1, 2, 4, 8}: V = Z Gᵀ on tensor cores, then one exp2 per weight
    GLVQ_CUDA_PATH_GENERAL = 2,          // companded, d ∈ {16, 32}: v = G z on the CUDA cores
    GLVQ_CUDA_PATH_UNSUPPORTED = 3,      // companded, other d: GEMV/GEMM/decode return GLVQ_ERR_UNSUPPORTED
};
constexpr glvq_cuda_path glvq_cuda_product_path(std::int32_t dim, bool all_linear)
{
    if (all_linear)
        return GLVQ_CUDA_PATH_TENSOR_LINEAR;
    if (dim == 1 || dim == 2 || dim == 4 || dim == 8)
        return GLVQ_CUDA_PATH_TENSOR_COMPANDED;
    return dim == 16 || dim == 32 ? GLVQ_CUDA_PATH_GENERAL : GLVQ_CUDA_PATH_UNSUPPORTED;
}
constexpr const char* glvq_cuda_path_name(glvq_cuda_path path)
{
    switch (path) {
    case GLVQ_CUDA_PATH_TENSOR_LINEAR: return "tensor-core linear";
    case GLVQ_CUDA_PATH_TENSOR_COMPANDED: return "tensor-core companded";
    case GLVQ_CUDA_PATH_GENERAL: return "general";
    default: return "unsupported";
    }
}

struct glvq_gpu_layer_info {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::int32_t dim = 0;
    std::int32_t group_count = 0;
    bool all_linear = false;        // every group μ = 0: GEMV/GEMM run the linear fast path
    glvq_cuda_path path = GLVQ_CUDA_PATH_UNSUPPORTED; // the fused product GEMV/GEMM run
    std::uint64_t code_bytes = 0;   // code words in the GPU layout (what a GEMV streams from memory)
    std::uint64_t side_bytes = 0;   // groups, generators, row scales, sub-vector map
    std::uint64_t workspace_bytes = 0;
    std::uint32_t activation_slots = 0; // x̂ values per batch row, fp16 hi + lo (linear path: written and read per call)
};

// Validates (glvq_check_packed), rearranges on the host (glvq_gpu_image_build) and uploads. Synchronous.
glvq_status glvq_gpu_layer_create(const glvq_packed_layer* host_layer, glvq_gpu_layer** out);
void glvq_gpu_layer_destroy(glvq_gpu_layer* layer); // null is fine
glvq_status glvq_gpu_layer_get_info(const glvq_gpu_layer* layer, glvq_gpu_layer_info* info);

// Dense decode into out [rows, cols] (device, row stride cols). Unsupported d (not 1, 2, 4, 8, 16, 32):
// GLVQ_ERR_UNSUPPORTED.
glvq_status glvq_decode_cuda(const glvq_gpu_layer* layer, float* out, glvq_stream stream);

// y [rows] = Ŵ x, x [cols] (device pointers). Linear layers: any d; companded layers: d as above.
glvq_status glvq_gemv_cuda(const glvq_gpu_layer* layer, const float* x, float* y, glvq_stream stream);

// Y [batch, rows] = X [batch, cols] Ŵᵀ (device). Any batch ≥ 1; tuned for 1..16 (larger batches run in
// slices of 16 rows of X).
glvq_status glvq_gemm_cuda(const glvq_gpu_layer* layer, const float* x, std::int32_t batch, float* y,
                           glvq_stream stream);

// Babai encoding on the device. `params` is a host struct whose scalars are checked here and whose ARRAYS ARE
// DEVICE POINTERS (first_column, columns, bits, generator_inverse, mu, scale, row_scales), trusted to describe
// a layout that glvq_check_encode_params accepts on their host copies. w [rows, cols] and codes [rows, cols]
// (uint8, row stride cols) are device pointers. Codes equal the CPU reference except where the Babai
// coordinate lies within float rounding of a .5 boundary. d as for decode.
glvq_status glvq_babai_encode_cuda(const glvq_encode_params* params, const float* w, std::uint8_t* codes,
                                   glvq_stream stream);

// ---- device memory helpers (synchronous unless named _async) ----
glvq_status glvq_cuda_malloc(void** ptr, std::size_t bytes);
glvq_status glvq_cuda_free(void* ptr); // null is fine
glvq_status glvq_cuda_upload(void* device_dst, const void* host_src, std::size_t bytes);
glvq_status glvq_cuda_download(void* host_dst, const void* device_src, std::size_t bytes);
// Fills bytes with `value` (0xff gives NaN in every float: the tests' poison).
glvq_status glvq_cuda_memset_async(void* device_ptr, int value, std::size_t bytes, glvq_stream stream);
glvq_status glvq_cuda_synchronize(glvq_stream stream);
