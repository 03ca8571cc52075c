// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/scalar_codes.h"

#include "core/util/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <functional>

namespace glvq::quant {

double codeBitsPerWeight(std::int64_t cols, std::int64_t groupSize, const std::vector<int>& groupBits)
{
    double bits = 0.0;
    for (std::size_t g = 0; g < groupBits.size(); ++g) {
        const auto begin = static_cast<std::int64_t>(g) * groupSize;
        const auto width = std::min(groupSize, cols - begin);
        bits += static_cast<double>(groupBits[g]) * static_cast<double>(width);
    }
    return cols > 0 ? bits / static_cast<double>(cols) : 0.0;
}

double widthMapBitsPerWeight(std::int64_t rows, std::int64_t cols, const std::vector<int>& groupBits)
{
    const bool mixed = std::adjacent_find(groupBits.begin(), groupBits.end(), std::not_equal_to<>()) != groupBits.end();
    if (!mixed || rows * cols == 0)
        return 0.0;
    return 2.0 * static_cast<double>(groupBits.size()) / static_cast<double>(rows * cols);
}

ScalarLayerCodes::ScalarLayerCodes(std::string method, std::int64_t groupSize, std::vector<int> groupBits,
                                   at::Tensor scales, at::Tensor zeros, at::Tensor codes)
    : m_method(std::move(method))
    , m_groupSize(groupSize)
    , m_groupBits(std::move(groupBits))
    , m_scales(scales.to(at::kCPU, at::kFloat).contiguous())
    , m_zeros(zeros.to(at::kCPU, at::kInt).contiguous())
    , m_codes(codes.to(at::kCPU, at::kByte).contiguous())
{
    const auto groups = static_cast<std::int64_t>(m_groupBits.size());
    if (m_codes.dim() != 2 || groupSize < 1 || groupCount(m_codes.size(1), groupSize) != groups
        || m_scales.sizes() != at::IntArrayRef{m_codes.size(0), groups} || m_zeros.sizes() != m_scales.sizes())
        throw Error(m_method + " codes: inconsistent shapes (codes, scales, zeros and group bits disagree)");
}

at::Tensor ScalarLayerCodes::decode() const
{
    const auto rowCount = rows();
    const auto colCount = cols();
    const auto groups = static_cast<std::int64_t>(m_groupBits.size());
    auto decoded = at::empty({rowCount, colCount}, at::kFloat);
    const auto* codes = m_codes.data_ptr<std::uint8_t>();
    const auto* scales = m_scales.data_ptr<float>();
    const auto* zeros = m_zeros.data_ptr<std::int32_t>();
    auto* out = decoded.data_ptr<float>();
    for (std::int64_t r = 0; r < rowCount; ++r) {
        for (std::int64_t g = 0; g < groups; ++g) {
            const ScalarGrid grid{scales[r * groups + g], zeros[r * groups + g]};
            const auto end = std::min(colCount, (g + 1) * m_groupSize);
            for (std::int64_t c = g * m_groupSize; c < end; ++c)
                out[r * colCount + c] = dequantizeScalar(codes[r * colCount + c], grid);
        }
    }
    return decoded;
}

double ScalarLayerCodes::sideBitsPerWeight() const
{
    const auto rowCount = rows();
    const auto colCount = cols();
    if (rowCount * colCount == 0)
        return 0.0;
    const double perRowGroup = kScaleBits + kZeroBits;
    return perRowGroup * static_cast<double>(m_groupBits.size()) / static_cast<double>(colCount)
        + widthMapBitsPerWeight(rowCount, colCount, m_groupBits);
}

double ScalarLayerCodes::bitsPerWeight() const
{
    return codeBitsPerWeight(cols(), m_groupSize, m_groupBits) + sideBitsPerWeight();
}

} // namespace glvq::quant
