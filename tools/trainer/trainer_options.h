// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The trainer's command line, parsed with the CLI's strict parser (unknown options and bad values are
// one-line usage errors naming the option).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace glvq::trainer {

struct TrainerOptions {
    std::filesystem::path configJson;   // HF config.json the model is built from (copied to the output)
    std::filesystem::path tokens;       // training tokens: flat little-endian uint16
    std::filesystem::path evalTokens;   // optional held-out tokens: loss reported at each save
    std::filesystem::path outDir;       // checkpoint directory (HF layout)
    std::string device = "cpu";         // "cpu" or "cuda"
    std::int64_t batch = 16;            // sequences per step
    std::int64_t seqLen = 256;          // tokens per sequence
    std::int64_t steps = 0;             // fixed step count, or 0 with timeBudget
    double timeBudgetSeconds = 0.0;     // training wall-clock budget: steps fixed after a timing probe
    std::int64_t warmupSteps = 100;
    double lr = 2e-3;                   // peak learning rate
    double minLrRatio = 0.1;            // cosine decays to lr * minLrRatio
    double weightDecay = 0.1;           // AdamW, on matrices only (not norms)
    double gradClip = 1.0;
    std::int64_t seed = 1234;
    std::int64_t logEvery = 20;
    std::int64_t saveEvery = 500;
    std::int64_t threads = 0;           // CPU intra-op threads (0: torch's default)

    nlohmann::json toJson() const;
};

// Throws cli::UsageError (one line) on bad usage. Returns false when --help was printed.
bool parseTrainerOptions(const std::vector<std::string>& args, TrainerOptions& options);

} // namespace glvq::trainer
