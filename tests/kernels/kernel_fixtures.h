// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Synthetic GLVQ layers for the kernel tests and benches: random codes, fp16 side info, mixed widths, with
// the packed arrays owned here and viewed as a glvq_packed_layer. Plus the fp64 reference (decode and
// products in double) and the relative error ‖out − ref‖ / ‖ref‖ that NaN never passes.
// Header-only so bench/ can use it without linking tests/.
#include "kernels/glvq_layout.h"
#include "kernels/glvq_packed_storage.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace glvq::kernel_test {

struct LayerSpec {
    std::int64_t rows = 64;
    std::int32_t dim = 8;
    std::vector<std::uint32_t> columns;  // per group, multiples of dim
    std::vector<std::uint8_t> bits;      // per group, 1..4
    int companding = 0;                  // 0 off, 1 on (μ ∈ [1, 255]), 2 mixed (every other group on)
    bool rowScales = true;
    std::uint64_t seed = 1;
};

struct SyntheticLayer : kernels::PackedLayerStorage {
    std::vector<std::uint8_t> codes; // dense [rows, cols]

    float generator(std::int32_t g, int a, int b) const
    {
        return glvq_half_to_float(generators[(static_cast<std::size_t>(g) * dim + a) * dim + b]);
    }
};

inline std::uint16_t half(float f) { return glvq_float_to_half(f); }

inline SyntheticLayer makeLayer(const LayerSpec& spec)
{
    if (spec.columns.size() != spec.bits.size() || spec.columns.empty())
        throw std::invalid_argument("makeLayer: need one bit width per group");
    std::mt19937_64 rng(spec.seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    SyntheticLayer L;
    L.rows = spec.rows;
    L.dim = spec.dim;
    L.columns = spec.columns;
    L.bits = spec.bits;
    const auto groups = static_cast<std::int32_t>(spec.columns.size());
    for (std::uint32_t n : spec.columns) {
        L.firstColumn.push_back(static_cast<std::uint32_t>(L.cols));
        L.cols += n;
    }
    L.wordOffsets.resize(static_cast<std::size_t>(groups) + 1);
    if (glvq_compute_word_offsets(L.rows, groups, L.columns.data(), L.bits.data(), L.wordOffsets.data()) != GLVQ_OK)
        throw std::invalid_argument(std::string("makeLayer: ") + glvq_last_error());
    L.words.assign(L.wordOffsets.back(), 0u);
    L.codes.resize(static_cast<std::size_t>(L.rows * L.cols));
    for (std::int32_t g = 0; g < groups; ++g) {
        // G ≈ 0.6 (I + noise / √d): well conditioned, mixed signs, fp16 values.
        for (int a = 0; a < L.dim; ++a)
            for (int b = 0; b < L.dim; ++b)
                L.generators.push_back(half(0.6f * ((a == b ? 1.0f : 0.0f) + 0.35f * normal(rng) / std::sqrt(float(L.dim)))));
        const bool on = spec.companding == 1 || (spec.companding == 2 && g % 2 == 1);
        L.mu.push_back(half(on ? 1.0f + 254.0f * uniform(rng) * uniform(rng) : 0.0f));
        L.scale.push_back(half(0.01f + 0.1f * uniform(rng)));
        // Codes uniform in [0, 2^b − 1]: one splitmix64 draw gives 8 codes (benches build 235M-weight layers).
        const std::uint32_t maxCode = (1u << L.bits[static_cast<std::size_t>(g)]) - 1u;
        std::uint64_t state = rng();
        std::uint64_t pool = 0;
        int left = 0;
        for (std::int64_t i = 0; i < L.rows; ++i)
            for (std::uint32_t j = 0; j < L.columns[static_cast<std::size_t>(g)]; ++j) {
                if (left == 0) {
                    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
                    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
                    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
                    pool = z ^ (z >> 31);
                    left = 8;
                }
                L.codes[static_cast<std::size_t>(i * L.cols + L.firstColumn[static_cast<std::size_t>(g)] + j)] =
                    static_cast<std::uint8_t>(pool & maxCode);
                pool >>= 8;
                --left;
            }
        if (glvq_pack_group(L.codes.data() + L.firstColumn[static_cast<std::size_t>(g)], L.cols, L.rows,
                            L.columns[static_cast<std::size_t>(g)], L.bits[static_cast<std::size_t>(g)],
                            L.words.data() + L.wordOffsets[static_cast<std::size_t>(g)])
            != GLVQ_OK)
            throw std::invalid_argument(std::string("makeLayer: ") + glvq_last_error());
    }
    if (spec.rowScales)
        for (std::int64_t i = 0; i < L.rows; ++i)
            L.rowScales.push_back(half(0.5f + 1.5f * uniform(rng)));
    return L;
}

// Groups of `width` columns (the last one narrower if needed) with bits cycling through `bitCycle`.
inline LayerSpec uniformSpec(std::int64_t rows, std::int64_t cols, std::uint32_t width, std::vector<std::uint8_t> bitCycle,
                             std::int32_t dim, int companding, bool rowScales, std::uint64_t seed)
{
    LayerSpec s;
    s.rows = rows;
    s.dim = dim;
    s.companding = companding;
    s.rowScales = rowScales;
    s.seed = seed;
    for (std::int64_t c = 0; c < cols; c += width) {
        s.columns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(width, cols - c)));
        s.bits.push_back(bitCycle[s.bits.size() % bitCycle.size()]);
    }
    return s;
}

// Odd group widths (8, 24, 136, 40) and every bit width in one layer: d = 8, 23 rows, every other group
// companded, row scales on.
inline LayerSpec oddWidthsSpec(std::uint64_t seed)
{
    LayerSpec s;
    s.rows = 23;
    s.dim = 8;
    s.columns = {8, 24, 136, 40};
    s.bits = {3, 1, 4, 2};
    s.companding = 2;
    s.seed = seed;
    return s;
}

// One 19 × 64 companded group (d = 8, 2 bits, row scales) at the edges of the compander: μ at both ends of
// fp16 (the smallest subnormal, where log2(1 + μ) ≈ 8.6e-8 and 1/μ ≈ 1.7e7, and 65504), and t = |v|·log2(1 + μ)
// = 127.5, just below expm1f's overflow at 128, where 2^t is finite but 2^n is not when n is rounded up to 128
// (log2(256) = 8, G = 10.625·I, |z| = 1.5). One layer each: their weights differ by up to 30 orders of magnitude.
struct ExtremeCompanding {
    const char* what;
    SyntheticLayer layer;
};

inline std::vector<ExtremeCompanding> extremeCompandingLayers(std::uint64_t seed)
{
    auto make = [seed](const char* what, std::uint16_t mu, float diagonal, std::uint64_t offset) {
        auto layer = makeLayer(uniformSpec(19, 64, 64, {2}, 8, 1, true, seed + offset));
        layer.mu[0] = mu;
        if (diagonal > 0.0f)
            for (int a = 0; a < 8; ++a)
                for (int b = 0; b < 8; ++b)
                    layer.generators[static_cast<std::size_t>(a * 8 + b)] = half(a == b ? diagonal : 0.0f);
        return ExtremeCompanding { what, std::move(layer) };
    };
    std::vector<ExtremeCompanding> layers;
    layers.push_back(make("mu = 2^-24", 0x0001, 0.0f, 0));
    layers.push_back(make("mu = 65504", half(65504.0f), 0.0f, 2));
    layers.push_back(make("t = 127.5", half(255.0f), 10.625f, 4));
    return layers;
}

// Ŵ in fp64 from the uint8 codes and the fp16 side info (the exact maths, no fp32 rounding).
inline std::vector<double> decodeFp64(const SyntheticLayer& L)
{
    std::vector<double> w(static_cast<std::size_t>(L.rows * L.cols));
    for (std::size_t g = 0; g < L.columns.size(); ++g) {
        const double o = ((1 << L.bits[g]) - 1) / 2.0;
        const double mu = glvq_half_to_float(L.mu[g]);
        const double s = glvq_half_to_float(L.scale[g]);
        for (std::int64_t i = 0; i < L.rows; ++i) {
            const double r = L.rowScales.empty() ? 1.0 : glvq_half_to_float(L.rowScales[static_cast<std::size_t>(i)]);
            for (std::uint32_t k = 0; k < L.columns[g]; k += static_cast<std::uint32_t>(L.dim))
                for (int a = 0; a < L.dim; ++a) {
                    double v = 0.0;
                    for (int b = 0; b < L.dim; ++b)
                        v += static_cast<double>(L.generator(static_cast<std::int32_t>(g), a, b))
                             * (L.codes[static_cast<std::size_t>(i * L.cols + L.firstColumn[g] + k + static_cast<std::uint32_t>(b))] - o);
                    const double e = mu == 0.0 ? v : std::copysign(std::expm1(std::fabs(v) * std::log1p(mu)) / mu, v);
                    w[static_cast<std::size_t>(i * L.cols + L.firstColumn[g] + k + static_cast<std::uint32_t>(a))] = r * s * e;
                }
        }
    }
    return w;
}

// Y [batch, rows] = X [batch, cols] Wᵀ in fp64.
inline std::vector<double> productFp64(const std::vector<double>& w, std::int64_t rows, std::int64_t cols,
                                       const std::vector<float>& x, int batch)
{
    std::vector<double> y(static_cast<std::size_t>(batch * rows), 0.0);
    for (int t = 0; t < batch; ++t)
        for (std::int64_t i = 0; i < rows; ++i) {
            double sum = 0.0;
            for (std::int64_t j = 0; j < cols; ++j)
                sum += w[static_cast<std::size_t>(i * cols + j)] * x[static_cast<std::size_t>(t * cols + j)];
            y[static_cast<std::size_t>(t * rows + i)] = sum;
        }
    return y;
}

// ‖out − ref‖₂ / ‖ref‖₂; +inf if any output is not finite (NaN poison never passes).
inline double relativeError(const float* out, const std::vector<double>& ref)
{
    double num = 0.0;
    double den = 0.0;
    for (std::size_t k = 0; k < ref.size(); ++k) {
        if (!std::isfinite(out[k]))
            return INFINITY;
        const double e = static_cast<double>(out[k]) - ref[k];
        num += e * e;
        den += ref[k] * ref[k];
    }
    return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

// max_k |out_k − ref_k| / max_k |ref_k|: a fault confined to a few outputs (one tile, one batch row) that the
// norm-wise relativeError would average away still shows here. NaN never passes.
inline double maxRelativeError(const float* out, const std::vector<double>& ref)
{
    double worst = 0.0;
    double scale = 0.0;
    for (std::size_t k = 0; k < ref.size(); ++k) {
        if (!std::isfinite(out[k]))
            return INFINITY;
        worst = std::max(worst, std::abs(static_cast<double>(out[k]) - ref[k]));
        scale = std::max(scale, std::abs(ref[k]));
    }
    return scale > 0.0 ? worst / scale : worst;
}

inline std::vector<float> randomActivations(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(n);
    for (float& v : x)
        v = normal(rng) + 0.2f; // a DC offset, as real activations have
    return x;
}

} // namespace glvq::kernel_test
