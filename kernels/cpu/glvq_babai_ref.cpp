// SPDX-License-Identifier: GPL-3.0-or-later
// CPU reference Babai encoding (spec §2 steps 1–5 with the row scale of §0). Compiled with -ffp-contract=off
// so that the rounding decisions are reproducible across compilers and flags.
#include "kernels/glvq_fail.h"
#include "kernels/glvq_ref.h"

#include <cmath>
#include <string>

glvq_status glvq_check_encode_params(const glvq_encode_params* params)
{
    if (!params)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "encode: null params");
    const glvq_encode_params& P = *params;
    if (P.rows <= 0 || P.cols <= 0 || P.cols > 0xffffffffLL || P.dim < 1 || P.dim > 32 || P.group_count < 1)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "encode: shape " + std::to_string(P.rows) + " x "
                                                        + std::to_string(P.cols) + ", d=" + std::to_string(P.dim)
                                                        + ", " + std::to_string(P.group_count) + " groups");
    if (!P.first_column || !P.columns || !P.bits || !P.generator_inverse || !P.mu || !P.scale)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "encode: a required array is null");
    std::uint64_t next = 0;
    for (std::int32_t g = 0; g < P.group_count; ++g) {
        if (P.first_column[g] != next || P.columns[g] == 0 || P.columns[g] % static_cast<std::uint32_t>(P.dim) != 0
            || P.bits[g] < 1 || P.bits[g] > 4 || !(P.mu[g] >= 0.0f) || !std::isfinite(P.mu[g]))
            return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "encode: group " + std::to_string(g)
                                                            + " has a bad first column, width, bit count or mu");
        next += P.columns[g];
    }
    if (next != static_cast<std::uint64_t>(P.cols))
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "encode: groups cover " + std::to_string(next) + " of "
                                                        + std::to_string(P.cols) + " columns");
    return GLVQ_OK;
}

glvq_status glvq_babai_encode_ref(const glvq_encode_params* params, std::int64_t row_begin, std::int64_t row_end,
                                  const float* w, std::int64_t w_row_stride, std::uint8_t* codes,
                                  std::int64_t codes_row_stride)
{
    if (const glvq_status s = glvq_check_encode_params(params); s != GLVQ_OK)
        return s;
    const glvq_encode_params& P = *params;
    if (!w || !codes || w_row_stride < P.cols || codes_row_stride < P.cols || row_begin < 0 || row_end > P.rows
        || row_begin > row_end)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "encode: need w, codes, strides >= cols and a row range in 0.."
                                                        + std::to_string(P.rows));
    const std::int32_t d = P.dim;
    float y[32];
    for (std::int32_t g = 0; g < P.group_count; ++g) {
        const float* Ginv = P.generator_inverse + static_cast<std::int64_t>(g) * d * d;
        const float mu = P.mu[g];
        const float lnRho = std::log1p(mu);
        const float s = P.scale[g];
        const std::uint32_t bits = P.bits[g];
        const float maxCode = static_cast<float>((1u << bits) - 1u);
        const float offset = maxCode * 0.5f;
        for (std::int64_t i = row_begin; i < row_end; ++i) {
            const float r = P.row_scales ? P.row_scales[i] : 1.0f;
            // Division by r then s, as the spec forms groups on W / r and normalises by s_g; a zero factor
            // means the group (or row) decodes to zeros whatever the code, so encode 0 instead of inf/NaN.
            const bool zero = r == 0.0f || s == 0.0f;
            const float* wrow = w + i * w_row_stride + P.first_column[g];
            std::uint8_t* urow = codes + i * codes_row_stride + P.first_column[g];
            for (std::uint32_t k = 0; k < P.columns[g]; k += static_cast<std::uint32_t>(d)) {
                for (std::int32_t b = 0; b < d; ++b) {
                    const float x = zero ? 0.0f : (wrow[k + static_cast<std::uint32_t>(b)] / r) / s;
                    y[b] = mu == 0.0f ? x : std::copysign(std::log1p(mu * std::fabs(x)) / lnRho, x);
                }
                for (std::int32_t a = 0; a < d; ++a) {
                    const float* row = Ginv + a * d;
                    float coordinate = 0.0f;
                    for (std::int32_t b = 0; b < d; ++b)
                        coordinate += row[b] * y[b];
                    const float u = std::nearbyint(coordinate + offset); // ties to even (default rounding mode)
                    const float clamped = u >= 0.0f ? (u <= maxCode ? u : maxCode) : 0.0f; // NaN -> 0
                    urow[k + static_cast<std::uint32_t>(a)] = static_cast<std::uint8_t>(clamped);
                }
            }
        }
    }
    return GLVQ_OK;
}
