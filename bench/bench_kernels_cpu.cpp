// SPDX-License-Identifier: GPL-3.0-or-later
// CPU GEMV on one 4096 x 4096 layer (d = 8, 128-column groups, row scales on), single-threaded, median of
// several runs: the reference (kernels/glvq_ref.h, the correctness yardstick) and the fast product
// (kernels/glvq_cpu.h) on every instruction set this CPU runs, companding off and on, 2/3/4 bits. For scale,
// the same shape as a dense fp32 matrix-vector product (one plain loop per row; what decoding to fp32 costs
// at batch 1 is at least this, since it reads 4 bytes per weight). Then the dense decode of the same layer on
// the best instruction set into transposed panels of 128 rows (what FusedGlvqLinear multiplies at large
// batches), against the reference decoder (row-major).
// Usage: bench_kernels_cpu [repetitions]
#include "kernels/glvq_cpu.h"
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace kt = glvq::kernel_test;

namespace {

constexpr std::int64_t kRows = 4096;
constexpr std::int64_t kCols = 4096;

double medianSeconds(int repetitions, const std::function<void()>& call)
{
    call(); // warm-up: caches, page faults, the instruction-set choice
    std::vector<double> seconds;
    for (int r = 0; r < repetitions; ++r) {
        const auto start = std::chrono::steady_clock::now();
        call();
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

void report(const char* kernel, const char* isa, int bits, const char* companding, double seconds, double codeBytes)
{
    const double weights = static_cast<double>(kRows) * static_cast<double>(kCols);
    std::printf("kernels_cpu_gemv kernel=%s isa=%s rows=%lld cols=%lld d=8 bits=%d companding=%s threads=1 ms=%.2f "
                "Mweights_per_s=%.0f MB_per_s=%.0f\n",
                kernel, isa, static_cast<long long>(kRows), static_cast<long long>(kCols), bits, companding,
                seconds * 1e3, weights / seconds / 1e6, codeBytes / seconds / 1e6);
}

constexpr std::int64_t kPanelRows = 128;

void reportDecode(const char* kernel, const char* isa, const char* layout, int bits, const char* companding,
                  double seconds)
{
    const double weights = static_cast<double>(kRows) * static_cast<double>(kCols);
    std::printf("kernels_cpu_decode kernel=%s isa=%s layout=%s rows=%lld cols=%lld d=8 bits=%d companding=%s "
                "threads=1 ms=%.2f Mweights_per_s=%.0f\n",
                kernel, isa, layout, static_cast<long long>(kRows),
                static_cast<long long>(kCols), bits, companding, seconds * 1e3, weights / seconds / 1e6);
}

// y = W x, W dense fp32 row-major: the plain loop, four partial sums so that it is not latency-bound.
void denseGemv(const std::vector<float>& w, const std::vector<float>& x, std::vector<float>& y)
{
    for (std::int64_t i = 0; i < kRows; ++i) {
        const float* row = w.data() + i * kCols;
        float s[4] = {};
        for (std::int64_t j = 0; j < kCols; j += 4)
            for (int k = 0; k < 4; ++k)
                s[k] += row[j + k] * x[static_cast<std::size_t>(j + k)];
        y[static_cast<std::size_t>(i)] = (s[0] + s[1]) + (s[2] + s[3]);
    }
}

} // namespace

int main(int argc, char** argv)
{
    const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    const auto x = kt::randomActivations(static_cast<std::size_t>(kCols), 99);
    std::vector<float> y(static_cast<std::size_t>(kRows));
    std::vector<float> dense(static_cast<std::size_t>(kRows * kCols));
    std::vector<glvq_cpu_isa> isas;
    for (glvq_cpu_isa isa : {GLVQ_CPU_ISA_PORTABLE, GLVQ_CPU_ISA_AVX2, GLVQ_CPU_ISA_AVX512})
        if (isa <= glvq_cpu_best_isa())
            isas.push_back(isa);
    bool failed = false;
    for (std::uint8_t bits : {2, 3, 4})
        for (int companding : {0, 1}) {
            const auto layer = kt::makeLayer(kt::uniformSpec(kRows, kCols, 128, {bits}, 8, companding, true, 7));
            const auto view = layer.view();
            const double codeBytes = static_cast<double>(glvq_packed_code_bytes(&view));
            const char* mode = companding ? "on" : "off";
            // The reference takes 0.1-0.6 s a call: at most 3 runs.
            const double sRef = medianSeconds(std::min(repetitions, 3), [&] {
                failed |= glvq_gemv_ref(&view, 0, kRows, x.data(), y.data()) != GLVQ_OK;
            });
            report("reference", "portable", bits, mode, sRef, codeBytes);
            for (glvq_cpu_isa isa : isas) {
                const double s = medianSeconds(repetitions, [&] {
                    failed |= glvq_gemm_cpu_isa(isa, &view, 0, kRows, x.data(), 1, y.data()) != GLVQ_OK;
                });
                report("fast", glvq_cpu_isa_name(isa), bits, mode, s, codeBytes);
            }
            const double sDecodeRef = medianSeconds(std::min(repetitions, 3), [&] {
                failed |= glvq_decode_ref(&view, 0, kRows, dense.data(), kCols) != GLVQ_OK;
            });
            reportDecode("reference", "portable", "row-major", bits, mode, sDecodeRef);
            const double sPanels = medianSeconds(repetitions, [&] { // one panel buffer, reused as the layer does
                for (std::int64_t begin = 0; begin < kRows; begin += kPanelRows)
                    failed |= glvq_decode_transposed_cpu(GLVQ_CPU_ISA_AUTO, &view, begin, begin + kPanelRows,
                                                         dense.data(), kPanelRows) != GLVQ_OK;
            });
            reportDecode("fast", glvq_cpu_isa_name(glvq_cpu_best_isa()), "panels-of-128-rows", bits, mode, sPanels);
        }
    for (std::size_t k = 0; k < dense.size(); ++k)
        dense[k] = static_cast<float>(k % 13) * 0.01f - 0.06f;
    const double s = medianSeconds(repetitions, [&] { denseGemv(dense, x, y); });
    report("dense-fp32-loop", "portable", 32, "n/a", s, static_cast<double>(dense.size() * sizeof(float)));
    if (failed) {
        std::fprintf(stderr, "bench_kernels_cpu: %s\n", glvq_last_error());
        return 1;
    }
    return 0;
}
