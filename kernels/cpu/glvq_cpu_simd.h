// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to kernels/cpu: the SIMD building blocks of the fast CPU product and decoder (glvq_cpu.h). A block
// of L rows is one SIMD register, one lane per row (GNU vector types: L = 16 with AVX-512, 8 with AVX2 + FMA,
// 4 in the portable SSE2 build), so every operation below is one instruction per register by construction.
// Every SIMD function is a template forced inline, so each instruction set's entry point (a function with a
// target attribute) compiles its own copy; nothing in the unnamed namespace below may be called outside such an
// entry point, and being TU-local, no out-of-line copy built with other flags can stand in for it. The sources
// with entry points are compiled with -ffp-contract=fast and -O3 (kernels/CMakeLists.txt).
#include "kernels/glvq_cpu.h"
#include "kernels/glvq_layout.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#define GLVQ_X86_LEVELS 1
#endif
#define GLVQ_INLINE inline __attribute__((always_inline))

namespace glvq_cpu {

constexpr std::uint32_t kTileColumns = 256; // columns per pass: ≤ 16 KB a tile (codes, expanded), in L1
constexpr std::size_t kSlot = 64;           // bytes per register in scratch buffers: the widest (AVX-512) one

// Whether this CPU runs `isa` (PORTABLE always; AUTO never).
bool cpuRuns(glvq_cpu_isa isa);
// AUTO becomes the best set this CPU runs; a set it does not run gives GLVQ_ERR_UNSUPPORTED with a message
// naming `what` (the operation) and the set.
glvq_status resolveIsa(glvq_cpu_isa& isa, const char* what);

// One group's side info in fp32 (fp16 → fp32 is exact).
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
    const float* generator = nullptr; // d × d fp32, row-major (in Groups::generators)
};

struct Groups {
    Groups() = default;
    Groups(const Groups&) = delete; // each Group points into generators
    Groups& operator=(const Groups&) = delete;
    Groups(Groups&&) = default;     // a moved vector keeps its buffer
    Groups& operator=(Groups&&) = default;

    std::vector<Group> list;
    std::vector<float> generators;
    std::uint32_t widestRowWords = 0;
};
Groups makeGroups(const glvq_packed_layer& layer); // throws std::bad_alloc

namespace { // TU-local: see the top of the file

// One value per row of a block of L rows. Aligned to their size (at most 64 bytes) explicitly: left alone, a
// vector type's alignment follows the instruction set it is compiled for (16 bytes for a 64-byte vector in
// the portable build), and containers ignore attributes on template arguments, so scratch arrays are carved
// out of 64-byte-aligned buffers by hand (ScratchArena).
template <int L>
struct Simd {
    static constexpr std::size_t kAlign4 = L * 4 < 64 ? L * 4 : 64; // for 4-byte lanes
    static constexpr std::size_t kAlign8 = L * 8 < 64 ? L * 8 : 64; // for 8-byte lanes
    typedef float F __attribute__((vector_size(L * sizeof(float)), aligned(kAlign4)));
    typedef std::uint32_t U __attribute__((vector_size(L * sizeof(std::uint32_t)), aligned(kAlign4)));
    typedef std::int32_t I __attribute__((vector_size(L * sizeof(std::int32_t)), aligned(kAlign4)));
    typedef double D __attribute__((vector_size(L * sizeof(double)), aligned(kAlign8)));
};

} // namespace

// Slots of kSlot bytes handed out in order from one 64-byte-aligned allocation (throws std::bad_alloc).
class ScratchArena {
public:
    explicit ScratchArena(std::size_t slots) : m_storage(kSlot * (slots + 1u))
    {
        const auto base = reinterpret_cast<std::uintptr_t>(m_storage.data());
        m_next = m_storage.data() + ((kSlot - base % kSlot) % kSlot);
    }
    unsigned char* take(std::size_t slots)
    {
        unsigned char* at = m_next;
        m_next += slots * kSlot;
        return at;
    }

private:
    std::vector<unsigned char> m_storage;
    unsigned char* m_next = nullptr;
};

namespace { // TU-local: see the top of the file

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
inline constexpr Exp2m1Series kExp2m1;

// F⁻¹_μ(v) = sign(v)·(2^t − 1)/μ with t = |v|·log2(1 + μ). With n = round(t), f = t − n and h = 2^(n−1),
// 2^t − 1 = 2·(h·(2^f − 1) + (h − ½)): every term keeps full relative precision as t → 0 (n = 0: h − ½ = 0
// exactly), h stays finite up to n = 128, and the final doubling is exact, so the result overflows to +inf
// exactly where expm1f does (t is capped at 128, past which it is +inf anyway; NaN stays NaN). Like expm1f
// of an fp32 argument, the result carries t's rounding: up to t·2^-24·ln 2 relative (2e-7 at t = 8, the
// largest |v| = 1 gives at μ = 255).
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
// words has G.rowWords + 1 registers.
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

// out[k·d + a] = Σ_b G[a, b] · codes[k·d + b] for the n columns of a tile, then (Companded) F⁻¹_μ of it. D > 0: compile-time d; D = 0: run-time d.
template <int L, int D, bool Companded>
GLVQ_INLINE void multiplyTile(const Group& G, int dim, std::uint32_t n, const typename Simd<L>::F* codes,
                              typename Simd<L>::F* out)
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
            if constexpr (Companded)
                expandLanes<L>(v, G.log2Rho, G.invMu, out[k + static_cast<std::uint32_t>(a)]);
            else
                out[k + static_cast<std::uint32_t>(a)] = v;
        }
    }
}

template <int L, bool Companded>
GLVQ_INLINE void multiplyTileFor(const Group& G, int dim, std::uint32_t n, const typename Simd<L>::F* codes,
                                 typename Simd<L>::F* out)
{
    switch (dim) {
    case 1: multiplyTile<L, 1, Companded>(G, dim, n, codes, out); break;
    case 2: multiplyTile<L, 2, Companded>(G, dim, n, codes, out); break;
    case 4: multiplyTile<L, 4, Companded>(G, dim, n, codes, out); break;
    case 8: multiplyTile<L, 8, Companded>(G, dim, n, codes, out); break;
    case 16: multiplyTile<L, 16, Companded>(G, dim, n, codes, out); break;
    default: multiplyTile<L, 0, Companded>(G, dim, n, codes, out); break;
    }
}

// Columns per tile for lattice dimension d: whole sub-vectors, at most kTileColumns.
inline std::uint32_t tileColumnsFor(int dim)
{
    return kTileColumns / static_cast<std::uint32_t>(dim) * static_cast<std::uint32_t>(dim);
}

// The entry points: Body::template run<L>(args...) compiled once per instruction set, with the register width
// L of that set (4 portable SSE2 lanes, 8 with AVX2, 16 with AVX-512), everything it calls inlined into it.
template <typename Body, typename... Args>
void runPortable(Args&... args)
{
    Body::template run<4>(args...);
}
#if GLVQ_X86_LEVELS
template <typename Body, typename... Args>
__attribute__((target("arch=x86-64-v3"))) void runAvx2(Args&... args)
{
    Body::template run<8>(args...);
}
template <typename Body, typename... Args>
__attribute__((target("arch=x86-64-v4"))) void runAvx512(Args&... args)
{
    Body::template run<16>(args...);
}
#endif

// Runs Body on `isa`, which the caller has resolved (resolveIsa) to one this CPU runs.
template <typename Body, typename... Args>
void runOnIsa(glvq_cpu_isa isa, Args&... args)
{
    switch (isa) {
#if GLVQ_X86_LEVELS
    case GLVQ_CPU_ISA_AVX512: runAvx512<Body>(args...); return;
    case GLVQ_CPU_ISA_AVX2: runAvx2<Body>(args...); return;
#endif
    default: runPortable<Body>(args...); return;
    }
}

} // namespace
} // namespace glvq_cpu
