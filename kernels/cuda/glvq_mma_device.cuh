// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Device pieces shared by the two tensor-core products (glvq_gemm_mma.cu: linear layers, one mma.m16n8k16
// per k-step on x̂ = Gᵀx; glvq_gemm_mma_companded.cu: companded layers with d ∈ {1, 2, 4, 8}, one
// mma.m16n8k8 per 8-column chunk for V = Z Gᵀ): code extraction into fp16 fragments (glvq_mma_layout.h), the mma wrappers, and the per-warp
// cp.async ring that streams each lane's code runs. Internal to kernels/cuda; device code only.
#include "kernels/glvq_mma_layout.h"

#include <cuda_runtime.h>

#include <cstdint>

namespace glvq_mma_device {

// The fp16x2 pattern (1024, 1024): passed to the kernel as a parameter so that it stays in a register and
// (code & mask) | magic is one LOP3 (a compile-time constant would need a second immediate).
constexpr std::uint32_t kFp16Magic = 0x64006400u;

// fp16 bit pattern of a positive, exactly representable normal value (compile time).
GLVQ_HD constexpr std::uint32_t halfBits(float v)
{
    int e = 0;
    while (v >= 2.0f) {
        v *= 0.5f;
        ++e;
    }
    while (v < 1.0f) {
        v *= 2.0f;
        --e;
    }
    return (static_cast<std::uint32_t>(e + 15) << 10) | static_cast<std::uint32_t>((v - 1.0f) * 1024.0f);
}
GLVQ_HD constexpr std::uint32_t halfPair(std::uint32_t h) { return h | (h << 16); }

// (a & mask) | c in one LOP3: PTX lop3 with the mask as an immediate and c in a register. Written out because
// the compiler otherwise spends two LOP3s on (a & mask) | 0x64006400 (two immediates do not fit one).
template <std::uint32_t Mask>
__device__ __forceinline__ std::uint32_t andOr(std::uint32_t a, std::uint32_t c)
{
    std::uint32_t d;
    asm("lop3.b32 %0, %1, %2, %3, 0xEA;" : "=r"(d) : "r"(a), "n"(Mask), "r"(c));
    return d;
}

// u − o of both codes of pair Q as an fp16x2 register: glvq_mma_pair_magic's bit pattern (one LOP3; two for
// b = 3) and one HFMA2.
template <int B, int Q>
__device__ __forceinline__ std::uint32_t pairValue(const std::uint32_t (&w)[4], std::uint32_t magic)
{
    constexpr std::uint32_t e = glvq_mma_pair_e(B, Q);
    constexpr std::uint32_t field = ((1u << glvq_mma_low_bits(B)) - 1u) << e;
    constexpr std::uint32_t scale = halfPair(halfBits(glvq_mma_pair_scale(B, Q)));
    constexpr std::uint32_t negBias = halfPair(halfBits(glvq_mma_pair_bias(B, Q)) | 0x8000u);
    const std::uint32_t word = w[glvq_mma_pair_word(B, Q)];
    const std::uint32_t src = glvq_mma_pair_rotated(B, Q) ? glvq_mma_rotl(word, 1) : word >> glvq_mma_right_shift(B);
    std::uint32_t bits;
    if constexpr (B == 3) {
        constexpr std::uint32_t hiBit = 1u << (e + 2u);
        const std::uint32_t withHigh = andOr<hiBit | (hiBit << 16)>(glvq_mma_rotl(w[2], glvq_mma_hi_rotation(Q / 4)), magic);
        bits = andOr<field | (field << 16)>(src, withHigh);
    } else {
        bits = andOr<field | (field << 16)>(src, magic);
    }
    std::uint32_t out;
    asm("fma.rn.f16x2 %0, %1, %2, %3;" : "=r"(out) : "r"(bits), "r"(scale), "r"(negBias));
    return out;
}

__device__ __forceinline__ void mma16816(float (&d)[4], const std::uint32_t (&a)[4], uint2 b)
{
    asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b.x), "r"(b.y));
}

// ---- cp.async: each lane copies its own code run of a unit (group, k-block) into its warp's stage ----

template <int N>
__device__ __forceinline__ void copyAsync(std::uint32_t dst, const void* src)
{
    if constexpr (N == 16)
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(dst), "l"(src) : "memory");
    else
        asm volatile("cp.async.ca.shared.global [%0], [%1], %2;" ::"r"(dst), "l"(src), "n"(N) : "memory");
}
__device__ __forceinline__ void commitCopies() { asm volatile("cp.async.commit_group;" ::: "memory"); }
template <int N>
__device__ __forceinline__ void waitCopies()
{
    asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}

// Stage layout: [tile][lane] 16-byte slots; a lane reads back only what it copied, so no barrier is needed.
template <int B, int MT>
__device__ __forceinline__ void copyUnit(const std::uint32_t* __restrict__ words, const glvq_mma_group& grp,
                                         std::uint64_t tile0, std::uint32_t kb, int lane, uint4 (*stage)[32])
{
    // Tiles of one k-block are kblocks · 32 · b words apart; offsets inside a group fit 32 bits (checked when
    // the image is built).
    const std::uint32_t* first = words + grp.word_begin
                                 + (static_cast<std::uint32_t>(tile0) * grp.kblocks + kb) * (32u * B);
    const std::uint32_t stride = grp.kblocks * (32u * B);
#pragma unroll
    for (int t = 0; t < MT; ++t) {
        const std::uint32_t* block = first + t * stride;
        const std::uint32_t dst = static_cast<std::uint32_t>(__cvta_generic_to_shared(&stage[t][lane]));
        if constexpr (B == 1) {
            copyAsync<4>(dst, block + lane);
        } else if constexpr (B == 2) {
            copyAsync<8>(dst, block + 2 * lane);
        } else if constexpr (B == 3) {
            copyAsync<8>(dst, block + 2 * lane);
            copyAsync<4>(dst + 8, block + 64 + lane);
        } else {
            copyAsync<16>(dst, block + 4 * lane);
        }
    }
}


// m16n8k8 with fp16 A (2 registers: rows gid and gid + 8, columns 2·tig + {0, 1}), fp16 B (1 register: rows
// 2·tig + {0, 1}, column gid) and fp32 C/D (rows gid, gid + 8 × columns 2·tig + {0, 1}); d is overwritten.
__device__ __forceinline__ void mma1688(float (&d)[4], std::uint32_t a0, std::uint32_t a1, std::uint32_t b)
{
    asm("mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5}, {%6}, {%7,%7,%7,%7};"
        : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
        : "r"(a0), "r"(a1), "r"(b), "f"(0.0f));
}

constexpr int kStages = 4; // units in flight per warp: 3 × MT × 32 × (4·b) bytes (3 KB at 2 bits, MT = 4)

// One warp's ring of kStages code units (group, k-block) in shared memory: each lane copies its own runs of
// the next unit while it converts the current one. Units past the warp's last group commit an empty copy
// group so that wait_group counts stay uniform. A lane reads back only what it copied: no barriers.
template <int MT>
struct CodeRing {
    uint4 (*stages)[MT][32]; // [kStages][MT][32] 16-byte slots of this warp
    const std::uint32_t* words;
    const glvq_mma_group* groups;
    std::uint64_t tile0;
    std::uint32_t group_end; // one past the warp's last group
    std::uint32_t group;     // producer position
    std::uint32_t kblock;
    int lane;

    __device__ __forceinline__ void produce(int stage)
    {
        if (group < group_end) {
            const glvq_mma_group grp = groups[group];
            switch (grp.bits) { // uniform across the warp
            case 1: copyUnit<1, MT>(words, grp, tile0, kblock, lane, stages[stage]); break;
            case 2: copyUnit<2, MT>(words, grp, tile0, kblock, lane, stages[stage]); break;
            case 3: copyUnit<3, MT>(words, grp, tile0, kblock, lane, stages[stage]); break;
            default: copyUnit<4, MT>(words, grp, tile0, kblock, lane, stages[stage]); break;
            }
            if (++kblock == grp.kblocks) {
                kblock = 0;
                ++group;
            }
        }
        commitCopies();
    }

    // Starts the first kStages − 1 units.
    __device__ __forceinline__ void prime()
    {
#pragma unroll
        for (int s = 0; s < kStages - 1; ++s)
            produce(s);
    }

    // Waits for the oldest unit in flight (kStages − 1 copy groups may stay outstanding) and reads its words.
    __device__ __forceinline__ void consume(int stage, std::uint32_t (&w)[MT][4]) const
    {
        waitCopies<kStages - 1>();
#pragma unroll
        for (int t = 0; t < MT; ++t) {
            const uint4 q = stages[stage][t][lane];
            w[t][0] = q.x;
            w[t][1] = q.y;
            w[t][2] = q.z;
            w[t][3] = q.w;
        }
    }
};

// One warp's share of a tensor-core product (glvq_split_work): MT row tiles of 16 from tile0, × the groups
// [group_begin, group_end) — empty for the spare warps of the last block.
template <int MT>
struct WarpShare {
    int lane;
    std::uint64_t tile0;
    std::uint64_t group_begin;
    std::uint32_t group_end;

    __device__ __forceinline__ WarpShare(const glvq_mma_view& v, int warps_per_block, std::uint32_t row_blocks,
                                         std::uint32_t groups_per_chunk)
    {
        const std::uint64_t warp = static_cast<std::uint64_t>(blockIdx.x) * warps_per_block + threadIdx.x / 32;
        lane = static_cast<int>(threadIdx.x % 32);
        tile0 = (warp % row_blocks) * MT;
        group_begin = (warp / row_blocks) * groups_per_chunk;
        group_end = static_cast<std::uint32_t>(
            min(group_begin + groups_per_chunk, static_cast<std::uint64_t>(v.group_count)));
    }

    // Row of accumulator half h (rows gid, gid + 8) of the warp's tile t.
    __device__ __forceinline__ std::int64_t row(int t, int h) const
    {
        return static_cast<std::int64_t>(tile0 + t) * GLVQ_MMA_TILE_ROWS + lane / 4 + 8 * h;
    }
    __device__ __forceinline__ bool empty(const glvq_mma_view& v) const
    {
        return group_begin >= static_cast<std::uint64_t>(v.group_count);
    }

    // The warp's code ring over its share (stages: this warp's [kStages][MT][32] slots).
    __device__ __forceinline__ CodeRing<MT> ring(const glvq_mma_view& v, uint4 (*stages)[MT][32]) const
    {
        return {stages, v.words, v.groups, tile0, group_end, static_cast<std::uint32_t>(group_begin), 0, lane};
    }
};

} // namespace glvq_mma_device

namespace glvq_mma_device {

// Blocks of `kernel` one SM holds at `block` threads (registers and shared memory decide). The callers ask
// once per instantiation and size one full wave from it (a partial second wave runs at a fraction of the
// occupancy).
template <typename Kernel>
int residentBlocksPerSm(Kernel kernel, int block)
{
    int n = 0;
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, kernel, block, 0) != cudaSuccess) {
        cudaGetLastError();
        n = 4; // a safe guess; only the wave shape depends on it
    }
    return n > 1 ? n : 1;
}

} // namespace glvq_mma_device
