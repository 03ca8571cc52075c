// SPDX-License-Identifier: GPL-3.0-or-later
// One GLVQ layer on the CPU through FusedGlvqLinear at growing batches: the fused product (glvq_gemm_cpu), decoded
// panels (glvq_decode_transposed_cpu + at::mm) and what Auto picks, against the dense fp32 layer (at::linear on
// the decoded weight, what `--kernels decoded` runs). Shows where decoded panels overtake the fused product
// (CpuProductOptions::panelBatch) and what each costs next to the dense model. Synthetic layer (kernel_fixtures.h):
// speed does not depend on the values. Threads: torch's intra-op pool (set OMP_NUM_THREADS or --threads).
// usage: bench_fused_linear_cpu [--rows 4096] [--cols 4096] [--bits 2] [--companding 0|1] [--threads N]
//                               [--panel-rows 128] [--panel-batch 96] [--repetitions 5]
#include "core/pipeline/fused_glvq_linear.h"
#include "tests/kernels/kernel_fixtures.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace glvq;

double medianMs(int repetitions, const std::function<void()>& call)
{
    call(); // warm-up
    std::vector<double> ms;
    for (int r = 0; r < repetitions; ++r) {
        const auto start = std::chrono::steady_clock::now();
        call();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    std::int64_t rows = 4096, cols = 4096;
    int bits = 2, companding = 0, threads = 0, repetitions = 5;
    pipeline::CpuProductOptions defaults;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const long long value = std::atoll(argv[i + 1]);
        if (flag == "--rows") rows = value;
        else if (flag == "--cols") cols = value;
        else if (flag == "--bits") bits = static_cast<int>(value);
        else if (flag == "--companding") companding = static_cast<int>(value);
        else if (flag == "--threads") threads = static_cast<int>(value);
        else if (flag == "--panel-rows") defaults.panelRows = value;
        else if (flag == "--panel-batch") defaults.panelBatch = value;
        else if (flag == "--repetitions") repetitions = std::max(1, static_cast<int>(value));
        else {
            std::fprintf(stderr, "bench_fused_linear_cpu: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (threads > 0)
        at::set_num_threads(threads);
    const auto spec = kernel_test::uniformSpec(rows, cols, 128, { std::uint8_t(bits) }, 8, companding, true, 3);
    const auto device = at::Device(at::kCPU);
    auto make = [&](pipeline::CpuProduct product) {
        pipeline::PackedGlvqLayer packed = kernel_test::makeLayer(spec);
        auto options = defaults;
        options.product = product;
        return pipeline::FusedGlvqLinear(std::move(packed), {}, device, "bench", options);
    };
    const auto fused = make(pipeline::CpuProduct::Fused);
    const auto panels = make(pipeline::CpuProduct::DecodedPanels);
    const auto automatic = make(pipeline::CpuProduct::Auto);
    const auto dense = fused.denseWeight();
    for (std::int64_t batch : { 1, 2, 4, 8, 16, 32, 64, 128, 512 }) {
        at::manual_seed(1);
        const auto x = at::randn({ batch, cols });
        const double msFused = medianMs(repetitions, [&] { fused.forward(x); });
        const double msPanels = medianMs(repetitions, [&] { panels.forward(x); });
        const double msAuto = medianMs(repetitions, [&] { automatic.forward(x); });
        const double msDense = medianMs(repetitions, [&] { at::linear(x, dense); });
        std::printf("fused_linear_cpu rows=%lld cols=%lld bits=%d companding=%d threads=%d batch=%lld fused_ms=%.2f "
                    "panel_rows=%lld panels_ms=%.2f auto_ms=%.2f dense_fp32_ms=%.2f auto_vs_dense=%.2f\n",
                    static_cast<long long>(rows), static_cast<long long>(cols), bits, companding,
                    at::get_num_threads(), static_cast<long long>(batch), msFused, static_cast<long long>(defaults.panelRows), msPanels, msAuto, msDense,
                    msDense / msAuto);
    }
    return 0;
}
