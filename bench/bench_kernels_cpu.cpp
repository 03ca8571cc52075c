// SPDX-License-Identifier: GPL-3.0-or-later
// CPU reference GEMV (kernels/glvq_ref.h) on a 4096 x 4096 layer, d = 8, 128-column groups, row scales on,
// single-threaded: the median of several runs, for companding off and on, at 2 bits (and 3, 4 for scale).
// The reference is the correctness yardstick, not a fast path: this bench says how long checks against it
// take. Usage: bench_kernels_cpu [repetitions]
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace kt = glvq::kernel_test;

int main(int argc, char** argv)
{
    const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    const std::int64_t rows = 4096;
    const std::int64_t cols = 4096;
    const auto x = kt::randomActivations(static_cast<std::size_t>(cols), 99);
    std::vector<float> y(static_cast<std::size_t>(rows));
    for (std::uint8_t bits : {2, 3, 4})
        for (int companding : {0, 1}) {
            if (bits != 2 && companding)
                continue; // companding costs the same per weight at every width
            const auto layer = kt::makeLayer(kt::uniformSpec(rows, cols, 128, {bits}, 8, companding, true, 7));
            const auto view = layer.view();
            if (glvq_gemv_ref(&view, 0, rows, x.data(), y.data()) != GLVQ_OK) { // warm-up
                std::fprintf(stderr, "bench_kernels_cpu: %s\n", glvq_last_error());
                return 1;
            }
            std::vector<double> seconds;
            for (int r = 0; r < repetitions; ++r) {
                const auto start = std::chrono::steady_clock::now();
                glvq_gemv_ref(&view, 0, rows, x.data(), y.data());
                seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            }
            std::sort(seconds.begin(), seconds.end());
            const double median = seconds[seconds.size() / 2];
            const double weights = static_cast<double>(rows) * static_cast<double>(cols);
            std::printf("kernels_cpu_gemv_ref rows=%lld cols=%lld d=8 bits=%d companding=%s threads=1 ms=%.1f "
                        "Mweights_per_s=%.0f code_MB_per_s=%.0f\n",
                        static_cast<long long>(rows), static_cast<long long>(cols), bits, companding ? "on" : "off",
                        median * 1e3, weights / median / 1e6,
                        static_cast<double>(glvq_packed_code_bytes(&view)) / median / 1e6);
        }
    return 0;
}
