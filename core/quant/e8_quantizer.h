// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The fixed-lattice baseline ("e8"): no learning, no error feedback. Each row of a column group is cut into
// sub-vectors of 8 consecutive input columns; a sub-vector w is coded as the codebook point c nearest to
// w / s_g (exact search, e8_codebook.h) and decoded as s_g · c. The codebook per group width b:
//   Auto: E8P (QuIP#, 2^16 points) at 2 bits; the ¼-shifted box of E8 at 1, 3 and 4 bits.
//   Box:  the box codebook at every width ("e8-box"), for comparing shapes at 2 bits.
// The group scale s_g is the best of `scaleCandidates` fp16 values rms(W_g) · f, f on a geometric grid
// spanning [f_b/√2, f_b·√2] around the codebook's optimum f_b for Gaussian weights; "best" is the smallest
// tr(E_g H_gg E_gᵀ) when the input has a Hessian (and hessianScaleSearch is on), else the smallest squared
// error. The Hessian is optional (needsHessian() is false).
//
// Storage: 8b bits per sub-vector plus one fp16 scale per group (16 / (rows·n_g) bit/weight), plus the 2-bit
// width per group when widths differ. Group widths and the column count must be multiples of 8.
// Thread-safety: quantize() is stateless and runs the per-row searches on torch's intra-op thread pool
// (at::parallel_for), never on threads of its own; results do not depend on the thread count.
#include "core/quant/layer_quantizer.h"

namespace glvq::quant {

enum class E8CodebookChoice {
    Auto, // E8P at 2 bits, box otherwise
    Box,  // box at every width
};

struct E8Options {
    E8CodebookChoice codebook = E8CodebookChoice::Auto;
    int scaleCandidates = 24;
    bool hessianScaleSearch = true;
};

class E8LayerCodes final : public LayerCodes {
public:
    static constexpr int kScaleBits = 16;

    // scales: one fp16-representable value per group; codes: [rows, cols / 8] int32 holding the 8b-bit
    // codes (bit patterns; a 4-bit box code uses all 32 bits). Throws glvq::Error on inconsistent shapes.
    E8LayerCodes(E8CodebookChoice codebook, std::int64_t groupSize, std::vector<int> groupBits,
                 std::vector<float> scales, at::Tensor codes);

    std::string method() const override;
    at::Tensor decode() const override;
    double bitsPerWeight() const override;
    double sideBitsPerWeight() const override;

    std::int64_t rows() const override { return m_codes.size(0); }
    std::int64_t cols() const override { return m_codes.size(1) * 8; }
    std::int64_t groupSize() const { return m_groupSize; }
    E8CodebookChoice codebook() const { return m_codebook; }
    const std::vector<int>& groupBits() const { return m_groupBits; }
    const std::vector<float>& scales() const { return m_scales; }
    const at::Tensor& codes() const { return m_codes; }

private:
    E8CodebookChoice m_codebook;
    std::int64_t m_groupSize = 0;
    std::vector<int> m_groupBits;
    std::vector<float> m_scales;
    at::Tensor m_codes;
};

class E8Quantizer final : public LayerQuantizer {
public:
    explicit E8Quantizer(E8Options options = {})
        : m_options(options)
    {
    }
    // "e8", or "e8-box" with the box codebook at every width.
    std::string method() const override;
    bool needsHessian() const override { return false; }
    // Supports 1..4 bits per group. Result codes are E8LayerCodes.
    LayerResult quantize(const LayerInput& input, const CancelToken& cancel) const override;

    // f_b: the scale factor (scale / RMS of the weights) that minimises the MSE of i.i.d. Gaussian weights,
    // the centre of the search grid. Measured with bench_baselines.
    static double gaussianScaleFactor(E8CodebookChoice codebook, int bits);

private:
    E8Options m_options;
};

} // namespace glvq::quant
