// SPDX-License-Identifier: GPL-3.0-or-later
// Fast dense decode into transposed panels on the CPU (glvq_cpu.h): the fused product's row blocks
// (glvq_cpu_simd.h), with Ŵ stored instead of multiplied. Per block of L rows and group: transpose the code
// words, then per tile of columns unpack z, form G z (and F⁻¹_μ of it), scale by r_i·s_g and store one whole
// register per column (lane r is row row0 + r): the panel layout needs no transpose of the values.
#include "kernels/cpu/glvq_cpu_simd.h"
#include "kernels/glvq_fail.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

namespace glvq_cpu {
namespace {

// Scratch of one call: the block's transposed code words (widest row + 1 registers) and two tiles.
struct Buffers {
    unsigned char* words;
    unsigned char* codes;  // u − o
    unsigned char* values; // G z or F⁻¹_μ(G z)
};

struct Target {
    float* out;                // element (row_begin, column 0)
    std::int64_t rowBegin;
    std::int64_t columnStride;
};

template <int L>
GLVQ_INLINE void storeTile(const Target& T, std::int64_t row0, int rowCount, std::uint32_t column0, std::uint32_t n,
                           const typename Simd<L>::F& scales, const typename Simd<L>::F* values)
{
    float* at = T.out + static_cast<std::int64_t>(column0) * T.columnStride + (row0 - T.rowBegin);
    for (std::uint32_t c = 0; c < n; ++c, at += T.columnStride) {
        const typename Simd<L>::F scaled = scales * values[c];
        if (rowCount == L) {
            std::memcpy(at, &scaled, sizeof(scaled)); // an unaligned whole-register store
            continue;
        }
        for (int r = 0; r < rowCount; ++r)
            at[r] = scaled[r];
    }
}

template <int L>
GLVQ_INLINE void decodeRowBlock(const glvq_packed_layer& layer, const Groups& groups, const Buffers& B,
                                const Target& T, std::int64_t row0, int rowCount)
{
    using F = typename Simd<L>::F;
    auto* words = reinterpret_cast<typename Simd<L>::U*>(B.words);
    auto* codes = reinterpret_cast<F*>(B.codes);
    auto* values = reinterpret_cast<F*>(B.values);
    F rowScales {};
    for (int r = 0; r < rowCount; ++r)
        rowScales[r] = layer.row_scales ? glvq_half_to_float(layer.row_scales[row0 + r]) : 1.0f;
    const std::uint32_t tileColumns = tileColumnsFor(layer.dim);
    for (const Group& G : groups.list) {
        transposeWords<L>(G, row0, rowCount, words);
        const F scales = rowScales * G.scale; // r_i · s_g in fp32, as the reference rounds it
        for (std::uint32_t c0 = 0; c0 < G.columns; c0 += tileColumns) {
            const std::uint32_t n = std::min(tileColumns, G.columns - c0);
            unpackCodesFor<L>(G, words, c0, n, codes);
            if (G.companded)
                multiplyTileFor<L, true>(G, layer.dim, n, codes, values);
            else
                multiplyTileFor<L, false>(G, layer.dim, n, codes, values);
            storeTile<L>(T, row0, rowCount, G.first + c0, n, scales, values);
        }
    }
}

// Rows [T.rowBegin, rowEnd) in blocks of L.
struct DecodeRows {
    template <int L>
    static GLVQ_INLINE void run(const glvq_packed_layer& layer, const Groups& groups, const Buffers& B, const Target& T,
                                const std::int64_t& rowEnd)
    {
        for (std::int64_t row0 = T.rowBegin; row0 < rowEnd; row0 += L)
            decodeRowBlock<L>(layer, groups, B, T, row0, static_cast<int>(std::min<std::int64_t>(L, rowEnd - row0)));
    }
};

} // namespace
} // namespace glvq_cpu

glvq_status glvq_decode_transposed_cpu(glvq_cpu_isa isa, const glvq_packed_layer* layer, std::int64_t row_begin,
                                       std::int64_t row_end, float* out, std::int64_t out_column_stride)
{
    using namespace glvq_cpu;
    const char* what = "decode (CPU)";
    if (const glvq_status s = resolveIsa(isa, what); s != GLVQ_OK)
        return s;
    if (const glvq_status s = glvq_check_row_range(layer, row_begin, row_end, what); s != GLVQ_OK)
        return s;
    if (!out || out_column_stride < row_end - row_begin)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, std::string(what) + ": need an output with column stride >= the "
                                                        "number of rows decoded");
    if (row_begin == row_end)
        return GLVQ_OK;
    try {
        const Groups groups = makeGroups(*layer);
        ScratchArena arena((groups.widestRowWords + 1u) + 2u * kTileColumns);
        const Buffers buffers { arena.take(groups.widestRowWords + 1u), arena.take(kTileColumns),
                                arena.take(kTileColumns) };
        const Target target { out, row_begin, out_column_stride };
        runOnIsa<DecodeRows>(isa, *layer, groups, buffers, target, row_end);
    } catch (const std::bad_alloc&) {
        return glvq_fail(GLVQ_ERR_OUT_OF_MEMORY, std::string(what) + ": out of host memory");
    }
    return GLVQ_OK;
}
