// SPDX-License-Identifier: GPL-3.0-or-later
// The quality benchmark: perplexity of debian-llama-16m on the evaluation texts at ctx 512 for each method and
// bit width, with bits per weight including side information. Calibration (128 × 512 tokens of calib.txt by
// default) is collected once and shared by every configuration. Prints a markdown table row per configuration
// as it finishes, so a long run can be followed and cut short.
//
// usage: bench_quality [--texts eval_austen,eval_tech] [--only SUBSTRING[,SUBSTRING...]] [--samples N] [--iterations N]
#include "core/eval/perplexity.h"
#include "core/pipeline/calibration_statistics.h"
#include "core/pipeline/quantization_pipeline.h"
#include "core/util/text_file.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace {

using glvq::pipeline::BitAllocation;
using glvq::pipeline::PipelineOptions;

struct Config {
    std::string label;
    PipelineOptions options;
};

PipelineOptions make(const std::string& method, double bits, int dim = 8, BitAllocation alloc = BitAllocation::Uniform,
                     const std::string& variant = "default")
{
    PipelineOptions options;
    options.method = method;
    options.bits = bits;
    options.dim = dim;
    options.allocation = alloc;
    options.variant = variant;
    return options;
}

std::vector<Config> allConfigs()
{
    // Ordered by what matters most, so a run cut short still answers the main questions: 2 bits and the
    // ablations first, then fractional targets, then 3 and 4 bits.
    std::vector<Config> configs;
    const auto addWidth = [&](double bits) {
        const auto b = std::to_string(int(bits));
        configs.push_back({ "RTN w" + b, make("rtn", bits) });
        configs.push_back({ "GPTQ w" + b, make("gptq", bits) });
        configs.push_back({ "E8 w" + b, make("e8", bits) });
        configs.push_back({ "GLVQ-8D w" + b + " uniform", make("glvq", bits, 8) });
        configs.push_back({ "GLVQ-8D w" + b + " salience", make("glvq", bits, 8, BitAllocation::Salience) });
        auto klSplit = make("glvq", bits, 8, BitAllocation::Salience);
        klSplit.allocateByProxyLoss = false;
        configs.push_back({ "GLVQ-8D w" + b + " salience, output-KL split", klSplit });
        configs.push_back({ "GLVQ-32D w" + b + " uniform", make("glvq", bits, 32) });
    };
    addWidth(2.0);
    for (const char* variant : { "no-companding", "no-row-scale", "no-feedback", "no-learning", "shared-lattice", "paper",
                                 "no-subvector-feedback" })
        configs.push_back({ std::string("GLVQ-8D w2 uniform, ") + variant, make("glvq", 2.0, 8, BitAllocation::Uniform, variant) });
    configs.push_back({ "GLVQ-8D 1.5 bits salience", make("glvq", 1.5, 8, BitAllocation::Salience) });
    configs.push_back({ "GLVQ-8D 2.5 bits salience", make("glvq", 2.5, 8, BitAllocation::Salience) });
    addWidth(3.0);
    addWidth(4.0);
    return configs;
}

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        items.push_back(item);
    return items;
}

} // namespace

int main(int argc, char** argv)
{
    const std::filesystem::path fixtures = GLVQ_FIXTURES_DIR;
    std::vector<std::string> texts = { "eval_austen" };
    std::vector<std::string> only; // row labels containing any of these substrings (all rows when empty)
    std::int64_t samples = 128;
    int iterations = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--texts"))
            texts = splitList(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--only"))
            only = splitList(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--samples"))
            samples = std::stoll(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--iterations"))
            iterations = std::stoi(argv[i + 1]);
    }
    const auto modelDir = fixtures / "debian-llama-16m";
    const auto tokenizer = glvq::tok::Tokenizer::fromFile(modelDir / "tokenizer.json");
    auto model = glvq::model::loadCausalLM(modelDir, glvq::model::ComputeDevice::Cpu);
    std::vector<std::vector<std::int32_t>> ids;
    for (const auto& text : texts)
        ids.push_back(tokenizer.encode(glvq::readTextFile(fixtures / (text + ".txt"))));

    auto base = make("glvq", 2.0);
    base.calibrationText = fixtures / "calib.txt";
    base.samples = samples;
    const auto calibrationStart = std::chrono::steady_clock::now();
    const auto statistics = glvq::pipeline::collectCalibrationStatistics(*model, tokenizer, base);
    std::printf("calibration: %s, %.1f s\n\n", statistics->protocol.describe().c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - calibrationStart).count());

    std::printf("| configuration | bits/weight (side info incl.) |");
    for (const auto& text : texts)
        std::printf(" PPL %s |", text.c_str());
    std::printf(" quantize s |\n|---|---|");
    for (std::size_t t = 0; t < texts.size(); ++t)
        std::printf("---|");
    std::printf("---|\n| fp32 | 32 |");
    for (const auto& textIds : ids)
        std::printf(" %.2f |", glvq::eval::evaluatePerplexity(*model, textIds, { .ctx = 512 }, {}).perplexity);
    std::printf(" |\n");
    std::fflush(stdout);

    for (auto& [label, options] : allConfigs()) {
        if (!only.empty() && std::none_of(only.begin(), only.end(),
                                          [&](const std::string& part) { return label.find(part) != std::string::npos; }))
            continue;
        options.calibrationText = base.calibrationText;
        options.samples = samples;
        options.maxIterations = iterations;
        const auto result = glvq::pipeline::runPipeline(*model, tokenizer, options, {}, {}, {}, statistics);
        const auto original = glvq::pipeline::applyToModel(*model, result);
        std::printf("| %s | %.3f |", label.c_str(), result.bitsPerWeight);
        for (const auto& textIds : ids)
            std::printf(" %.2f |", glvq::eval::evaluatePerplexity(*model, textIds, { .ctx = 512 }, {}).perplexity);
        std::printf(" %.0f |\n", result.seconds);
        std::fflush(stdout);
        // Restore the original layers for the next configuration.
        for (std::size_t i = 0; i < result.layers.size(); ++i)
            model->replaceLinear(result.layers[i].result->name, original[i]);
    }
    return 0;
}
