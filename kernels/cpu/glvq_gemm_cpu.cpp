// SPDX-License-Identifier: GPL-3.0-or-later
// Fused decode + GEMM on the CPU (glvq_cpu.h). Each block of L rows runs through every group:
//   1. the block's code words of the group, transposed to [word][lane], so that lane r's codes sit at the
//      same bit position of every vector and one shift serves all lanes;
//   2. per tile of columns: codes → z = u − o as [column][lane]; a companded group then turns each
//      sub-vector into F⁻¹_μ(G z) in a second tile;
//   3. per batch row: sum[lane] += tile[column][lane] · x'[column], x' = x̂ = Gᵀx (linear groups) or x.
// A block is one SIMD register of rows (16 with AVX-512, 8 with AVX2 + FMA, 4 portable). The row-block function is compiled once per instruction set and the best one the CPU runs is picked once,
// so one binary serves every CPU; a row's result does not depend on which rows share its block. The building
// blocks (unpack, G z, the compander) are shared with the decoder in glvq_cpu_simd.h.
#include "kernels/cpu/glvq_cpu_simd.h"
#include "kernels/glvq_fail.h"

#include <algorithm>
#include <new>
#include <string>
#include <vector>

namespace glvq_cpu {
namespace {

// What every row block of one call shares.
struct Plan {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    int dim = 0;
    int batch = 0;
    const std::uint16_t* rowScales = nullptr;
    Groups groups;
    std::vector<float> xin; // [batch][cols]: x̂ = Gᵀx per sub-vector in linear groups, x in companded ones
};

// Per-call buffers, one kSlot per register (two for the fp64 sums), whatever the block width.
class Scratch {
public:
    Scratch(std::uint32_t widestRowWords, int batch)
        : m_arena((widestRowWords + 1u) + 2u * kTileColumns + 3u * static_cast<std::size_t>(batch))
        , m_words(m_arena.take(widestRowWords + 1u))
        , m_codes(m_arena.take(kTileColumns))
        , m_expanded(m_arena.take(kTileColumns))
        , m_groupSum(m_arena.take(static_cast<std::size_t>(batch)))
        , m_rowSum(m_arena.take(2u * static_cast<std::size_t>(batch)))
    {
    }

    // The block's code words of one group, transposed: widest row + 1 registers.
    template <int L> typename Simd<L>::U* words() const { return reinterpret_cast<typename Simd<L>::U*>(m_words); }
    template <int L> typename Simd<L>::F* codes() const { return reinterpret_cast<typename Simd<L>::F*>(m_codes); }       // u − o
    template <int L> typename Simd<L>::F* expanded() const { return reinterpret_cast<typename Simd<L>::F*>(m_expanded); } // F⁻¹(G z)
    template <int L> typename Simd<L>::F* groupSum() const { return reinterpret_cast<typename Simd<L>::F*>(m_groupSum); } // per batch row
    template <int L> typename Simd<L>::D* rowSum() const { return reinterpret_cast<typename Simd<L>::D*>(m_rowSum); }     // per batch row

private:
    ScratchArena m_arena;
    unsigned char* m_words;
    unsigned char* m_codes;
    unsigned char* m_expanded;
    unsigned char* m_groupSum;
    unsigned char* m_rowSum;
};

Plan makePlan(const glvq_packed_layer& L, const float* x, int batch)
{
    Plan P;
    P.rows = L.rows;
    P.cols = L.cols;
    P.dim = L.dim;
    P.batch = batch;
    P.rowScales = L.row_scales;
    P.groups = makeGroups(L);
    P.xin.resize(static_cast<std::size_t>(batch) * static_cast<std::size_t>(L.cols));
    for (const Group& G : P.groups.list)
        for (int t = 0; t < batch; ++t) {
            const float* xs = x + static_cast<std::int64_t>(t) * L.cols + G.first;
            float* out = P.xin.data() + static_cast<std::int64_t>(t) * L.cols + G.first;
            if (G.companded) {
                std::copy(xs, xs + G.columns, out);
                continue;
            }
            for (std::uint32_t k = 0; k < G.columns; k += static_cast<std::uint32_t>(L.dim))
                for (int b = 0; b < L.dim; ++b) {
                    double s = 0.0;
                    for (int a = 0; a < L.dim; ++a)
                        s += static_cast<double>(G.generator[a * L.dim + b]) * static_cast<double>(xs[k + a]);
                    out[k + b] = static_cast<float>(s);
                }
        }
    return P;
}

// sums[t] += Σ_c values[c] · x[t · xStride + c] for R batch rows at once (each value loaded once for R FMAs).
// Every row sums its even and odd columns in two chains (instruction-level parallelism) and adds them last,
// whatever R: a batch row's result does not depend on the batch it came in.
template <int L, int R>
GLVQ_INLINE void accumulateRows(const typename Simd<L>::F* values, std::uint32_t n, const float* x,
                                std::int64_t xStride, typename Simd<L>::F* sums)
{
    typename Simd<L>::F even[R] = {};
    typename Simd<L>::F odd[R] = {};
    std::uint32_t c = 0;
    for (; c + 1 < n; c += 2)
        for (int t = 0; t < R; ++t) {
            even[t] += values[c] * x[t * xStride + c];
            odd[t] += values[c + 1] * x[t * xStride + c + 1];
        }
    for (int t = 0; t < R; ++t) {
        if (c < n)
            even[t] += values[c] * x[t * xStride + c];
        sums[t] += even[t] + odd[t];
    }
}

// sums[t] += Σ_c values[c] · x[t · xStride + c] for every batch row t < batch.
template <int L>
GLVQ_INLINE void accumulate(const typename Simd<L>::F* values, std::uint32_t n, const float* x, std::int64_t xStride,
                            int batch, typename Simd<L>::F* sums)
{
    constexpr int kRowsAtOnce = 4;
    int t = 0;
    for (; t + kRowsAtOnce <= batch; t += kRowsAtOnce)
        accumulateRows<L, kRowsAtOnce>(values, n, x + t * xStride, xStride, sums + t);
    for (; t < batch; ++t)
        accumulateRows<L, 1>(values, n, x + t * xStride, xStride, sums + t);
}

// y[t · rows + row0 + r] for r < rowCount ≤ L, every batch row t.
template <int L>
GLVQ_INLINE void productRowBlock(const Plan& P, const Scratch& S, std::int64_t row0, int rowCount, float* y)
{
    const std::uint32_t tileColumns = tileColumnsFor(P.dim);
    typename Simd<L>::U* words = S.words<L>();
    typename Simd<L>::F* codes = S.codes<L>();
    typename Simd<L>::F* expanded = S.expanded<L>();
    typename Simd<L>::F* groupSum = S.groupSum<L>();
    typename Simd<L>::D* rowSum = S.rowSum<L>();
    for (int t = 0; t < P.batch; ++t)
        rowSum[t] = typename Simd<L>::D {};
    for (const Group& G : P.groups.list) {
        transposeWords<L>(G, row0, rowCount, words);
        for (int t = 0; t < P.batch; ++t)
            groupSum[t] = typename Simd<L>::F {};
        for (std::uint64_t c0 = 0; c0 < G.columns; c0 += tileColumns) {
            const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(tileColumns, G.columns - c0));
            unpackCodesFor<L>(G, words, static_cast<std::uint32_t>(c0), n, codes);
            const typename Simd<L>::F* values = codes;
            if (G.companded) {
                multiplyTileFor<L, true>(G, P.dim, n, codes, expanded);
                values = expanded;
            }
            accumulate<L>(values, n, P.xin.data() + G.first + c0, P.cols, P.batch, groupSum);
        }
        const double scale = G.scale;
        for (int t = 0; t < P.batch; ++t)
            rowSum[t] += __builtin_convertvector(groupSum[t], typename Simd<L>::D) * scale;
    }
    for (int t = 0; t < P.batch; ++t)
        for (int r = 0; r < rowCount; ++r) {
            const double rowScale = P.rowScales ? glvq_half_to_float(P.rowScales[row0 + r]) : 1.0;
            y[static_cast<std::int64_t>(t) * P.rows + row0 + r] = static_cast<float>(rowScale * rowSum[t][r]);
        }
}

// Rows [rowBegin, rowEnd) in blocks of L.
struct ProductRows {
    template <int L>
    static GLVQ_INLINE void run(const Plan& P, const Scratch& S, const std::int64_t& rowBegin,
                                const std::int64_t& rowEnd, float* const& y)
    {
        for (std::int64_t row0 = rowBegin; row0 < rowEnd; row0 += L)
            productRowBlock<L>(P, S, row0, static_cast<int>(std::min<std::int64_t>(L, rowEnd - row0)), y);
    }
};

} // namespace
} // namespace glvq_cpu

glvq_status glvq_gemm_cpu(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                          const float* x, std::int32_t batch, float* y)
{
    return glvq_gemm_cpu_isa(GLVQ_CPU_ISA_AUTO, layer, row_begin, row_end, x, batch, y);
}

glvq_status glvq_gemm_cpu_isa(glvq_cpu_isa isa, const glvq_packed_layer* layer, std::int64_t row_begin,
                              std::int64_t row_end, const float* x, std::int32_t batch, float* y)
{
    using namespace glvq_cpu;
    if (const glvq_status s = resolveIsa(isa, "gemm (CPU)"); s != GLVQ_OK)
        return s;
    if (const glvq_status s = glvq_check_row_range(layer, row_begin, row_end, "gemm (CPU)"); s != GLVQ_OK)
        return s;
    if (!x || !y || batch < 1)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "gemm (CPU): need x, y and batch >= 1");
    if (row_begin == row_end)
        return GLVQ_OK;
    try {
        const Plan P = makePlan(*layer, x, batch);
        const Scratch S(P.groups.widestRowWords, batch);
        runOnIsa<ProductRows>(isa, P, S, row_begin, row_end, y);
    } catch (const std::bad_alloc&) {
        return glvq_fail(GLVQ_ERR_OUT_OF_MEMORY, "gemm (CPU): out of host memory");
    }
    return GLVQ_OK;
}
