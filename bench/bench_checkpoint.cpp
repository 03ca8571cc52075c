// SPDX-License-Identifier: GPL-3.0-or-later
// Checkpoint loading speed: how long Checkpoint::open takes (headers only, so it should be a few ms
// regardless of the weights' size) and how fast every tensor converts to fp32.
//
// Usage: bench_checkpoint [checkpoint-dir]   (default: the debian-llama-16m fixture)
// Prints one `key value...` line per metric.
#include "core/io/checkpoint.h"
#include "core/util/error.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <vector>

#ifndef GLVQ_FIXTURES_DIR
#define GLVQ_FIXTURES_DIR "../shared/fixtures"
#endif

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

} // namespace

int main(int argc, char** argv)
{
    const std::filesystem::path path = argc > 1 ? argv[1] : GLVQ_FIXTURES_DIR "/debian-llama-16m";
    try {
        constexpr int kOpenRuns = 20;
        std::vector<double> openMs;
        for (int i = 0; i < kOpenRuns; ++i) {
            const auto start = Clock::now();
            const auto checkpoint = glvq::io::Checkpoint::open(path);
            openMs.push_back(msSince(start));
        }
        std::printf("checkpoint_open_ms median=%.3f min=%.3f max=%.3f runs=%d path=%s\n", median(openMs),
                    *std::min_element(openMs.begin(), openMs.end()), *std::max_element(openMs.begin(), openMs.end()),
                    kOpenRuns, path.string().c_str());

        const auto checkpoint = glvq::io::Checkpoint::open(path);
        const auto names = checkpoint.tensorNames();
        const double megabytes = static_cast<double>(checkpoint.totalTensorBytes()) / 1e6;
        // The first pass also faults the mapped pages in from the page cache; later passes measure the
        // conversion itself.
        constexpr int kReadRuns = 5;
        std::vector<double> readMs;
        double firstMs = 0.0;
        for (int run = 0; run <= kReadRuns; ++run) {
            const auto start = Clock::now();
            std::size_t elements = 0;
            for (const auto& name : names)
                elements += checkpoint.readFloat32(name).size();
            const double ms = msSince(start);
            if (run == 0)
                firstMs = ms;
            else
                readMs.push_back(ms);
            if (elements == 0)
                std::printf("warning: checkpoint holds no elements\n");
        }
        const double readMedian = median(readMs);
        std::printf("read_float32_all_first_ms ms=%.3f mb=%.2f mb_per_s=%.1f tensors=%zu\n", firstMs, megabytes,
                    megabytes / (firstMs / 1e3), names.size());
        std::printf("read_float32_all_ms median=%.3f runs=%d mb=%.2f mb_per_s=%.1f tensors=%zu\n", readMedian, kReadRuns,
                    megabytes, megabytes / (readMedian / 1e3), names.size());
    } catch (const glvq::Error& e) {
        std::fprintf(stderr, "bench_checkpoint: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_checkpoint: unexpected error: %s\n", e.what());
        return 1;
    }
    return 0;
}
