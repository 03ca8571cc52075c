// SPDX-License-Identifier: GPL-3.0-or-later
// Babai encoding on the GPU: one thread per (row, sub-vector), the formula of glvq_babai_encode_ref with
// fused multiply-adds (so coordinates within ~1e-7 of a rounding boundary may round the other way).
#include "kernels/cuda/glvq_cuda_check.cuh"
#include "kernels/cuda/glvq_gpu_layer.cuh"

#include <algorithm>
#include <string>

namespace {

constexpr int kBlock = 256;

// Largest g with first_column[g] ≤ column (groups are contiguous and sorted).
__device__ std::int32_t groupOfColumn(const glvq_encode_params& p, std::uint32_t column)
{
    std::int32_t lo = 0;
    std::int32_t hi = p.group_count - 1;
    while (lo < hi) {
        const std::int32_t mid = (lo + hi + 1) / 2;
        if (__ldg(p.first_column + mid) <= column)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

template <int D>
__global__ void __launch_bounds__(kBlock) glvq_babai_kernel(glvq_encode_params p, const float* __restrict__ w,
                                                            std::uint8_t* __restrict__ codes)
{
    const std::uint64_t subcolumns = static_cast<std::uint64_t>(p.cols) / D;
    const std::uint64_t total = subcolumns * static_cast<std::uint64_t>(p.rows);
    const std::uint64_t step = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    for (std::uint64_t idx = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total;
         idx += step) {
        const std::int64_t row = static_cast<std::int64_t>(idx / subcolumns);
        const std::uint32_t column = static_cast<std::uint32_t>(idx % subcolumns) * D;
        const std::int32_t g = groupOfColumn(p, column);
        const float mu = __ldg(p.mu + g);
        const float lnRho = log1pf(mu);
        const float s = __ldg(p.scale + g);
        const float r = p.row_scales ? __ldg(p.row_scales + row) : 1.0f;
        const bool zero = r == 0.0f || s == 0.0f;
        const float maxCode = static_cast<float>((1u << __ldg(p.bits + g)) - 1u);
        const float offset = maxCode * 0.5f;
        const float* src = w + row * p.cols + column;
        float y[D];
#pragma unroll
        for (int b = 0; b < D; ++b) {
            const float x = zero ? 0.0f : (src[b] / r) / s;
            y[b] = mu == 0.0f ? x : copysignf(log1pf(mu * fabsf(x)) / lnRho, x);
        }
        const float* Ginv = p.generator_inverse + static_cast<std::uint64_t>(g) * (D * D);
        std::uint8_t* dst = codes + row * p.cols + column;
#pragma unroll
        for (int a = 0; a < D; ++a) {
            float coordinate = 0.0f;
#pragma unroll
            for (int b = 0; b < D; ++b)
                coordinate = fmaf(__ldg(Ginv + a * D + b), y[b], coordinate);
            const float u = rintf(coordinate + offset); // round half to even
            dst[a] = static_cast<std::uint8_t>(u >= 0.0f ? fminf(u, maxCode) : 0.0f); // NaN -> 0
        }
    }
}

template <int D>
glvq_status launch(const glvq_encode_params& p, const float* w, std::uint8_t* codes, cudaStream_t stream)
{
    int device = 0;
    int sms = 1;
    GLVQ_CUDA_CHECK(cudaGetDevice(&device));
    GLVQ_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    const std::uint64_t total = static_cast<std::uint64_t>(p.cols / D) * static_cast<std::uint64_t>(p.rows);
    const std::uint64_t blocks = std::min<std::uint64_t>((total + kBlock - 1) / kBlock, static_cast<std::uint64_t>(sms) * 32u);
    glvq_babai_kernel<D><<<static_cast<unsigned>(std::max<std::uint64_t>(blocks, 1)), kBlock, 0, stream>>>(p, w, codes);
    GLVQ_CUDA_CHECK_LAUNCH();
    return GLVQ_OK;
}

} // namespace

glvq_status glvq_babai_encode_cuda(const glvq_encode_params* params, const float* w, std::uint8_t* codes,
                                   glvq_stream stream)
{
    if (!params || !w || !codes)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_babai_encode_cuda: need params, w and codes");
    const glvq_encode_params& p = *params;
    if (p.rows <= 0 || p.cols <= 0 || p.cols > 0xffffffffLL || p.group_count < 1 || p.dim < 1 || p.cols % p.dim != 0
        || !p.first_column || !p.columns || !p.bits || !p.generator_inverse || !p.mu || !p.scale)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "glvq_babai_encode_cuda: bad shape or a null array");
    switch (p.dim) {
    case 1: return launch<1>(p, w, codes, stream);
    case 2: return launch<2>(p, w, codes, stream);
    case 4: return launch<4>(p, w, codes, stream);
    case 8: return launch<8>(p, w, codes, stream);
    case 16: return launch<16>(p, w, codes, stream);
    case 32: return launch<32>(p, w, codes, stream);
    default:
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, "glvq_babai_encode_cuda: d=" + std::to_string(p.dim)
                                                   + " (CUDA handles d = 1, 2, 4, 8, 16, 32)");
    }
}
