// SPDX-License-Identifier: GPL-3.0-or-later
// Baseline quantizers on synthetic data:
//  1. MSE per weight on i.i.d. N(0,1) weights (no Hessian) at 2, 3 and 4 bits: RTN's min-max grid per 128
//     columns, a uniform grid with an optimised step per group (the same 24-candidate search E8 uses),
//     E8 (E8P at 2 bits, box otherwise) and the E8 box codebook; Lloyd-Max / best-uniform constants for
//     reference.
//  2. With --sweep: MSE of each E8 codebook against a fixed scale factor (scale / RMS), the data behind
//     E8Quantizer::gaussianScaleFactor.
//  3. Seconds per layer for GPTQ on a synthetic rows × cols layer (default 4096 × 11008, Llama-2-7B's
//     down_proj shape) with an AR(1) Hessian, split into the Hessian factorisation and the whole quantize().
//
// Usage: bench_baselines [--sweep] [--skip-mse] [--skip-gptq] [--gptq-rows R] [--gptq-cols C]
// Prints one `key value...` line per figure.
#include "core/quant/e8_codebook.h"
#include "core/quant/e8_quantizer.h"
#include "core/quant/gptq_quantizer.h"
#include "core/quant/hessian_math.h"
#include "core/quant/rtn_quantizer.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace {

using namespace glvq::quant;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

LayerInput gaussianLayer(std::int64_t rows, std::int64_t cols, int bits)
{
    at::manual_seed(1234);
    LayerInput input;
    input.name = "gaussian";
    input.weight = at::randn({rows, cols}, at::kFloat);
    input.groupBits.assign(static_cast<std::size_t>(groupCount(cols, 128)), bits);
    return input;
}

// Mid-rise uniform grid with 2^b levels and step s·(2^b − 1)... searched per group over the same geometric
// 24-point grid E8 uses, centred on the Gaussian-optimal step.
double optimisedUniformMse(const at::Tensor& weight, int bits)
{
    constexpr double kOptimalStep[] = {0.0, 1.596, 0.9957, 0.5860, 0.3352}; // Max (1960), unit Gaussian
    const double levels = std::exp2(bits);
    double total = 0.0;
    for (std::int64_t begin = 0; begin < weight.size(1); begin += 128) {
        const auto group = weight.slice(1, begin, begin + 128).to(at::kDouble);
        const double rms = std::sqrt(group.pow(2).mean().item<double>());
        double best = HUGE_VAL;
        for (int k = 0; k < 24; ++k) {
            const double step = rms * kOptimalStep[bits] * std::exp2(-0.5 + k / 23.0);
            const auto q = at::clamp(at::floor(group / step), -levels / 2, levels / 2 - 1);
            best = std::min(best, (group - (q + 0.5) * step).pow(2).sum().item<double>());
        }
        total += best;
    }
    return total / static_cast<double>(weight.numel());
}

void mseTable(bool sweep)
{
    constexpr std::int64_t kRows = 512;
    constexpr std::int64_t kCols = 4096;
    constexpr double kLloydMax[] = {0.0, 0.3634, 0.1175, 0.03454, 0.009497};
    constexpr double kBestUniform[] = {0.0, 0.3634, 0.1188, 0.03744, 0.01154};
    for (int bits = 2; bits <= 4; ++bits) {
        const auto input = gaussianLayer(kRows, kCols, bits);
        const auto rtn = RtnQuantizer().quantize(input, {});
        std::printf("mse_gaussian bits=%d rtn_minmax_g128=%.5f uniform_opt_step=%.5f", bits, rtn.weightMse,
                    optimisedUniformMse(input.weight, bits));
        for (const auto choice : {E8CodebookChoice::Auto, E8CodebookChoice::Box}) {
            const auto start = Clock::now();
            const auto e8 = E8Quantizer({.codebook = choice}).quantize(input, {});
            std::printf(" %s=%.5f (%.2fs, %.4f bpw)", e8.method.c_str(), e8.weightMse, secondsSince(start),
                        e8.bitsPerWeight);
        }
        std::printf(" lloyd_max=%.5f best_uniform=%.5f weights=%lld\n", kLloydMax[bits], kBestUniform[bits],
                    static_cast<long long>(kRows * kCols));
    }
    const auto input = gaussianLayer(kRows, kCols, 1);
    const auto e8 = E8Quantizer().quantize(input, {});
    std::printf("mse_gaussian bits=1 e8_box=%.5f sign=%.5f\n", e8.weightMse, kLloydMax[1]);
    if (!sweep)
        return;
    // Fixed factor f (scale = f · RMS, RMS = 1 here) on 2^16 Gaussian sub-vectors, straight on the codebooks.
    const auto samples = at::randn({1 << 16, 8}, at::kDouble).contiguous();
    const auto* data = samples.data_ptr<double>();
    for (const auto choice : {E8CodebookChoice::Auto, E8CodebookChoice::Box}) {
        for (int bits = 1; bits <= 4; ++bits) {
            if (choice == E8CodebookChoice::Auto && bits != 2)
                continue; // Auto is the box codebook away from 2 bits
            const double centre = E8Quantizer::gaussianScaleFactor(choice, bits);
            double best = HUGE_VAL;
            double bestFactor = 0.0;
            for (int k = -16; k <= 16; ++k) {
                const double factor = centre * std::exp2(k / 32.0);
                double sum = 0.0;
                for (std::int64_t v = 0; v < samples.size(0); ++v) {
                    Vec8 x;
                    for (int i = 0; i < 8; ++i)
                        x[i] = data[8 * v + i] / factor;
                    const auto p = choice == E8CodebookChoice::Auto ? nearestE8P(x) : nearestE8Box(x, bits);
                    sum += p.squaredDistance * factor * factor;
                }
                const double mse = sum / static_cast<double>(samples.numel());
                if (mse < best) {
                    best = mse;
                    bestFactor = factor;
                }
            }
            std::printf("sweep %s bits=%d grid_centre=%.4f best_factor=%.4f mse=%.5f\n",
                        choice == E8CodebookChoice::Box ? "e8-box" : "e8p", bits, centre, bestFactor, best);
        }
    }
}

void gptqTiming(std::int64_t rows, std::int64_t cols)
{
    at::manual_seed(99);
    LayerInput input;
    input.name = "synthetic.down_proj";
    input.weight = at::randn({rows, cols}, at::kFloat) * 0.02;
    // AR(1) correlation between neighbouring inputs with random per-input energy: SPD, cheap to build.
    const auto index = at::arange(cols, at::kDouble);
    const auto scale = at::rand({cols}, at::kDouble) + 0.5;
    input.hessian = at::pow(0.9, (index.unsqueeze(0) - index.unsqueeze(1)).abs()) * scale.unsqueeze(0)
        * scale.unsqueeze(1);
    input.groupBits.assign(static_cast<std::size_t>(groupCount(cols, 128)), 2);

    auto start = Clock::now();
    (void)inverseHessianUpperCholesky(input.hessian, input.name); // freed at once: quantize() repeats it
    const double factorSeconds = secondsSince(start);
    start = Clock::now();
    auto result = GptqQuantizer().quantize(input, {});
    const double totalSeconds = secondsSince(start);
    start = Clock::now();
    computeLayerMetrics(input, result); // what quantize() spent on the layer metrics (two fp64 tr(·H·ᵀ))
    const double metricsSeconds = secondsSince(start);
    std::printf("gptq_layer rows=%lld cols=%lld bits=2 threads=%d seconds_total=%.2f seconds_hessian_factor=%.2f "
                "seconds_layer_metrics=%.2f seconds_rest=%.2f relative_output_error=%.5f bpw=%.4f\n",
                static_cast<long long>(rows), static_cast<long long>(cols), at::get_num_threads(), totalSeconds,
                factorSeconds, metricsSeconds, totalSeconds - factorSeconds - metricsSeconds,
                result.outputRelativeError, result.bitsPerWeight);
}

} // namespace

int main(int argc, char** argv)
{
    bool sweep = false;
    bool gptq = true;
    bool mse = true;
    std::int64_t rows = 4096;
    std::int64_t cols = 11008;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--sweep"))
            sweep = true;
        else if (!std::strcmp(argv[i], "--skip-gptq"))
            gptq = false;
        else if (!std::strcmp(argv[i], "--skip-mse"))
            mse = false;
        else if (!std::strcmp(argv[i], "--gptq-rows") && i + 1 < argc)
            rows = std::stoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--gptq-cols") && i + 1 < argc)
            cols = std::stoll(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_baselines [--sweep] [--skip-mse] [--skip-gptq] [--gptq-rows R] [--gptq-cols C]\n");
            return 2;
        }
    }
    try {
        if (mse)
            mseTable(sweep);
        if (gptq)
            gptqTiming(rows, cols);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_baselines: %s\n", e.what());
        return 1;
    }
    return 0;
}
