// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/e8_quantizer.h"

#include "core/quant/baseline_support.h"
#include "core/quant/e8_codebook.h"
#include "core/quant/hessian_math.h"
#include "core/quant/scalar_codes.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <cmath>

namespace glvq::quant {
namespace {

std::string methodName(E8CodebookChoice codebook) { return codebook == E8CodebookChoice::Box ? "e8-box" : "e8"; }

bool usesE8P(E8CodebookChoice codebook, int bits) { return codebook == E8CodebookChoice::Auto && bits == 2; }

CodebookPoint nearest(const Vec8& x, bool e8p, int bits) { return e8p ? nearestE8P(x) : nearestE8Box(x, bits); }

// Decoding is the same expression in the search and in E8LayerCodes::decode(), so both agree bit for bit.
void decodeInto(std::uint32_t code, bool e8p, int bits, float scale, float* out)
{
    const Vec8 point = e8p ? decodeE8P(code) : decodeE8Box(code, bits);
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<float>(point[i]) * scale;
}

struct GroupSearch {
    std::int64_t rows = 0;
    std::int64_t width = 0; // columns in the group, a multiple of 8
    const float* weight = nullptr; // first column of the group in a [rows, cols] row-major matrix
    std::int64_t stride = 0; // cols
    bool e8p = false;
    int bits = 0;
};

// Codes every sub-vector of the group at `scale` into codes [rows, width/8]; returns the squared error per
// element in `error` [rows, width] (fp64, for the Hessian-weighted loss) and the total squared error.
double codeGroup(const GroupSearch& g, float scale, std::vector<std::uint32_t>& codes, std::vector<double>& error)
{
    const auto perRow = g.width / 8;
    std::vector<double> rowError(static_cast<std::size_t>(g.rows), 0.0);
    at::parallel_for(0, g.rows, 16, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) {
            const float* w = g.weight + r * g.stride;
            double sum = 0.0;
            for (std::int64_t k = 0; k < perRow; ++k) {
                Vec8 x;
                for (int i = 0; i < 8; ++i)
                    x[i] = static_cast<double>(w[8 * k + i]) / scale;
                const auto found = nearest(x, g.e8p, g.bits);
                codes[r * perRow + k] = found.code;
                for (int i = 0; i < 8; ++i) {
                    // The same expression as decodeInto(): decoding found.code gives found.point exactly.
                    const float decoded = static_cast<float>(found.point[i]) * scale;
                    const double e = static_cast<double>(w[8 * k + i]) - decoded;
                    error[r * g.width + 8 * k + i] = e;
                    sum += e * e;
                }
            }
            rowError[r] = sum;
        }
    });
    double total = 0.0; // summed in row order: independent of the thread count
    for (const double e : rowError)
        total += e;
    return total;
}

} // namespace

double E8Quantizer::gaussianScaleFactor(E8CodebookChoice codebook, int bits)
{
    // Optima of MSE against scale / RMS on i.i.d. N(0, 1) sub-vectors (bench_baselines --sweep).
    if (usesE8P(codebook, bits))
        return 0.96;
    constexpr double kBox[] = {0.0, 1.58, 0.98, 0.58, 0.33};
    return kBox[std::clamp(bits, 1, 4)];
}

std::string E8Quantizer::method() const { return methodName(m_options.codebook); }

LayerResult E8Quantizer::quantize(const LayerInput& input, const CancelToken& cancel) const
{
    const auto start = std::chrono::steady_clock::now();
    detail::validateInput(input, method(), {.minBits = 1, .maxBits = 4, .columnMultiple = 8});
    const auto weight = detail::weightCopy(input);
    const auto rows = weight.size(0);
    const auto cols = weight.size(1);
    const auto groups = groupCount(cols, input.groupSize);
    const bool useHessian = m_options.hessianScaleSearch && input.hessian.defined();
    const auto hessian = useHessian ? input.hessian.to(at::kCPU, at::kDouble) : at::Tensor();
    const int candidates = std::max(1, m_options.scaleCandidates);

    auto codes = at::empty({rows, cols / 8}, at::kInt);
    auto* codeOut = reinterpret_cast<std::uint32_t*>(codes.data_ptr<std::int32_t>());
    std::vector<float> scales(static_cast<std::size_t>(groups), 0.0f);
    for (std::int64_t g = 0; g < groups; ++g) {
        cancel.throwIfCancelled();
        const int bits = input.groupBits[g];
        const auto begin = g * input.groupSize;
        const auto width = std::min(input.groupSize, cols - begin);
        const GroupSearch search{rows, width, weight.data_ptr<float>() + begin, cols,
                                 usesE8P(m_options.codebook, bits), bits};
        const auto block = useHessian ? hessian.slice(0, begin, begin + width).slice(1, begin, begin + width).contiguous()
                                      : at::Tensor();
        const double rms = std::sqrt(weight.slice(1, begin, begin + width).to(at::kDouble).pow(2).mean().item<double>());
        const double centre = rms * gaussianScaleFactor(m_options.codebook, bits);

        std::vector<std::uint32_t> best(static_cast<std::size_t>(rows * width / 8));
        std::vector<std::uint32_t> trial(best.size());
        std::vector<double> error(static_cast<std::size_t>(rows * width));
        double bestLoss = HUGE_VAL;
        float bestScale = 0.0f;
        float previous = -1.0f;
        for (int k = 0; k < candidates && rms > 0.0; ++k) {
            const double exponent = candidates > 1 ? -0.5 + static_cast<double>(k) / (candidates - 1) : 0.0;
            const auto scale = static_cast<float>(c10::Half(static_cast<float>(centre * std::exp2(exponent))));
            if (!std::isfinite(scale))
                throw Error(input.name + ": " + method() + ": group " + std::to_string(g)
                            + " needs a scale beyond the fp16 range");
            if (scale == previous || scale <= 0.0f)
                continue; // fp16 rounding merged two candidates, or the scale underflowed
            previous = scale;
            double loss = codeGroup(search, scale, trial, error);
            if (useHessian)
                loss = proxyLoss(at::from_blob(error.data(), {rows, width}, at::kDouble), block);
            if (loss < bestLoss) {
                bestLoss = loss;
                bestScale = scale;
                best.swap(trial);
            }
        }
        if (bestLoss == HUGE_VAL) // an all-zero group (or one whose scale underflows fp16): decode to zeros
            codeGroup(search, 1.0f, best, error);
        scales[g] = bestScale;
        for (std::int64_t r = 0; r < rows; ++r)
            std::copy_n(best.data() + r * (width / 8), width / 8, codeOut + r * (cols / 8) + begin / 8);
    }
    std::vector<double> groupScales(scales.begin(), scales.end());
    auto result = std::make_shared<const E8LayerCodes>(m_options.codebook, input.groupSize, input.groupBits,
                                                       std::move(scales), codes);
    return detail::finishResult(input, method(), std::move(result), groupScales, start);
}

E8LayerCodes::E8LayerCodes(E8CodebookChoice codebook, std::int64_t groupSize, std::vector<int> groupBits,
                           std::vector<float> scales, at::Tensor codes)
    : m_codebook(codebook)
    , m_groupSize(groupSize)
    , m_groupBits(std::move(groupBits))
    , m_scales(std::move(scales))
    , m_codes(codes.to(at::kCPU, at::kInt).contiguous())
{
    if (m_codes.dim() != 2 || groupSize < 8 || groupSize % 8 != 0
        || groupCount(cols(), groupSize) != static_cast<std::int64_t>(m_groupBits.size())
        || m_scales.size() != m_groupBits.size())
        throw Error(method() + " codes: inconsistent shapes (codes, scales and group bits disagree)");
}

std::string E8LayerCodes::method() const { return methodName(m_codebook); }

at::Tensor E8LayerCodes::decode() const
{
    const auto rowCount = rows();
    const auto colCount = cols();
    auto decoded = at::empty({rowCount, colCount}, at::kFloat);
    auto* out = decoded.data_ptr<float>();
    const auto* codes = reinterpret_cast<const std::uint32_t*>(m_codes.data_ptr<std::int32_t>());
    for (std::int64_t r = 0; r < rowCount; ++r) {
        for (std::int64_t k = 0; k < colCount / 8; ++k) {
            const auto g = static_cast<std::size_t>(8 * k / m_groupSize);
            const int bits = m_groupBits[g];
            decodeInto(codes[r * (colCount / 8) + k], usesE8P(m_codebook, bits), bits, m_scales[g],
                       out + r * colCount + 8 * k);
        }
    }
    return decoded;
}

double E8LayerCodes::sideBitsPerWeight() const
{
    const auto weights = rows() * cols();
    if (weights == 0)
        return 0.0;
    return kScaleBits * static_cast<double>(m_scales.size()) / static_cast<double>(weights)
        + widthMapBitsPerWeight(rows(), cols(), m_groupBits);
}

double E8LayerCodes::bitsPerWeight() const
{
    return codeBitsPerWeight(cols(), m_groupSize, m_groupBits) + sideBitsPerWeight();
}

} // namespace glvq::quant
