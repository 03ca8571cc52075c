// SPDX-License-Identifier: GPL-3.0-or-later
// Encode throughput of the two fixture tokenizers on the two evaluation texts, single-threaded.
// Prints one line per (tokenizer, text): the best of several repetitions, so a busy shared machine
// skews the number as little as possible.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

#include "core/tokenizer/tokenizer.h"
#include "core/util/text_file.h"

#ifndef GLVQ_FIXTURES_DIR
#error "GLVQ_FIXTURES_DIR must name the shared fixtures directory"
#endif

int main(int argc, char** argv)
{
    const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    const std::filesystem::path fixtures = GLVQ_FIXTURES_DIR;
    try {
        for (const char* name : {"debian-llama-16m", "bpe-gpt2style-4k"}) {
            const auto load0 = std::chrono::steady_clock::now();
            const auto tokenizer = glvq::tok::Tokenizer::fromFile(fixtures / name / "tokenizer.json");
            const double loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load0).count();
            std::printf("tokenizer_load tokenizer=%s ms=%.1f\n", name, loadMs);
            for (const char* textName : {"eval_austen.txt", "eval_tech.txt"}) {
                const std::string text = glvq::readTextFile(fixtures / textName);
                double best = 1e30;
                std::size_t tokens = 0;
                for (int r = 0; r < repetitions; ++r) {
                    const auto start = std::chrono::steady_clock::now();
                    tokens = tokenizer.encode(text).size();
                    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                    best = std::min(best, seconds);
                }
                std::printf("tokenizer_throughput tokenizer=%s text=%s MB_per_s=%.1f tokens=%zu\n", name, textName,
                            static_cast<double>(text.size()) / 1e6 / best, tokens);
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_tokenizer: %s\n", e.what());
        return 1;
    }
    return 0;
}
