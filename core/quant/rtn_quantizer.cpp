// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/rtn_quantizer.h"

#include "core/quant/baseline_support.h"
#include "core/quant/scalar_codes.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace glvq::quant {

LayerResult RtnQuantizer::quantize(const LayerInput& input, const CancelToken& cancel) const
{
    const auto start = std::chrono::steady_clock::now();
    detail::validateInput(input, method(), {.minBits = 1, .maxBits = 8});
    const auto weight = detail::weightCopy(input);
    const auto rows = weight.size(0);
    const auto cols = weight.size(1);
    const auto groups = groupCount(cols, input.groupSize);

    auto scales = at::empty({rows, groups}, at::kFloat);
    auto zeros = at::empty({rows, groups}, at::kInt);
    auto codes = at::empty({rows, cols}, at::kByte);
    const auto* w = weight.data_ptr<float>();
    auto* scaleOut = scales.data_ptr<float>();
    auto* zeroOut = zeros.data_ptr<std::int32_t>();
    auto* codeOut = codes.data_ptr<std::uint8_t>();
    std::vector<double> groupScales(static_cast<std::size_t>(groups), 0.0);

    for (std::int64_t g = 0; g < groups; ++g) {
        cancel.throwIfCancelled();
        const int bits = input.groupBits[static_cast<std::size_t>(g)];
        const auto begin = g * input.groupSize;
        const auto end = std::min(cols, begin + input.groupSize);
        double scaleSum = 0.0;
        for (std::int64_t r = 0; r < rows; ++r) {
            const float* row = w + r * cols;
            const auto [lo, hi] = std::minmax_element(row + begin, row + end);
            const ScalarGrid grid = minMaxGrid(*lo, *hi, bits);
            scaleOut[r * groups + g] = grid.scale;
            zeroOut[r * groups + g] = grid.zero;
            scaleSum += grid.scale;
            for (std::int64_t c = begin; c < end; ++c)
                codeOut[r * cols + c] = quantizeScalar(row[c], grid, bits);
        }
        groupScales[static_cast<std::size_t>(g)] = rows > 0 ? scaleSum / static_cast<double>(rows) : 0.0;
    }
    auto result = std::make_shared<const ScalarLayerCodes>(method(), input.groupSize, input.groupBits, scales, zeros,
                                                           codes);
    return detail::finishResult(input, method(), std::move(result), groupScales, start);
}

} // namespace glvq::quant
