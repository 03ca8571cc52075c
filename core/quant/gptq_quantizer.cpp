// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/gptq_quantizer.h"

#include "core/quant/baseline_support.h"
#include "core/quant/hessian_math.h"
#include "core/quant/scalar_codes.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>

namespace glvq::quant {
namespace {

// Per-row grids of the group whose columns are the `count` rows of wt (wt is column-major: [count, rows]).
std::vector<ScalarGrid> groupGrids(const float* wt, std::int64_t count, std::int64_t rows, int bits)
{
    std::vector<float> lo(wt, wt + rows);
    std::vector<float> hi(wt, wt + rows);
    for (std::int64_t i = 1; i < count; ++i) {
        const float* column = wt + i * rows;
        for (std::int64_t r = 0; r < rows; ++r) {
            lo[r] = std::min(lo[r], column[r]);
            hi[r] = std::max(hi[r], column[r]);
        }
    }
    std::vector<ScalarGrid> grids(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r)
        grids[r] = minMaxGrid(lo[r], hi[r], bits);
    return grids;
}

} // namespace

LayerResult GptqQuantizer::quantize(const LayerInput& input, const CancelToken& cancel) const
{
    const auto start = std::chrono::steady_clock::now();
    detail::validateInput(input, method(), {.minBits = 1, .maxBits = 8, .needsHessian = true});
    auto weight = detail::weightCopy(input);
    const auto rows = weight.size(0);
    const auto cols = weight.size(1);
    const auto groupSize = input.groupSize;
    const auto groups = groupCount(cols, groupSize);
    const auto hessian = input.hessian.to(at::kCPU, at::kDouble).contiguous();

    // Dead inputs carry no signal: zero their weights (the reference does) so they cannot widen a grid.
    const auto diagonal = hessian.diagonal().contiguous();
    const auto dead = diagonal.eq(0.0);
    weight.masked_fill_(dead.unsqueeze(0), 0.0);

    std::vector<std::int64_t> order(static_cast<std::size_t>(cols));
    std::iota(order.begin(), order.end(), 0);
    if (m_options.actOrder) {
        const auto diag = diagonal.masked_fill(dead, 1.0);
        const auto* d = diag.data_ptr<double>();
        std::stable_sort(order.begin(), order.end(), [d](std::int64_t a, std::int64_t b) { return d[a] > d[b]; });
    }
    const auto perm = at::tensor(order, at::kLong);
    const auto permuted = m_options.actOrder ? hessian.index_select(0, perm).index_select(1, perm) : hessian;
    // Without act-order the factor is the layer's own, shared with the allocator (computed on input.device, like
    // its salience); the column loop below runs on the CPU.
    const auto u = (m_options.actOrder ? inverseHessianUpperCholesky(permuted, input.name, m_options.relativeDamp)
                                       : inverseHessianFactor(input, input.device, m_options.relativeDamp))
                       .to(at::kCPU, at::kFloat)
                       .contiguous();
    const auto* uData = u.data_ptr<float>();

    // Column-major working copy (one column = one contiguous row of wt) in processing order.
    auto wt = weight.index_select(1, perm).t().contiguous();
    auto* wtData = wt.data_ptr<float>();
    std::vector<std::uint8_t> codesT(static_cast<std::size_t>(cols * rows));
    auto scales = at::empty({rows, groups}, at::kFloat);
    auto zeros = at::empty({rows, groups}, at::kInt);
    auto* scaleOut = scales.data_ptr<float>();
    auto* zeroOut = zeros.data_ptr<std::int32_t>();
    std::vector<std::vector<ScalarGrid>> grids(static_cast<std::size_t>(groups));
    auto storeGrids = [&](std::int64_t g, std::vector<ScalarGrid> groupGrid) {
        for (std::int64_t r = 0; r < rows; ++r) {
            scaleOut[r * groups + g] = groupGrid[r].scale;
            zeroOut[r * groups + g] = groupGrid[r].zero;
        }
        grids[g] = std::move(groupGrid);
    };
    if (m_options.actOrder) {
        // Static groups: grids from the original (dead-zeroed) weights, original column order.
        const auto original = weight.t().contiguous();
        for (std::int64_t g = 0; g < groups; ++g) {
            const auto count = std::min(groupSize, cols - g * groupSize);
            storeGrids(g, groupGrids(original.data_ptr<float>() + g * groupSize * rows, count, rows,
                                     input.groupBits[g]));
        }
    }

    const auto block = m_options.actOrder ? std::max<std::int64_t>(1, m_options.actOrderBlock) : groupSize;
    std::vector<float> err(static_cast<std::size_t>(block * rows));
    for (std::int64_t i1 = 0; i1 < cols; i1 += block) {
        cancel.throwIfCancelled();
        const auto i2 = std::min(cols, i1 + block);
        const auto count = i2 - i1;
        if (!m_options.actOrder) // the block is group i1 / groupSize; its grid sees every earlier update
            storeGrids(i1 / groupSize, groupGrids(wtData + i1 * rows, count, rows, input.groupBits[i1 / groupSize]));
        for (std::int64_t i = 0; i < count; ++i) {
            const auto col = i1 + i;
            const auto g = order[col] / groupSize;
            const int bits = input.groupBits[g];
            const auto& grid = grids[g];
            float* w = wtData + col * rows;
            float* e = err.data() + i * rows;
            std::uint8_t* q = codesT.data() + col * rows;
            const float d = uData[col * cols + col];
            for (std::int64_t r = 0; r < rows; ++r) {
                q[r] = quantizeScalar(w[r], grid[r], bits);
                e[r] = (w[r] - dequantizeScalar(q[r], grid[r])) / d;
            }
            for (std::int64_t j = col + 1; j < i2; ++j) {
                const float coefficient = uData[col * cols + j];
                float* target = wtData + j * rows;
                for (std::int64_t r = 0; r < rows; ++r)
                    target[r] -= coefficient * e[r];
            }
        }
        if (i2 < cols) {
            const auto errBlock = at::from_blob(err.data(), {count, rows}, at::kFloat);
            wt.slice(0, i2, cols).addmm_(u.slice(0, i1, i2).slice(1, i2, cols).t(), errBlock, 1.0, -1.0);
        }
    }

    auto codes = at::empty({rows, cols}, at::kByte);
    auto* codeOut = codes.data_ptr<std::uint8_t>();
    for (std::int64_t j = 0; j < cols; ++j)
        for (std::int64_t r = 0; r < rows; ++r)
            codeOut[r * cols + order[j]] = codesT[j * rows + r];
    std::vector<double> groupScales(static_cast<std::size_t>(groups));
    const auto meanScales = scales.to(at::kDouble).mean(0);
    for (std::int64_t g = 0; g < groups; ++g)
        groupScales[g] = rows > 0 ? meanScales[g].item<double>() : 0.0;
    auto result = std::make_shared<const ScalarLayerCodes>(method(), groupSize, input.groupBits, scales, zeros, codes);
    return detail::finishResult(input, method(), std::move(result), groupScales, start);
}

} // namespace glvq::quant
