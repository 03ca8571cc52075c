// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What GLVQ stores for one linear layer, and its decoder (spec §1, §2, §5).
//
// Ŵ[i, c0 + k·d + a] = r_i · s_g · F_μ⁻¹( Σ_b G[a, b] · (u[i, k·d + b] − o_b) ),   o_b = (2^b − 1)/2
// for group g (columns c0 .. c0 + columns − 1), row i, sub-vector k. r_i = 1 when row scale is off.
// All stored floats (r, G, μ, s) are fp16-representable, so fp16 export loses nothing.
//
// Decoding is a plain C++ loop with a fixed summation order and no FMA contraction (see sources_glvq.cmake),
// so it gives the same bits whatever torch's thread count or version; GlvqQuantizer computes Ŵ with it.
// Thread-safety: immutable after construction; decode() may run concurrently.
#include "core/quant/layer_quantizer.h"

#include <cstdint>
#include <vector>

namespace glvq::quant {

struct GlvqGroupCodes {
    std::int64_t firstColumn = 0;
    std::int64_t columns = 0;               // multiple of d
    int bits = 2;                           // 1..4, bits per weight of the codes
    std::vector<float> generator;           // G, d×d row-major (fp16-representable)
    std::vector<float> initialGenerator;    // G0 after the scale search (GUI before/after; not stored, not counted)
    float mu = 0.0f;                        // μ-law parameter (fp16-representable); 0 = companding off
    float scale = 0.0f;                     // s_g = max|W_g / r| (fp16-representable); 0 decodes to zeros
    std::vector<std::uint8_t> codes;        // u ∈ [0, 2^bits − 1], rows × columns, row-major
    int latticeSource = -1;                 // shared lattice: earlier group whose identical G and μ are reused
};

class GlvqLayerCodes final : public LayerCodes {
public:
    // Validates the layout (groups contiguous and covering all columns, sizes, code ranges, fp16-representable
    // side info) and throws glvq::Error naming the group at fault. rowScales: `rows` values or empty (off).
    GlvqLayerCodes(std::int64_t rows, std::int64_t cols, int dim, std::int64_t groupSize,
                   std::vector<float> rowScales, std::vector<GlvqGroupCodes> groups);

    std::string method() const override { return "glvq"; }
    at::Tensor decode() const override; // [rows, cols] fp32, CPU
    double bitsPerWeight() const override;
    double sideBitsPerWeight() const override;

    at::Tensor decodeGroup(std::size_t group) const; // [rows, columns] fp32, identical to decode()'s slice

    std::int64_t rows() const override { return m_rows; }
    std::int64_t cols() const override { return m_cols; }
    int dim() const { return m_dim; }
    std::int64_t groupSize() const { return m_groupSize; }
    const std::vector<float>& rowScales() const { return m_rowScales; }
    const std::vector<GlvqGroupCodes>& groups() const { return m_groups; }

private:
    std::int64_t m_rows;
    std::int64_t m_cols;
    int m_dim;
    std::int64_t m_groupSize;
    std::vector<float> m_rowScales;
    std::vector<GlvqGroupCodes> m_groups;
};

// The decoder itself: writes group `codes` of a [rows, *] matrix into `out` (row stride `outStride` floats,
// pointing at the group's first column). rowScales: `rows` values or null. Used by GlvqLayerCodes and, before
// the layer's codes are complete, by the quantizer's error feedback, so both see the same Ŵ.
void decodeGlvqGroup(const GlvqGroupCodes& codes, std::int64_t rows, int dim, const float* rowScales, float* out,
                     std::int64_t outStride);

// Side bits of one group as charged by bitsPerWeight(): G 16·d² and μ 16 (when on) unless shared, s_g 16, b 2.
double glvqGroupSideBits(const GlvqGroupCodes& codes, int dim);

} // namespace glvq::quant
