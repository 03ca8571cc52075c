// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Codes of the scalar baselines (RTN, GPTQ): per output row and per column group an asymmetric min-max
// grid (scale, zero), and one integer code per weight. The arithmetic is the fixtures' RTN definition,
// in fp32 and in this order, so that our RTN reproduces the reference bit for bit:
//   scale = (max − min) / (2^b − 1),  zero = round(−min / scale),
//   q = clamp(round(w / scale) + zero, 0, 2^b − 1),  w' = (q − zero) · scale,
// with round = round-half-to-even (torch.round). zero is a whole number; it lies in [0, 2^b − 1] whenever
// the group straddles 0 (min ≤ 0 ≤ max, i.e. nearly always) and outside it otherwise, as the formula allows.
//
// Storage accounting: b bits per code, 16 bits per scale (fp16 on export) and 16 bits per zero (int16 on
// export), per row per group: with 128-column groups that is +0.25 bit/weight. In memory the scale stays
// fp32 exactly as computed (rounding it to fp16 would break bit-exactness with the fixtures) and the zero
// an int32. When group widths differ inside a layer, 2 bits per group (the width) are counted as well.
//
// Thread-safety: immutable after construction; decode() may be called from any thread.
#include "core/quant/layer_quantizer.h"

#include <cmath>
#include <cstdint>

namespace glvq::quant {

// One row's grid for one group.
struct ScalarGrid {
    float scale = 0.0f;
    std::int32_t zero = 0;
};

// The fixtures' grid for values in [lo, hi]. A constant group (hi == lo, where the formula divides 0 by 0)
// gets scale = |lo| and zero ∈ {0, 1} so that the constant decodes exactly instead of to NaN.
inline ScalarGrid minMaxGrid(float lo, float hi, int bits)
{
    const float maxq = static_cast<float>((1 << bits) - 1);
    const float scale = (hi - lo) / maxq;
    if (scale > 0.0f) {
        const float zero = std::nearbyint(-lo / scale);
        if (std::isfinite(zero))
            return {scale, static_cast<std::int32_t>(zero)};
    }
    return {std::fabs(lo), lo < 0.0f ? 1 : 0};
}

// q = clamp(round(w / scale) + zero, 0, 2^b − 1); a zero scale (an all-zero group) maps to the zero point.
inline std::uint8_t quantizeScalar(float w, ScalarGrid grid, int bits)
{
    const float maxq = static_cast<float>((1 << bits) - 1);
    if (grid.scale == 0.0f)
        return static_cast<std::uint8_t>(grid.zero);
    const float q = std::nearbyint(w / grid.scale) + static_cast<float>(grid.zero);
    return static_cast<std::uint8_t>(q < 0.0f ? 0.0f : (q > maxq ? maxq : q));
}

// w' = (q − zero) · scale in fp32.
inline float dequantizeScalar(std::uint8_t q, ScalarGrid grid)
{
    return (static_cast<float>(q) - static_cast<float>(grid.zero)) * grid.scale;
}

class ScalarLayerCodes final : public LayerCodes {
public:
    static constexpr int kScaleBits = 16;
    static constexpr int kZeroBits = 16;

    // scales: [rows, groups] fp32, zeros: [rows, groups] int32, codes: [rows, cols] uint8, all on the CPU.
    // Throws glvq::Error if the shapes disagree with each other or with groupBits.
    ScalarLayerCodes(std::string method, std::int64_t groupSize, std::vector<int> groupBits, at::Tensor scales,
                     at::Tensor zeros, at::Tensor codes);

    std::string method() const override { return m_method; }
    at::Tensor decode() const override;
    double bitsPerWeight() const override;
    double sideBitsPerWeight() const override;

    std::int64_t rows() const override { return m_codes.size(0); }
    std::int64_t cols() const override { return m_codes.size(1); }
    std::int64_t groupSize() const { return m_groupSize; }
    const std::vector<int>& groupBits() const { return m_groupBits; }
    const at::Tensor& scales() const { return m_scales; }
    const at::Tensor& zeros() const { return m_zeros; }
    const at::Tensor& codes() const { return m_codes; }

private:
    std::string m_method;
    std::int64_t m_groupSize = 0;
    std::vector<int> m_groupBits;
    at::Tensor m_scales;
    at::Tensor m_zeros;
    at::Tensor m_codes;
};

// Bits per weight spent on codes alone for a layer of `cols` columns cut into groups of `groupSize`.
double codeBitsPerWeight(std::int64_t cols, std::int64_t groupSize, const std::vector<int>& groupBits);
// The 2-bit width field per group, charged only when the widths in a layer differ.
double widthMapBitsPerWeight(std::int64_t rows, std::int64_t cols, const std::vector<int>& groupBits);

} // namespace glvq::quant
