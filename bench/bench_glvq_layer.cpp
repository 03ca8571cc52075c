// SPDX-License-Identifier: GPL-3.0-or-later
// GLVQ per-layer benchmark. Prints:
//  1. glvq_layer: wall seconds to quantize one synthetic layer (default 4096×11008, N(0, 0.02²) weights, 2 bits,
//     d = 8, default options) against a correlated SPD Hessian (the expectation of XᵀX/T for low-rank-plus-noise
//     inputs), plus its relative output error, on each device asked for (issue #6 item 3: the same layer learned
//     on the CPU and on CUDA); glvq_layer_hessian_factor times the feedback's O(n³) setup alone (CPU);
//  2. with --salience: glvq_salience_split, the salience allocator's split search at 2 bits (each candidate split
//     quantized by untrained GLVQ, as the pipeline's BitPlanner does), with the inverse-Hessian factor computed
//     once per layer (memo, the pipeline's way) and once per use (no memo);
//  3. glvq_gaussian_mse: MSE on i.i.d. N(0,1) weights at 2 bits with an identity Hessian, for GLVQ d = 8 with
//     and without companding and a uniform scalar quantiser (the d = 1 analogue), to set beside the
//     literature anchors Lloyd-Max 0.118 and E8P 0.089 (QTIP Table 1).
// Usage: bench_glvq_layer [rows cols] [--device cpu|cuda|both] [--no-gaussian] [--salience]
//        (e.g. "384 1024" for a debian-llama-16m down_proj; "--device both" on a GPU machine)
#include "core/quant/bit_allocation.h"
#include "core/quant/glvq_quantizer.h"
#include "core/quant/hessian_math.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using namespace glvq::quant;

namespace {

at::Tensor syntheticHessian(std::int64_t cols)
{
    // Inputs x = (M ξ + 0.3 ε) ⊙ c with ξ ~ N(0, I_256), ε ~ N(0, I), per-channel gains c: E[x xᵀ] is taken
    // exactly (what XᵀX/T tends to), which avoids a tokens × cols² product for an 11008-wide layer.
    const std::int64_t rank = std::min<std::int64_t>(cols, 256);
    const auto mixing = at::randn({rank, cols}, at::kFloat).div_(std::sqrt(static_cast<double>(rank)));
    const auto gains = at::rand({cols}, at::kFloat).mul_(2.0).add_(0.25).to(at::kDouble);
    auto h = at::mm(mixing.t(), mixing).to(at::kDouble);
    h.diagonal().add_(0.09);
    return h.mul_(gains.unsqueeze(0)).mul_(gains.unsqueeze(1));
}

LayerInput makeInput(const at::Tensor& weight, const at::Tensor& hessian, int bits)
{
    LayerInput input;
    input.name = "bench.layer";
    input.weight = weight;
    input.hessian = hessian;
    input.groupSize = 128;
    input.groupBits.assign(static_cast<std::size_t>(groupCount(weight.size(1), 128)), bits);
    return input;
}

// Mid-rise uniform scalar quantiser at 2 bits per weight, step chosen by a fine scan in units of σ = 1
// (the d = 1 counterpart of GLVQ's initialisation, without its side information).
double uniformScalarMse(const at::Tensor& w, int bits)
{
    const double levels = static_cast<double>(1 << bits);
    double best = std::numeric_limits<double>::infinity();
    for (double step = 0.5; step <= 1.5; step += 0.0025) {
        const auto q = (w / step + levels / 2.0).floor_().clamp_(0.0, levels - 1.0).sub_(levels / 2.0 - 0.5).mul_(step);
        best = std::min(best, (w - q).pow(2).mean().item<double>());
    }
    return best;
}

// RTN-like: asymmetric min/max per row and 128-column group.
double rtnMse(const at::Tensor& w, int bits)
{
    const double levels = static_cast<double>((1 << bits) - 1);
    const auto grouped = w.view({w.size(0), -1, 128});
    const auto lo = std::get<0>(grouped.min(2, true));
    const auto hi = std::get<0>(grouped.max(2, true));
    const auto step = (hi - lo).div_(levels);
    const auto q = ((grouped - lo) / step).round_().clamp_(0.0, levels).mul_(step).add_(lo);
    return (grouped - q).pow(2).mean().item<double>();
}

struct Arguments {
    std::int64_t rows = 4096;
    std::int64_t cols = 11008;
    std::vector<at::Device> devices{at::kCPU};
    bool gaussian = true;
    bool salience = false;
};

Arguments parseArguments(int argc, char** argv)
{
    Arguments args;
    std::vector<std::int64_t> shape;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--device" && i + 1 < argc) {
            const std::string device = argv[++i];
            if (device == "cpu")
                args.devices = {at::kCPU};
            else if (device == "cuda")
                args.devices = {at::Device(at::kCUDA, 0)};
            else if (device == "both")
                args.devices = {at::kCPU, at::Device(at::kCUDA, 0)};
            else
                throw std::runtime_error("--device: expected cpu, cuda or both, got '" + device + "'");
        } else if (arg == "--no-gaussian") {
            args.gaussian = false;
        } else if (arg == "--salience") {
            args.salience = true;
        } else if (!arg.empty() && arg[0] != '-') {
            shape.push_back(std::atoll(arg.c_str()));
        } else {
            throw std::runtime_error("unknown argument '" + arg + "'");
        }
    }
    if (shape.size() == 2 && shape[0] > 0 && shape[1] > 0) {
        args.rows = shape[0];
        args.cols = shape[1];
    } else if (!shape.empty()) {
        throw std::runtime_error("expected positive 'rows cols'");
    }
    for (const auto& device : args.devices)
        if (device.is_cuda() && !at::hasCUDA())
            throw std::runtime_error("--device cuda: this LibTorch has no usable CUDA device");
    return args;
}

void benchLayer(const at::Tensor& weight, const at::Tensor& hessian, at::Device device)
{
    if (device.is_cuda()) { // CUDA context, cuBLAS and cuSOLVER start-up are not part of the layer's time
        auto warmUp = makeInput(weight.narrow(0, 0, 64).narrow(1, 0, 256).contiguous(),
                                hessian.narrow(0, 0, 256).narrow(1, 0, 256).contiguous(), 2);
        warmUp.device = device;
        (void)GlvqQuantizer().quantize(warmUp, {});
    }
    auto input = makeInput(weight, hessian, 2);
    input.device = device;
    const GlvqQuantizer quantizer;
    const auto start = std::chrono::steady_clock::now();
    const auto result = quantizer.quantize(input, {});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int iterations = 0;
    for (const auto& g : result.groups)
        iterations += g.iterations;
    std::printf("glvq_layer device=%s rows=%lld cols=%lld bits=2 d=8 threads=%d seconds=%.2f rel_output_error=%.5f "
                "bpw=%.4f mean_iterations=%.1f\n",
                device.is_cuda() ? "cuda" : "cpu", static_cast<long long>(weight.size(0)),
                static_cast<long long>(weight.size(1)), at::get_num_threads(), seconds, result.outputRelativeError,
                result.bitsPerWeight, static_cast<double>(iterations) / static_cast<double>(result.groups.size()));
    std::fflush(stdout);
}

void benchSalienceSplit(const at::Tensor& weight, const at::Tensor& hessian, at::Device device, bool memo)
{
    // The weight where the pipeline has it (the model's device), so the proxy loss runs there too.
    auto input = makeInput(weight.to(device), hessian, 2);
    input.device = device;
    if (memo)
        input.inverseHessianFactors = std::make_shared<InverseHessianFactors>();
    GlvqOptions untrained;
    untrained.learn = false;
    const GlvqQuantizer quantizer(untrained);
    const auto start = std::chrono::steady_clock::now();
    const auto salience = groupSalience(input.weight, inverseHessianFactor(input, device, 0.01), input.groupSize);
    const auto choice = chooseSalienceSplit(
        input.weight, hessian, salience, {}, input.groupSize, 2,
        [&](const std::vector<int>& bits) {
            auto candidate = input;
            candidate.groupBits = bits;
            return quantizer.quantize(candidate, {}).decoded;
        },
        SplitObjective::ProxyLoss);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("glvq_salience_split device=%s rows=%lld cols=%lld memo=%s candidates=%zu p=%lld seconds=%.2f\n",
                device.is_cuda() ? "cuda" : "cpu", static_cast<long long>(weight.size(0)),
                static_cast<long long>(weight.size(1)), memo ? "on" : "off", choice.objectiveByP.size(),
                static_cast<long long>(choice.p), seconds);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    try {
        const auto args = parseArguments(argc, argv);
        const std::int64_t rows = args.rows;
        const std::int64_t cols = args.cols;
        at::manual_seed(1);
        const auto weight = at::randn({rows, cols}, at::kFloat).mul_(0.02);
        const auto hessian = syntheticHessian(cols);
        // The feedback's inverse-Hessian factor alone (part of the layer time below): fp64 O(n³) work.
        const auto factorStart = std::chrono::steady_clock::now();
        (void)inverseHessianUpperCholesky(hessian, "bench.layer");
        std::printf("glvq_layer_hessian_factor cols=%lld seconds=%.2f\n", static_cast<long long>(cols),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - factorStart).count());
        std::fflush(stdout);
        for (const auto& device : args.devices)
            benchLayer(weight, hessian, device);
        if (args.salience)
            for (const bool memo : {true, false})
                benchSalienceSplit(weight, hessian, args.devices.back(), memo);
        if (!args.gaussian)
            return 0;

        // Source-coding view: i.i.d. Gaussian weights, identity Hessian (MSE = proxy loss / weights).
        at::manual_seed(2);
        const auto gaussian = at::randn({1024, 1024}, at::kFloat);
        const auto identity = at::eye(1024, at::kDouble);
        const auto input = makeInput(gaussian, identity, 2);
        struct Variant {
            const char* name;
            Companding companding;
            bool learn;
        };
        for (const Variant& v : {Variant{"glvq_d8_no_companding", Companding::Off, true},
                                 Variant{"glvq_d8_no_companding_init_only", Companding::Off, false},
                                 Variant{"glvq_d8_learnable_mu", Companding::Learnable, true},
                                 Variant{"glvq_d8_kurtosis_mu", Companding::PaperKurtosis, true}}) {
            GlvqOptions options;
            options.companding = v.companding;
            options.learn = v.learn;
            options.rowScale = false;
            options.feedback = false;
            const auto r = GlvqQuantizer(options).quantize(input, {});
            std::printf("glvq_gaussian_mse variant=%s bits=2 mse=%.4f bpw=%.4f\n", v.name, r.weightMse,
                        r.bitsPerWeight);
        }
        std::printf("glvq_gaussian_mse variant=uniform_scalar_best_step bits=2 mse=%.4f bpw=2.0000\n",
                    uniformScalarMse(gaussian, 2));
        std::printf("glvq_gaussian_mse variant=rtn_minmax_g128 bits=2 mse=%.4f bpw=2.25\n", rtnMse(gaussian, 2));
        std::printf("glvq_gaussian_mse anchors: lloyd_max=0.118 e8p=0.089 rate_distortion_bound=0.0625\n");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_glvq_layer: %s\n", e.what());
        return 1;
    }
    return 0;
}
