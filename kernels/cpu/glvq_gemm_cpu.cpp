// SPDX-License-Identifier: GPL-3.0-or-later
// Fused decode + GEMM on the CPU (glvq_cpu.h). Each block of L rows runs through every group:
//   1. the block's code words of the group, transposed to [word][lane], so that lane r's codes sit at the
//      same bit position of every vector and one shift serves all lanes;
//   2. per tile of columns: codes → z = u − o as [column][lane]; a companded group then turns each
//      sub-vector into F⁻¹_μ(G z) in a second tile;
//   3. per batch row: sum[lane] += tile[column][lane] · x'[column], x' = x̂ = Gᵀx (linear groups) or x.
// A block is one SIMD register of rows (GNU vector types: 16 with AVX-512, 8 with AVX2 + FMA, 4 in the
// portable SSE2 build), so every operation below is one instruction per register by construction. The
// row-block function is compiled once per instruction set and the best one the CPU runs is picked once,
// so one binary serves every CPU; a row's result does not depend on which rows share its block.
// Compiled with -ffp-contract=fast and -O3 (kernels/CMakeLists.txt): a·b + c becomes an FMA where it can.
#include "kernels/glvq_cpu.h"
#include "kernels/glvq_fail.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <new>
#include <string>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#define GLVQ_X86_LEVELS 1
#endif
// Everything a row block runs must be inlined into each instruction set's copy to be compiled for it.
#define GLVQ_INLINE inline __attribute__((always_inline))

namespace {

constexpr std::uint32_t kTileColumns = 256; // columns per pass: ≤ 16 KB a tile (codes, expanded), in L1
constexpr std::size_t kSlot = 64;           // bytes per register in Scratch: the widest (AVX-512) one

struct Group {
    const std::uint32_t* words = nullptr; // row 0 of the group's codes
    std::uint32_t rowWords = 0;
    std::uint32_t columns = 0;
    std::uint32_t first = 0;
    std::uint32_t bits = 0;
    bool companded = false;
    float offset = 0.0f;  // o_b = (2^b − 1)/2
    float log2Rho = 0.0f; // log2(1 + μ)
    float invMu = 0.0f;
    float scale = 0.0f;   // s_g
    const float* generator = nullptr; // d × d fp32, row-major (in Plan::generators)
};

// What every row block of one call shares.
struct Plan {
    Plan() = default;
    Plan(const Plan&) = delete; // groups point into generators
    Plan& operator=(const Plan&) = delete;
    Plan(Plan&&) = default;     // a moved vector keeps its buffer
    Plan& operator=(Plan&&) = default;

    std::int64_t rows = 0;
    std::int64_t cols = 0;
    int dim = 0;
    int batch = 0;
    const std::uint16_t* rowScales = nullptr;
    std::uint32_t widestRowWords = 0;
    std::vector<Group> groups;
    std::vector<float> generators;
    std::vector<float> xin; // [batch][cols]: x̂ = Gᵀx per sub-vector in linear groups, x in companded ones
};

// One value per row of a block of L rows. Aligned to their size (at most 64 bytes) explicitly: left alone, a
// vector type's alignment follows the instruction set it is compiled for (16 bytes for a 64-byte vector in
// the portable build), and containers ignore attributes on template arguments, so Scratch carves its arrays
// out of one 64-byte-aligned buffer by hand.
template <int L>
struct Simd {
    static constexpr std::size_t kAlign4 = L * 4 < 64 ? L * 4 : 64; // for 4-byte lanes
    static constexpr std::size_t kAlign8 = L * 8 < 64 ? L * 8 : 64; // for 8-byte lanes
    typedef float F __attribute__((vector_size(L * sizeof(float)), aligned(kAlign4)));
    typedef std::uint32_t U __attribute__((vector_size(L * sizeof(std::uint32_t)), aligned(kAlign4)));
    typedef std::int32_t I __attribute__((vector_size(L * sizeof(std::int32_t)), aligned(kAlign4)));
    typedef double D __attribute__((vector_size(L * sizeof(double)), aligned(kAlign8)));
};

// Per-call buffers, one kSlot per register (two for the fp64 sums), whatever the block width.
class Scratch {
public:
    Scratch(std::uint32_t widestRowWords, int batch)
        : m_storage(kSlot * (1u + (widestRowWords + 1u) + 2u * kTileColumns + 3u * static_cast<std::size_t>(batch)))
    {
        const auto base = reinterpret_cast<std::uintptr_t>(m_storage.data());
        unsigned char* next = m_storage.data() + ((kSlot - base % kSlot) % kSlot);
        auto take = [&next](std::size_t slots) {
            unsigned char* at = next;
            next += slots * kSlot;
            return at;
        };
        m_words = take(widestRowWords + 1u);
        m_codes = take(kTileColumns);
        m_expanded = take(kTileColumns);
        m_groupSum = take(static_cast<std::size_t>(batch));
        m_rowSum = take(2u * static_cast<std::size_t>(batch));
    }

    // The block's code words of one group, transposed: widest row + 1 registers.
    template <int L> typename Simd<L>::U* words() const { return reinterpret_cast<typename Simd<L>::U*>(m_words); }
    template <int L> typename Simd<L>::F* codes() const { return reinterpret_cast<typename Simd<L>::F*>(m_codes); }       // u − o
    template <int L> typename Simd<L>::F* expanded() const { return reinterpret_cast<typename Simd<L>::F*>(m_expanded); } // F⁻¹(G z)
    template <int L> typename Simd<L>::F* groupSum() const { return reinterpret_cast<typename Simd<L>::F*>(m_groupSum); } // per batch row
    template <int L> typename Simd<L>::D* rowSum() const { return reinterpret_cast<typename Simd<L>::D*>(m_rowSum); }     // per batch row

private:
    std::vector<unsigned char> m_storage;
    unsigned char* m_words = nullptr;
    unsigned char* m_codes = nullptr;
    unsigned char* m_expanded = nullptr;
    unsigned char* m_groupSum = nullptr;
    unsigned char* m_rowSum = nullptr;
};

Plan makePlan(const glvq_packed_layer& L, const float* x, int batch)
{
    Plan P;
    P.rows = L.rows;
    P.cols = L.cols;
    P.dim = L.dim;
    P.batch = batch;
    P.rowScales = L.row_scales;
    const std::size_t dd = static_cast<std::size_t>(L.dim) * static_cast<std::size_t>(L.dim);
    P.generators.resize(dd * static_cast<std::size_t>(L.group_count));
    for (std::size_t e = 0; e < P.generators.size(); ++e)
        P.generators[e] = glvq_half_to_float(L.generators[e]);
    P.groups.resize(static_cast<std::size_t>(L.group_count));
    P.xin.resize(static_cast<std::size_t>(batch) * static_cast<std::size_t>(L.cols));
    for (std::int32_t g = 0; g < L.group_count; ++g) {
        Group& G = P.groups[static_cast<std::size_t>(g)];
        G.words = L.words + L.word_offsets[g];
        G.columns = L.columns[g];
        G.bits = L.bits[g];
        G.rowWords = glvq_row_words(G.columns, G.bits);
        G.first = L.first_column[g];
        G.offset = static_cast<float>((1 << G.bits) - 1) * 0.5f;
        const float mu = glvq_half_to_float(L.mu[g]);
        G.companded = mu > 0.0f;
        G.log2Rho = G.companded ? static_cast<float>(std::log2(1.0 + static_cast<double>(mu))) : 0.0f;
        G.invMu = G.companded ? 1.0f / mu : 0.0f;
        G.scale = glvq_half_to_float(L.scale[g]);
        G.generator = P.generators.data() + dd * static_cast<std::size_t>(g);
        P.widestRowWords = std::max(P.widestRowWords, G.rowWords);
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
    }
    return P;
}

// 2^f − 1 for f ∈ [−½, ½]: the Taylor series of e^{f ln 2} − 1 to degree 7 (truncation below 6e-9).
struct Exp2m1Series {
    std::array<float, 8> c{}; // c[k] = (ln 2)^k / k!, c[0] unused
    constexpr Exp2m1Series()
    {
        double term = 1.0;
        for (int k = 1; k < 8; ++k) {
            term *= 0.69314718055994530942 / k;
            c[static_cast<std::size_t>(k)] = static_cast<float>(term);
        }
    }
};
constexpr Exp2m1Series kExp2m1;

// F⁻¹_μ(v) = sign(v)·(2^t − 1)/μ with t = |v|·log2(1 + μ). With n = round(t), f = t − n and h = 2^(n−1),
// 2^t − 1 = 2·(h·(2^f − 1) + (h − ½)): every term keeps full relative precision as t → 0 (n = 0: h − ½ = 0
// exactly), h stays finite up to n = 128, and the final doubling is exact, so the result overflows to +inf
// exactly where expm1f does (t is capped at 128, past which it is +inf anyway; NaN stays NaN).
// (Vectors pass by reference: by value, the portable build's calling convention for them would differ from
// the AVX builds'.)
template <int L>
GLVQ_INLINE void expandLanes(const typename Simd<L>::F& v, float log2Rho, float invMu, typename Simd<L>::F& out)
{
    using F = typename Simd<L>::F;
    using U = typename Simd<L>::U;
    using I = typename Simd<L>::I;
    constexpr float kRound = 12582912.0f; // 1.5 · 2^23: t + kRound rounds t ∈ [0, 2^22) to an integer
    const U sign = (U)v & 0x80000000u;
    const F tRaw = (F)((U)v & 0x7fffffffu) * log2Rho;
    const F t = tRaw > 128.0f ? 128.0f : tRaw;
    const F shifted = t + kRound;
    const F f = t - (shifted - kRound);
    F q = f * kExp2m1.c[7] + kExp2m1.c[6];
    for (int k = 5; k >= 1; --k)
        q = q * f + kExp2m1.c[static_cast<std::size_t>(k)];
    q *= f;
    // h = 2^(n−1) as bits: (n + 126) << 23 with n = bits(shifted) − bits(kRound), in one add.
    const F h = (F)(((I)shifted + (126 - std::bit_cast<std::int32_t>(kRound))) << 23);
    const F e = ((h * q + (h - 0.5f)) * 2.0f) * invMu;
    out = (F)((U)e | sign);
}

// words[w] lane r = word w of row row0 + r of group G, and 0 past the block and in word rowWords: the 3-bit
// unpack reads words[w + 1] for every code of word w, the last word's included (bits it then masks off).
template <int L>
GLVQ_INLINE void transposeWords(const Group& G, std::int64_t row0, int rowCount, typename Simd<L>::U* words)
{
    for (std::uint32_t w = 0; w <= G.rowWords; ++w)
        words[w] = typename Simd<L>::U {};
    for (int r = 0; r < rowCount; ++r) {
        const std::uint32_t* in = G.words + static_cast<std::uint64_t>(row0 + r) * G.rowWords;
        for (std::uint32_t w = 0; w < G.rowWords; ++w)
            words[w][r] = in[w];
    }
}

// codes[c] = u − o for the group's columns [c0, c0 + n). Only 3-bit codes straddle two words; for them the
// next word's bits are shifted in branch-free ((hi << 1) << (31 − shift) is defined for every shift and lands
// above the mask when the code does not straddle).
template <int L, bool Straddles>
GLVQ_INLINE void unpackCodes(const Group& G, const typename Simd<L>::U* words, std::uint32_t c0, std::uint32_t n,
                             typename Simd<L>::F* codes)
{
    using U = typename Simd<L>::U;
    using I = typename Simd<L>::I;
    const std::uint32_t mask = (1u << G.bits) - 1u;
    for (std::uint32_t c = 0; c < n; ++c) {
        const std::uint64_t bit = static_cast<std::uint64_t>(c0 + c) * G.bits;
        const std::uint32_t shift = static_cast<std::uint32_t>(bit & 31u);
        U u = words[bit >> 5] >> shift;
        if constexpr (Straddles)
            u |= (words[(bit >> 5) + 1] << 1u) << (31u - shift);
        codes[c] = __builtin_convertvector((I)(u & mask), typename Simd<L>::F) - G.offset;
    }
}

template <int L>
GLVQ_INLINE void unpackCodesFor(const Group& G, const typename Simd<L>::U* words, std::uint32_t c0, std::uint32_t n,
                                typename Simd<L>::F* codes)
{
    if (32u % G.bits == 0u)
        unpackCodes<L, false>(G, words, c0, n, codes);
    else
        unpackCodes<L, true>(G, words, c0, n, codes);
}

// expanded[k·d + a] = F⁻¹_μ(Σ_b G[a, b] · codes[k·d + b]) for the n columns of a tile.
// D > 0: compile-time d; D = 0: run-time d.
template <int L, int D>
GLVQ_INLINE void expandTile(const Group& G, int dim, std::uint32_t n, const typename Simd<L>::F* codes,
                            typename Simd<L>::F* expanded)
{
    const int d = D > 0 ? D : dim;
    for (std::uint32_t k = 0; k < n; k += static_cast<std::uint32_t>(d)) {
        // The sub-vector's codes once into registers (D ≤ 16), not d times from the tile.
        typename Simd<L>::F z[D > 0 ? D : 32];
        for (int b = 0; b < d; ++b)
            z[b] = codes[k + static_cast<std::uint32_t>(b)];
        for (int a = 0; a < d; ++a) {
            const float* row = G.generator + a * d;
            typename Simd<L>::F v = z[0] * row[0];
            for (int b = 1; b < d; ++b)
                v += z[b] * row[b];
            expandLanes<L>(v, G.log2Rho, G.invMu, expanded[k + static_cast<std::uint32_t>(a)]);
        }
    }
}

template <int L>
GLVQ_INLINE void expandTileFor(const Group& G, int dim, std::uint32_t n, const typename Simd<L>::F* codes,
                               typename Simd<L>::F* expanded)
{
    switch (dim) {
    case 1: expandTile<L, 1>(G, dim, n, codes, expanded); break;
    case 2: expandTile<L, 2>(G, dim, n, codes, expanded); break;
    case 4: expandTile<L, 4>(G, dim, n, codes, expanded); break;
    case 8: expandTile<L, 8>(G, dim, n, codes, expanded); break;
    case 16: expandTile<L, 16>(G, dim, n, codes, expanded); break;
    default: expandTile<L, 0>(G, dim, n, codes, expanded); break;
    }
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
    const std::uint32_t tileColumns = kTileColumns / static_cast<std::uint32_t>(P.dim) * static_cast<std::uint32_t>(P.dim);
    typename Simd<L>::U* words = S.words<L>();
    typename Simd<L>::F* codes = S.codes<L>();
    typename Simd<L>::F* expanded = S.expanded<L>();
    typename Simd<L>::F* groupSum = S.groupSum<L>();
    typename Simd<L>::D* rowSum = S.rowSum<L>();
    for (int t = 0; t < P.batch; ++t)
        rowSum[t] = typename Simd<L>::D {};
    for (const Group& G : P.groups) {
        transposeWords<L>(G, row0, rowCount, words);
        for (int t = 0; t < P.batch; ++t)
            groupSum[t] = typename Simd<L>::F {};
        for (std::uint64_t c0 = 0; c0 < G.columns; c0 += tileColumns) {
            const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(tileColumns, G.columns - c0));
            unpackCodesFor<L>(G, words, static_cast<std::uint32_t>(c0), n, codes);
            const typename Simd<L>::F* values = codes;
            if (G.companded) {
                expandTileFor<L>(G, P.dim, n, codes, expanded);
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

// Rows [row_begin, row_end) in blocks of L.
template <int L>
GLVQ_INLINE void productRows(const Plan& P, const Scratch& S, std::int64_t rowBegin, std::int64_t rowEnd, float* y)
{
    for (std::int64_t row0 = rowBegin; row0 < rowEnd; row0 += L)
        productRowBlock<L>(P, S, row0, static_cast<int>(std::min<std::int64_t>(L, rowEnd - row0)), y);
}

using RowsFunction = void (*)(const Plan&, const Scratch&, std::int64_t, std::int64_t, float*);

void rowsPortable(const Plan& P, const Scratch& S, std::int64_t rowBegin, std::int64_t rowEnd, float* y)
{
    productRows<4>(P, S, rowBegin, rowEnd, y); // SSE2: 4 fp32 lanes
}
#if GLVQ_X86_LEVELS
__attribute__((target("arch=x86-64-v3"))) void rowsAvx2(const Plan& P, const Scratch& S, std::int64_t rowBegin,
                                                         std::int64_t rowEnd, float* y)
{
    productRows<8>(P, S, rowBegin, rowEnd, y);
}
__attribute__((target("arch=x86-64-v4"))) void rowsAvx512(const Plan& P, const Scratch& S, std::int64_t rowBegin,
                                                           std::int64_t rowEnd, float* y)
{
    productRows<16>(P, S, rowBegin, rowEnd, y);
}
#endif

bool cpuRuns(glvq_cpu_isa isa)
{
#if GLVQ_X86_LEVELS
    __builtin_cpu_init();
    switch (isa) {
    case GLVQ_CPU_ISA_AVX512: return __builtin_cpu_supports("x86-64-v4");
    case GLVQ_CPU_ISA_AVX2: return __builtin_cpu_supports("x86-64-v3");
    default: return isa == GLVQ_CPU_ISA_PORTABLE;
    }
#else
    return isa == GLVQ_CPU_ISA_PORTABLE;
#endif
}

RowsFunction rowsFunction(glvq_cpu_isa isa)
{
    switch (isa) {
#if GLVQ_X86_LEVELS
    case GLVQ_CPU_ISA_AVX512: return rowsAvx512;
    case GLVQ_CPU_ISA_AVX2: return rowsAvx2;
#endif
    default: return rowsPortable;
    }
}

} // namespace

glvq_cpu_isa glvq_cpu_best_isa()
{
    static const glvq_cpu_isa best = cpuRuns(GLVQ_CPU_ISA_AVX512) ? GLVQ_CPU_ISA_AVX512
                                     : cpuRuns(GLVQ_CPU_ISA_AVX2) ? GLVQ_CPU_ISA_AVX2
                                                                  : GLVQ_CPU_ISA_PORTABLE;
    return best;
}

const char* glvq_cpu_isa_name(glvq_cpu_isa isa)
{
    switch (isa) {
    case GLVQ_CPU_ISA_AUTO: return "auto";
    case GLVQ_CPU_ISA_PORTABLE: return "portable";
    case GLVQ_CPU_ISA_AVX2: return "avx2";
    case GLVQ_CPU_ISA_AVX512: return "avx512";
    }
    return "unknown";
}

glvq_status glvq_gemm_cpu(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                          const float* x, std::int32_t batch, float* y)
{
    return glvq_gemm_cpu_isa(GLVQ_CPU_ISA_AUTO, layer, row_begin, row_end, x, batch, y);
}

glvq_status glvq_gemm_cpu_isa(glvq_cpu_isa isa, const glvq_packed_layer* layer, std::int64_t row_begin,
                              std::int64_t row_end, const float* x, std::int32_t batch, float* y)
{
    if (isa == GLVQ_CPU_ISA_AUTO)
        isa = glvq_cpu_best_isa();
    else if (!cpuRuns(isa))
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, std::string("gemm (CPU): this CPU does not run the ")
                                                   + glvq_cpu_isa_name(isa) + " instruction set");
    if (const glvq_status s = glvq_check_row_range(layer, row_begin, row_end, "gemm (CPU)"); s != GLVQ_OK)
        return s;
    if (!x || !y || batch < 1)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "gemm (CPU): need x, y and batch >= 1");
    if (row_begin == row_end)
        return GLVQ_OK;
    try {
        const Plan P = makePlan(*layer, x, batch);
        const Scratch S(P.widestRowWords, batch);
        rowsFunction(isa)(P, S, row_begin, row_end, y);
    } catch (const std::bad_alloc&) {
        return glvq_fail(GLVQ_ERR_OUT_OF_MEMORY, "gemm (CPU): out of host memory");
    }
    return GLVQ_OK;
}
