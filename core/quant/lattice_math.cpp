// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/lattice_math.h"

#include "core/util/error.h"

#include <ATen/ATen.h>
#include <c10/util/Half.h>

namespace glvq::quant {

double maxUniformStep(int bits)
{
    switch (bits) {
    case 1: return 1.596;
    case 2: return 0.9957;
    case 3: return 0.5860;
    case 4: return 0.3352;
    default: throw Error("GLVQ: no uniform quantiser step for " + std::to_string(bits) + " bits (expected 1..4)");
    }
}

namespace {
constexpr std::int64_t kChunkRows = 1024;
}

void multiplySubvectors(const at::Tensor& in, const at::Tensor& matrix, at::Tensor& out)
{
    const std::int64_t n = in.size(0);
    const std::int64_t d = in.size(1);
    const std::int64_t batches = n / kChunkRows;
    const std::int64_t main = batches * kChunkRows;
    if (batches > 0) {
        auto head = out.narrow(0, 0, main).view({batches, kChunkRows, d});
        at::bmm_out(head, in.narrow(0, 0, main).view({batches, kChunkRows, d}),
                    matrix.unsqueeze(0).expand({batches, d, d}));
    }
    if (main < n) {
        auto tail = out.narrow(0, main, n - main);
        at::mm_out(tail, in.narrow(0, main, n - main), matrix);
    }
}

at::Tensor transposedProduct(const at::Tensor& a, const at::Tensor& b)
{
    const std::int64_t n = a.size(0);
    const std::int64_t d = a.size(1);
    const std::int64_t batches = n / kChunkRows;
    const std::int64_t main = batches * kChunkRows;
    at::Tensor result = at::zeros({d, b.size(1)}, a.options());
    if (batches > 0)
        result = at::bmm(a.narrow(0, 0, main).view({batches, kChunkRows, d}).transpose(1, 2),
                         b.narrow(0, 0, main).view({batches, kChunkRows, b.size(1)}))
                     .sum(0);
    if (main < n)
        result.add_(at::mm(a.narrow(0, main, n - main).t(), b.narrow(0, main, n - main)));
    return result;
}

void babaiCodesInto(const at::Tensor& subvectors, const at::Tensor& generatorInverse, int bits, at::Tensor& codes)
{
    const auto y = subvectors.to(at::kFloat).contiguous();
    ensureBufferLike(codes, y);
    multiplySubvectors(y, generatorInverse.to(y.device(), at::kFloat).t().contiguous(), codes);
    // at::round rounds half to even (nearbyint), matching spec A20 in encoder and tests alike.
    codes.add_(codeOffset(bits)).round_().clamp_(0.0, static_cast<double>((1 << bits) - 1));
}

at::Tensor babaiCodes(const at::Tensor& subvectors, const at::Tensor& generatorInverse, int bits)
{
    at::Tensor codes;
    babaiCodesInto(subvectors, generatorInverse, bits, codes);
    return codes;
}

at::Tensor latticePoints(const at::Tensor& codes, const at::Tensor& generator, int bits)
{
    const auto z = codes.to(at::kFloat).sub(codeOffset(bits)).contiguous();
    auto out = at::empty_like(z);
    multiplySubvectors(z, generator.to(z.device(), at::kFloat).t().contiguous(), out);
    return out;
}

void ensureBufferLike(at::Tensor& buffer, const at::Tensor& like)
{
    if (!buffer.defined() || buffer.sizes() != like.sizes() || buffer.scalar_type() != like.scalar_type()
        || buffer.device() != like.device())
        buffer = at::empty_like(like, at::MemoryFormat::Contiguous);
}

at::Tensor roundToHalf(const at::Tensor& values) { return values.to(at::kHalf).to(values.scalar_type()); }

at::Tensor roundToMantissaBits(const at::Tensor& values, int mantissaBits)
{
    if (mantissaBits < 0 || mantissaBits > 10)
        throw Error("GLVQ: " + std::to_string(mantissaBits) + " mantissa bits requested (fp16 has 0..10)");
    const auto half = roundToHalf(values);
    if (mantissaBits == 10)
        return half;
    // x = m·2^e with |m| in [0.5, 1): keep mantissaBits + 1 significant bits of m (the leading one is implicit).
    const auto [mantissa, exponent] = at::frexp(half.to(at::kDouble));
    const double steps = std::ldexp(1.0, mantissaBits + 1);
    constexpr double kLargestHalf = 65504.0; // rounding 61440 up to 65536 must not turn a finite value into inf
    const auto rounded = at::ldexp(mantissa.mul(steps).round_().div_(steps), exponent.to(at::kDouble));
    return roundToHalf(rounded.clamp_(-kLargestHalf, kLargestHalf)).to(values.scalar_type());
}

double roundToHalf(double value) { return static_cast<double>(static_cast<float>(c10::Half(static_cast<float>(value)))); }

double pearsonKurtosis(const at::Tensor& values)
{
    const auto v = values.to(at::kDouble).flatten();
    const auto centred = v - v.mean();
    const double variance = centred.pow(2).mean().item<double>();
    if (!(variance > 0.0))
        return 0.0;
    return centred.pow(4).mean().item<double>() / (variance * variance);
}

} // namespace glvq::quant
