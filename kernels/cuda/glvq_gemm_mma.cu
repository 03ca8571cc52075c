// SPDX-License-Identifier: GPL-3.0-or-later
// Fused decode + GEMV / GEMM for linear (companding-off) layers on tensor cores (glvq_mma_layout.h):
//   1. glvq_mma_prep_kernel: per (batch row, group) x̂ = Gᵀ x_k per sub-vector, scaled by a power of two σ so
//      the group's largest |x̂| sits in [2^14, 2^15), split into fp16 hi + lo and written in mma B-fragment
//      order; f = s_g / σ per (batch row, group); y = 0.
//   2. glvq_mma_kernel: one warp = MT row tiles of 16 × a chunk of groups. Per k-step each lane turns its
//      8 codes into u − o (LOP3 + HFMA2 per pair) and issues one mma.m16n8k16 per n-tile; per group the fp32
//      accumulators are scaled by f and added up; partial sums meet in y through atomicAdd (so the last bits
//      of y may differ between runs).
// Thread-safety: launches on one layer must not overlap (shared fragment workspace).
#include "kernels/cuda/glvq_cuda_check.cuh"
#include "kernels/cuda/glvq_gpu_layer.cuh"
#include "kernels/cuda/glvq_mma_device.cuh"
#include "kernels/glvq_mma_layout.h"

#include <cuda_fp16.h>

#include <algorithm>

namespace {

using namespace glvq_mma_device;

constexpr int kBlock = 128;
constexpr int kWarpsPerBlock = kBlock / 32;

template <int B, int S, int MT, int NT>
__device__ __forceinline__ void kstep(const std::uint32_t (&w)[MT][4], const uint2 (&bf)[NT], std::uint32_t magic,
                                      float (&d)[MT][NT][4])
{
#pragma unroll
    for (int t = 0; t < MT; ++t) {
        const std::uint32_t a[4] = {pairValue<B, 4 * S>(w[t], magic), pairValue<B, 4 * S + 1>(w[t], magic),
                                    pairValue<B, 4 * S + 2>(w[t], magic), pairValue<B, 4 * S + 3>(w[t], magic)};
#pragma unroll
        for (int j = 0; j < NT; ++j)
            mma16816(d[t][j], a, bf[j]);
    }
}

template <int B, int MT, int NT>
__device__ __forceinline__ void kblockProduct(const std::uint32_t (&w)[MT][4], const uint2 (&bf)[4][NT],
                                              std::uint32_t magic, float (&d)[MT][NT][4])
{
    kstep<B, 0, MT, NT>(w, bf[0], magic, d);
    kstep<B, 1, MT, NT>(w, bf[1], magic, d);
    kstep<B, 2, MT, NT>(w, bf[2], magic, d);
    kstep<B, 3, MT, NT>(w, bf[3], magic, d);
}

template <int NB>
struct MmaShape {
    static constexpr int NT = (NB + GLVQ_MMA_BATCH_PER_NTILE - 1) / GLVQ_MMA_BATCH_PER_NTILE; // n-tiles
    static constexpr int MT = NB >= 8 ? 2 : 4;                                                // row tiles
};

template <int NB>
__global__ void __launch_bounds__(kBlock) glvq_mma_kernel(glvq_mma_view v, const uint2* __restrict__ xfrag,
                                                          const float* __restrict__ fscale, int batch,
                                                          std::uint32_t row_blocks, std::uint32_t groups_per_chunk,
                                                          std::uint32_t magic, float* __restrict__ y)
{
    constexpr int NT = MmaShape<NB>::NT;
    constexpr int MT = MmaShape<NB>::MT;
    __shared__ uint4 stages[kWarpsPerBlock][kStages][MT][32];
    const WarpShare<MT> share(v, kWarpsPerBlock, row_blocks, groups_per_chunk);
    CodeRing<MT> ring = share.ring(v, stages[threadIdx.x / 32]);
    ring.prime();
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    // Programmatic dependent launch: the code copies above overlap the prep kernel; activation fragments,
    // group factors and y = 0 are read only after it has finished.
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif

    float acc[MT][NT][2] = {};
    float d[MT][NT][4] = {};
    std::uint32_t cg = static_cast<std::uint32_t>(share.group_begin);
    std::uint32_t ckb = 0;
    int stage = 0;
    glvq_mma_group grp = v.groups[min(cg, static_cast<std::uint32_t>(v.group_count - 1))];
    while (cg < share.group_end) {
        ring.produce((stage + kStages - 1) % kStages);
        const std::uint32_t k0 = grp.kstep_begin + 4 * ckb;
        uint2 bf[4][NT];
#pragma unroll
        for (int s = 0; s < 4; ++s)
#pragma unroll
            for (int j = 0; j < NT; ++j)
                bf[s][j] = __ldg(xfrag + (static_cast<std::uint64_t>(k0 + s) * GLVQ_MMA_MAX_NTILES + j) * 32
                                 + share.lane);
        std::uint32_t w[MT][4];
        ring.consume(stage, w);
        switch (grp.bits) {
        case 1: kblockProduct<1, MT, NT>(w, bf, magic, d); break;
        case 2: kblockProduct<2, MT, NT>(w, bf, magic, d); break;
        case 3: kblockProduct<3, MT, NT>(w, bf, magic, d); break;
        default: kblockProduct<4, MT, NT>(w, bf, magic, d); break;
        }
        if (++ckb == grp.kblocks) {
#pragma unroll
            for (int j = 0; j < NT; ++j) {
                // Accumulator columns 2·tig (hi) and 2·tig + 1 (lo) belong to batch row 4j + tig.
                const float f = __ldg(fscale + static_cast<std::uint64_t>(4 * j + share.lane % 4) * v.group_count + cg);
#pragma unroll
                for (int t = 0; t < MT; ++t) {
                    acc[t][j][0] = fmaf(f, d[t][j][0] + d[t][j][1], acc[t][j][0]);
                    acc[t][j][1] = fmaf(f, d[t][j][2] + d[t][j][3], acc[t][j][1]);
#pragma unroll
                    for (int k = 0; k < 4; ++k)
                        d[t][j][k] = 0.0f;
                }
            }
            ckb = 0;
            if (++cg < share.group_end)
                grp = v.groups[cg];
        }
        stage = (stage + 1) % kStages;
    }
    waitCopies<0>(); // nothing outstanding when the warp retires
#pragma unroll
    for (int t = 0; t < MT; ++t)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const std::int64_t row = share.row(t, h);
            if (row >= v.rows || share.empty(v))
                continue;
            const float rowScale = __ldg(v.row_scales + row);
#pragma unroll
            for (int j = 0; j < NT; ++j) {
                const int b = 4 * j + share.lane % 4;
                if (b < batch)
                    atomicAdd(y + static_cast<std::int64_t>(b) * v.rows + row, rowScale * acc[t][j][h]);
            }
        }
}

// x̂ of column c (within the group) for one batch row: Σ_a G[a, c mod d] x[first + c − c mod d + a]. D > 0:
// compile-time d, all 2d loads issued before the first FMA; D = 0: run-time d (other lattice dimensions).
template <int D>
__device__ __forceinline__ float xhatAt(const glvq_mma_view& v, const glvq_mma_group& grp, const float* G,
                                        const float* x, std::uint32_t c)
{
    const std::uint32_t d = D > 0 ? static_cast<std::uint32_t>(D) : static_cast<std::uint32_t>(v.dim);
    const std::uint32_t b = c % d;
    const float* xs = x + grp.first_column + (c - b);
    float s = 0.0f;
    if constexpr (D > 0) {
        float gv[D];
        float xv[D];
#pragma unroll
        for (int a = 0; a < D; ++a) {
            gv[a] = __ldg(G + a * D + b);
            xv[a] = __ldg(xs + a);
        }
#pragma unroll
        for (int a = 0; a < D; ++a)
            s = fmaf(gv[a], xv[a], s);
    } else {
        for (std::uint32_t a = 0; a < d; ++a)
            s = fmaf(__ldg(G + a * d + b), __ldg(xs + a), s);
    }
    return s;
}

__device__ __forceinline__ std::uint32_t packHalves(__half lo, __half hi)
{
    return static_cast<std::uint32_t>(__half_as_ushort(lo)) | (static_cast<std::uint32_t>(__half_as_ushort(hi)) << 16);
}

constexpr std::uint32_t kStagedColumns = 1024; // x̂ values a prep block keeps in shared memory (groups up to 1024)

// Blocks [0, prep_blocks): one (batch row t < 4·nt, group) each, one column per thread. Remaining blocks: y = 0.
template <int D>
__global__ void __launch_bounds__(kBlock) glvq_mma_prep_kernel(glvq_mma_view v, const float* __restrict__ x, int batch,
                                                               int nt, std::uint32_t prep_blocks, uint2* __restrict__ xfrag,
                                                               float* __restrict__ fscale, float* __restrict__ y)
{
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;"); // let the main kernel start streaming codes now
#endif
    if (blockIdx.x >= prep_blocks) {
        const std::uint64_t total = static_cast<std::uint64_t>(batch) * static_cast<std::uint64_t>(v.rows);
        const std::uint64_t step = static_cast<std::uint64_t>(gridDim.x - prep_blocks) * kBlock;
        for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x - prep_blocks) * kBlock + threadIdx.x; i < total;
             i += step)
            y[i] = 0.0f;
        return;
    }
    __shared__ float staged[kStagedColumns];
    __shared__ float warpMax[kWarpsPerBlock];
    const int rowsPerGroup = 4 * nt;
    const int t = static_cast<int>(blockIdx.x % rowsPerGroup);
    const std::uint32_t g = blockIdx.x / rowsPerGroup;
    const glvq_mma_group grp = v.groups[g];
    const float* G = v.generators + static_cast<std::uint64_t>(g) * v.dim * v.dim;
    const bool live = t < batch;
    const float* xt = x + static_cast<std::int64_t>(live ? t : 0) * v.cols;
    auto value = [&](std::uint32_t c) { return live && c < grp.columns ? xhatAt<D>(v, grp, G, xt, c) : 0.0f; };

    const std::uint32_t padded = grp.kblocks * GLVQ_MMA_KBLOCK;
    float maxAbs = 0.0f;
    for (std::uint32_t c = threadIdx.x; c < padded; c += kBlock) {
        const float val = value(c);
        if (c < kStagedColumns)
            staged[c] = val;
        maxAbs = fmaxf(maxAbs, fabsf(val));
    }
#pragma unroll
    for (int o = 16; o > 0; o /= 2)
        maxAbs = fmaxf(maxAbs, __shfl_xor_sync(0xffffffffu, maxAbs, o));
    if (threadIdx.x % 32 == 0)
        warpMax[threadIdx.x / 32] = maxAbs;
    __syncthreads(); // also publishes `staged`
#pragma unroll
    for (int w = 0; w < kWarpsPerBlock; ++w)
        maxAbs = fmaxf(maxAbs, warpMax[w]);
    float sigma = 1.0f;
    if (maxAbs > 0.0f && isfinite(maxAbs)) {
        int e = 0;
        frexpf(maxAbs, &e);           // maxAbs = m · 2^e, m ∈ [0.5, 1)
        sigma = ldexpf(1.0f, 15 - e); // maxAbs · σ ∈ [2^14, 2^15): fp16 keeps 2^-24 of it in hi + lo
    }
    if (threadIdx.x == 0)
        fscale[static_cast<std::uint64_t>(t) * v.group_count + g] = live ? grp.scale / sigma : 0.0f;

    // Fragment lanes of batch row t: gid 2(t mod 4) holds hi, gid + 1 holds lo (n = 2·(t mod 4) + part).
    const int j = t / 4;
    const int gidHi = 2 * (t % 4);
    const std::uint32_t items = grp.kblocks * 16; // (k-step, tig)
    for (std::uint32_t item = threadIdx.x; item < items; item += kBlock) {
        const std::uint32_t s = item / 4;
        const std::uint32_t tig = item % 4;
        const std::uint32_t k[4] = {16 * s + 2 * tig, 16 * s + 2 * tig + 1, 16 * s + 2 * tig + 8, 16 * s + 2 * tig + 9};
        __half hi[4];
        __half lo[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            const float scaled = (k[i] < kStagedColumns ? staged[k[i]] : value(k[i])) * sigma;
            hi[i] = __float2half_rn(scaled);
            lo[i] = __float2half_rn(scaled - __half2float(hi[i]));
        }
        uint2* dst = xfrag + (static_cast<std::uint64_t>(grp.kstep_begin + s) * GLVQ_MMA_MAX_NTILES + j) * 32;
        dst[gidHi * 4 + tig] = make_uint2(packHalves(hi[0], hi[1]), packHalves(hi[2], hi[3]));
        dst[(gidHi + 1) * 4 + tig] = make_uint2(packHalves(lo[0], lo[1]), packHalves(lo[2], lo[3]));
    }
}

template <int NB>
glvq_status launchMma(const glvq_gpu_layer* L, int batch, float* y, cudaStream_t stream)
{
    constexpr int MT = MmaShape<NB>::MT;
    static const int blocksPerSm = residentBlocksPerSm(glvq_mma_kernel<NB>, kBlock);
    const std::uint64_t resident = static_cast<std::uint64_t>(L->sm_count) * blocksPerSm * kWarpsPerBlock;
    const glvq_work_split s = glvq_split_work(L->mma.rows_pad, MT * GLVQ_MMA_TILE_ROWS, L->mma.group_count,
                                              kWarpsPerBlock, resident);
    cudaLaunchConfig_t config = {};
    config.gridDim = dim3(static_cast<unsigned>(s.blocks));
    config.blockDim = dim3(kBlock);
    config.stream = stream;
    cudaLaunchAttribute attribute[1];
    attribute[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attribute[0].val.programmaticStreamSerializationAllowed = 1;
    config.attrs = attribute;
    config.numAttrs = 1;
    GLVQ_CUDA_CHECK(cudaLaunchKernelEx(&config, glvq_mma_kernel<NB>, L->mma, static_cast<const uint2*>(L->xfrag),
                                       static_cast<const float*>(L->fscale), batch, s.row_tiles, s.groups_per_chunk,
                                       kFp16Magic, y));
    return GLVQ_OK;
}

template <int D>
glvq_status launchPrep(const glvq_gpu_layer* L, const float* x, int batch, int nt, float* y, cudaStream_t stream)
{
    const std::uint64_t prepBlocks = static_cast<std::uint64_t>(4 * nt) * static_cast<std::uint64_t>(L->mma.group_count);
    const std::uint64_t zeroThreads = std::min<std::uint64_t>(static_cast<std::uint64_t>(batch) * L->mma.rows,
                                                              static_cast<std::uint64_t>(L->sm_count) * 1024u);
    const std::uint64_t blocks = prepBlocks + (zeroThreads + kBlock - 1) / kBlock + 1;
    if (blocks > 0x7fffffffull)
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, "glvq_gemm_cuda: too many groups for one launch");
    glvq_mma_prep_kernel<D><<<static_cast<unsigned>(blocks), kBlock, 0, stream>>>(
        L->mma, x, batch, nt, static_cast<std::uint32_t>(prepBlocks), L->xfrag, L->fscale, y);
    GLVQ_CUDA_CHECK_LAUNCH();
    return GLVQ_OK;
}

} // namespace

glvq_status glvq_mma_product(const glvq_gpu_layer* L, const float* x, std::int32_t batch, float* y,
                             cudaStream_t stream)
{
    const int nb = glvq_batch_tile(batch);
    const int nt = (nb + GLVQ_MMA_BATCH_PER_NTILE - 1) / GLVQ_MMA_BATCH_PER_NTILE;
    glvq_status s = GLVQ_OK;
    switch (L->mma.dim) {
    case 2: s = launchPrep<2>(L, x, batch, nt, y, stream); break;
    case 4: s = launchPrep<4>(L, x, batch, nt, y, stream); break;
    case 8: s = launchPrep<8>(L, x, batch, nt, y, stream); break;
    case 16: s = launchPrep<16>(L, x, batch, nt, y, stream); break;
    case 32: s = launchPrep<32>(L, x, batch, nt, y, stream); break;
    default: s = launchPrep<0>(L, x, batch, nt, y, stream); break;
    }
    if (s != GLVQ_OK)
        return s;
    switch (nb) {
    case 1: return launchMma<1>(L, batch, y, stream);
    case 2: return launchMma<2>(L, batch, y, stream);
    case 4: return launchMma<4>(L, batch, y, stream);
    case 8: return launchMma<8>(L, batch, y, stream);
    default: return launchMma<16>(L, batch, y, stream);
    }
}
