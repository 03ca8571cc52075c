// SPDX-License-Identifier: GPL-3.0-or-later
// glvq bench MODEL: batch-1 decoding speed (tokens/s) of a model, and of its dense baseline: the same weights as
// fp16 dense layers on CUDA (what an unquantized deployment runs), fp32 dense on the CPU (LibTorch has no fast
// CPU fp16 GEMM). For an exported .h5 the model's GLVQ layers run the fused kernels (--kernels).
#include "app/cli/commands.h"
#include "app/cli/progress_line.h"
#include "app/cli/runnable_model.h"
#include "core/eval/decode_benchmark.h"
#include "core/model/compute_device.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace glvq::cli {

namespace {

// The dense baseline: every linear layer (lm_head too) as fp16 on CUDA. On the CPU the model stays fp32.
void makeHalfPrecision(model::CausalLM& model)
{
    auto names = model.blockLinearNames();
    names.push_back("lm_head");
    for (const auto& name : names)
        model.replaceLinear(name, std::make_shared<model::HalfDenseLinear>(model.linear(name)));
}

void printRow(const char* label, const eval::DecodeBenchmarkResult& r)
{
    std::printf("%-22s %10.1f %10.3f %12.1f %12.1f\n", label, r.tokensPerSecond, r.medianTokenSeconds * 1e3,
                r.meanTokensPerSecond, r.prefillSeconds * 1e3);
}

} // namespace

const CommandSpec& benchSpec()
{
    static const CommandSpec spec {
        "bench",
        "MODEL [--device cpu|cuda] [--kernels auto|fused|decoded] [--prompt N] [--tokens N] [--no-baseline] [--json]",
        "Batch-1 decoding speed: prefill a prompt, then generate greedily one token per forward pass with a KV "
        "cache; tokens/s from the median token time. Compared with the same weights as dense fp16 layers (CUDA) or "
        "dense fp32 (CPU). MODEL is a checkpoint directory or an exported .h5 file.",
        { "MODEL" },
        {
            { "device", "DEV", "cpu (default) or cuda" },
            { "kernels", "K", "for an .h5: auto (default: fused on CUDA; on the CPU fused for layers without companding, and for "
                             "companded ones only when their fp32 weights would not fit in memory), fused or decoded" },
            { "prompt", "N", "prompt tokens prefilled before timing (default 64)" },
            { "tokens", "N", "timed generated tokens (default 64; 4 more are generated first as warm-up)" },
            { "no-baseline", "", "skip the dense baseline" },
            { "json", "", "print machine-readable JSON on stdout" },
            { "quiet", "", "no progress on stderr" },
        },
        {},
    };
    return spec;
}

int runBench(const ParsedArgs& args, const CancelToken& cancel)
{
    const std::filesystem::path modelPath = args.positional[0];
    const auto device = model::parseComputeDevice(args.value("device", "cpu"));
    const auto kernels = pipeline::parseQuantizedKernels(args.value("kernels", "auto"));
    eval::DecodeBenchmarkOptions options;
    options.promptTokens = args.integer("prompt", 64, 1, 1 << 20);
    options.newTokens = args.integer("tokens", 64, 1, 1 << 20);
    const bool cuda = device == model::ComputeDevice::Cuda;

    ProgressLine progress(args.has("quiet"));
    nlohmann::json output;
    output["model"] = modelPath.filename().string();
    output["device"] = model::computeDeviceName(device);
    eval::DecodeBenchmarkResult measured;
    std::string layers;
    {
        auto runnable = openRunnableModel(modelPath, device, kernels, false, progress.callback(), cancel);
        if (cuda) // the lm_head is fp16 in both runs, so the comparison is about the decoder blocks
            runnable.model->replaceLinear("lm_head",
                                          std::make_shared<model::HalfDenseLinear>(runnable.model->linear("lm_head")));
        layers = describeLinears(*runnable.model);
        if (runnable.exportedMetadata)
            output["bits_per_weight"] = runnable.exportedMetadata->value("bits_per_weight", 0.0);
        measured = eval::benchmarkDecoding(*runnable.model, options, progress.callback(), cancel);
    } // the model is freed before the baseline loads, so both fit where one does
    output["layers"] = layers;
    output["model_result"] = eval::toJson(measured);

    std::optional<eval::DecodeBenchmarkResult> baseline;
    if (!args.has("no-baseline")) {
        auto dense = openRunnableModel(modelPath, device, pipeline::QuantizedKernels::Decoded, false,
                                       progress.callback(), cancel);
        if (cuda)
            makeHalfPrecision(*dense.model);
        baseline = eval::benchmarkDecoding(*dense.model, options, progress.callback(), cancel);
        output["baseline"] = cuda ? "dense fp16" : "dense fp32";
        output["baseline_result"] = eval::toJson(*baseline);
        output["speedup"] = measured.tokensPerSecond / baseline->tokensPerSecond;
    }
    if (args.has("json")) {
        std::printf("%s\n", output.dump(2).c_str());
        return 0;
    }
    std::printf("model      %s\n", modelPath.string().c_str());
    std::printf("layers     %s\n", layers.c_str());
    if (output.contains("bits_per_weight"))
        std::printf("bits       %.3f per quantized weight, side information included\n",
                    output["bits_per_weight"].get<double>());
    std::printf("device     %s\n", model::computeDeviceName(device).c_str());
    std::printf("protocol   batch 1, prompt %lld tokens, %lld warm-up + %lld timed tokens, greedy, KV cache\n\n",
                static_cast<long long>(options.promptTokens), static_cast<long long>(options.warmupTokens),
                static_cast<long long>(options.newTokens));
    std::printf("%-22s %10s %10s %12s %12s\n", "", "tokens/s", "ms/token", "mean tok/s", "prefill ms");
    printRow("model", measured);
    if (baseline) {
        printRow(cuda ? "dense fp16 baseline" : "dense fp32 baseline", *baseline);
        std::printf("\nspeed-up   %.2f× over the dense baseline (median token time)\n",
                    measured.tokensPerSecond / baseline->tokensPerSecond);
    }
    return 0;
}

} // namespace glvq::cli
